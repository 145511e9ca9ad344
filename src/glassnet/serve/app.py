"""The image-search web application (Flask, the optional extra ``serve``).

The server returns data and static files; the page (``templates/index.html`` with
``static/page.js`` and ``static/page.css``: plain HTML and a little JavaScript, no build
step) draws everything from the JSON API, so the API's tests also test what the page uses.

API (errors are JSON ``{"error": "<message>"}`` with a 4xx status, in the page's language):

- ``POST /api/search``: multipart form with the file field ``image`` (PNG or JPEG, any size,
  colour or grey) and optional fields ``k`` (default 8) and ``space`` (``features`` or
  ``pixels``) → ``{"prediction": {"label", "name", "probabilities"}, "neighbors": [{"index",
  "label", "name", "distance", "thumbnail"}, ...], "space", "k", "query"}``, neighbours
  nearest first; ``thumbnail`` is a URL under ``/api/images/`` and ``query`` a data URL of
  the image as the model received it.
- ``GET /api/images/<train|test>/<index>.png``: one dataset image as PNG. The images come from
  the arrays in memory, never from a path on disk, so no URL reaches another file.
- ``GET /api/test-images?count=12&seed=S``: random test images for the page's strip.
- ``GET /api/info``: the model, dataset, layer, sizes and limits.
- ``GET /``: the page (``?seed=S`` fixes its first strip of test images).
Any of them takes ``?lang=fa`` for Persian (default: the server's ``lang``).

Limits: the request body is capped (``max_upload_bytes``, 10 MB by default; more is a 413),
and uploads pass the checks of ``glassnet.serve.codec``. The page is served with a
Content-Security-Policy that lets it load only from this server, so it works offline.
"""

import base64
import functools
import logging
import re

import numpy as np

from glassnet.data.classes import class_names
from glassnet.errors import ConfigError, GlassnetError
from glassnet.extras import require_extra
from glassnet.i18n import LANGUAGES, direction, text
from glassnet.serve.codec import UploadError, png_bytes, read_upload
from glassnet.serve.index import DEFAULT_K, MAX_K, SPACES
from glassnet.serve.messages import MESSAGES

DEFAULT_MAX_UPLOAD_BYTES = 10 * 2**20
VIEWS = ("both", *SPACES)
STRIP_SIZE = 12
FONTS = ("Vazirmatn-Regular.woff2", "Vazirmatn-Bold.woff2")
_PERSIAN_DIGITS = str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")
_IMAGE_NAME = re.compile(r"(0|[1-9][0-9]{0,8})\.png")
# Only this server: no CDN, no external font or script, so the page works offline.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data: blob:; "
                           "object-src 'none'; base-uri 'none'; form-action 'self'")


class ApiError(GlassnetError, ValueError):
    """A request the API refuses: ``key`` names its message, ``status`` the 4xx to send."""

    def __init__(self, key: str, status: int = 400, **values):
        self.key, self.status, self.values = key, status, values
        super().__init__(f"{key} {values}")


def create_app(index, *, lang: str = "en", view: str = "both",
               max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES):
    """The Flask application serving ``index`` (a ``glassnet.serve.index.SearchIndex``).

    Args:
        index: what to search.
        lang: the page's default language, "en" or "fa" (``?lang=`` overrides it).
        view: what the page shows first: "both" spaces side by side, or only "features" or
            "pixels"; a search that names no space uses "pixels" if ``view`` is "pixels",
            else "features".
        max_upload_bytes: the largest request body accepted (413 above it).

    Raises:
        MissingDependencyError: Flask is missing, naming the extra that brings it.
        ConfigError: an unknown language or view.
    """
    flask = _flask()
    from werkzeug.exceptions import HTTPException

    from glassnet.i18n import check_language

    check_language(lang)
    if view not in VIEWS:
        raise ConfigError(f"serve: expected the view to be one of {list(VIEWS)}, but got "
                          f"{view!r}.")
    space = "pixels" if view == "pixels" else "features"
    app = flask.Flask(__name__)  # templates/ and static/ beside this file
    app.url_map.merge_slashes = False  # "//etc/passwd" is a 404, not a redirect to follow
    app.config["MAX_CONTENT_LENGTH"] = max_upload_bytes
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    dataset_names = {code: class_names(index.dataset, index.num_classes, code)
                     for code in LANGUAGES}
    largest_k = min(MAX_K, len(index))

    def request_lang() -> str:
        value = flask.request.args.get("lang", lang)
        if value not in LANGUAGES:
            raise ApiError("error_lang", choices=", ".join(LANGUAGES), value=value[:40])
        return value

    def error_response(key: str, status: int, **values):
        try:
            language = request_lang()
        except ApiError:
            language = lang
        return flask.jsonify(error=text(MESSAGES, key, language, **values)), status

    @app.errorhandler(ApiError)
    @app.errorhandler(UploadError)
    def refused(error):
        return error_response(error.key, error.status, **error.values)

    @app.errorhandler(HTTPException)
    def http_error(error):
        path = flask.request.path[:200]
        if error.code == 404:
            return error_response("error_not_found", 404, path=path)
        if error.code == 405:
            return error_response("error_method", 405, path=path, method=flask.request.method)
        if error.code == 413:
            return error_response("error_too_large", 413,
                                  limit=f"{max_upload_bytes / 2**20:g}")
        return error_response("error_bad_request", error.code or 400,
                              detail=error.description or error.name)

    @app.errorhandler(Exception)
    def internal_error(error):
        logging.getLogger("glassnet.serve").exception("unexpected error", exc_info=error)
        return error_response("error_internal", 500)

    @app.after_request
    def security_headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/")
    def page():
        language = request_lang()
        seed = flask.request.args.get("seed")  # a repeatable first strip of test images
        if seed is not None:
            seed = _whole_number(seed, 0, 2**31 - 1, "error_seed")
        config = {"lang": language, "k": DEFAULT_K, "maxK": largest_k, "view": view,
                  "stripSeed": seed,
                  "stripSize": STRIP_SIZE, "maxUploadBytes": max_upload_bytes,
                  "classNames": dataset_names[language]}
        strings = {key: entry[language] for key, entry in MESSAGES.items()}
        model_line = text(MESSAGES, "model_line", language, model=_model_name(index.model),
                          dataset=index.dataset or "?", layer=index.layer,
                          size=_number(index.feature_size, language),
                          count=_number(len(index), language))
        return flask.render_template(
            "index.html", lang=language, dir=direction(language), strings=strings,
            config=config, model_line=model_line,
            panel_features=text(MESSAGES, "panel_features", language, layer=index.layer),
        )

    @app.get("/fonts/<name>")
    def font(name: str):
        from glassnet.assets import font_file

        if name not in FONTS:
            flask.abort(404)
        return flask.send_file(font_file(name), mimetype="font/woff2", max_age=86400)

    @app.get("/api/info")
    def info():
        language = request_lang()
        return flask.jsonify(
            model=_model_name(index.model), dataset=index.dataset, layer=index.layer,
            feature_size=index.feature_size, train_count=len(index),
            test_count=len(index.test_images), classes=dataset_names[language],
            input_shape=list(index.input_shape), k=DEFAULT_K, max_k=largest_k,
            spaces=list(SPACES), space=space, max_upload_bytes=max_upload_bytes,
        )

    @app.get("/api/test-images")
    def test_images():
        language = request_lang()
        count = _whole_number(flask.request.args.get("count", STRIP_SIZE), 1,
                              min(64, len(index.test_images)), "error_count")
        seed = flask.request.args.get("seed")
        if seed is not None:
            seed = _whole_number(seed, 0, 2**31 - 1, "error_seed")
        generator = np.random.default_rng(seed)  # no seed: different images each time
        chosen = generator.choice(len(index.test_images), size=count, replace=False)
        return flask.jsonify(images=[
            {"index": int(i), "label": int(index.test_labels[i]),
             "name": dataset_names[language][int(index.test_labels[i])],
             "thumbnail": f"/api/images/test/{int(i)}.png"}
            for i in chosen
        ])

    @app.post("/api/search")
    def search():
        language = request_lang()
        upload = flask.request.files.get("image")  # a body over the limit raises 413 here
        if upload is None:
            raise ApiError("error_no_file")
        k = _whole_number(flask.request.form.get("k", DEFAULT_K), 1, largest_k, "error_k")
        chosen_space = flask.request.form.get("space", space)
        if chosen_space not in SPACES:
            raise ApiError("error_space", choices=", ".join(SPACES), value=chosen_space[:40])
        image = read_upload(upload.read(), index.input_shape)
        result = index.search(image, k=k, space=chosen_space)
        names = dataset_names[language]
        return flask.jsonify(
            prediction={"label": result.label, "name": names[result.label],
                        "probabilities": [round(float(p), 6) for p in result.probabilities]},
            neighbors=[
                {"index": n.index, "label": n.label, "name": names[n.label],
                 "distance": float(n.distance), "thumbnail": f"/api/images/train/{n.index}.png"}
                for n in result.neighbors
            ],
            space=chosen_space, k=k, query=_data_url(png_bytes(result.query)),
        )

    @functools.lru_cache(maxsize=4096)
    def thumbnail(split: str, position: int) -> bytes:
        images = index.train_images if split == "train" else index.test_images
        return png_bytes(images[position])

    @app.get("/api/images/<split>/<name>")
    def image(split: str, name: str):
        request_lang()
        if split not in ("train", "test"):
            raise ApiError("error_split", status=404, value=split[:40])
        count = len(index) if split == "train" else len(index.test_images)
        match = _IMAGE_NAME.fullmatch(name)
        if match is None or int(match.group(1)) >= count:
            raise ApiError("error_image_index", status=404, split=split, value=name[:40],
                           last=count - 1)
        response = flask.Response(thumbnail(split, int(match.group(1))), mimetype="image/png")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    return app


def _whole_number(value, low: int, high: int, key: str) -> int:
    """``value`` (a form or query string) as an int in [low, high], else an ApiError."""
    text_value = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,9}", text_value) or not low <= int(text_value) <= high:
        raise ApiError(key, largest=high, value=text_value[:40])
    return int(text_value)


def _number(value: int, lang: str) -> str:
    """A count with thousands separators, in Persian digits for "fa" (as the page's script
    writes numbers with Intl.NumberFormat).

    Example:
        >>> _number(60000, "en"), _number(60000, "fa")
        ('60,000', '۶۰٬۰۰۰')
    """
    written = f"{value:,}"
    return written.translate(_PERSIAN_DIGITS) if lang == "fa" else written


def _model_name(model) -> str:
    architecture = getattr(model, "architecture", None)
    return getattr(architecture, "name", type(model).__name__)


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _flask():
    return require_extra("flask", "serve", "glassnet serve")
