"""The JSON API and the page, through Flask's test client: answers, bad input, paths."""

import base64
import io
import json

import numpy as np
import pytest

from glassnet.data.classes import CLASS_NAMES
from glassnet.i18n import missing_translations
from glassnet.serve.messages import MESSAGES
from tests.ci import import_in_ci
from tests.serve.conftest import huge_png, png_bytes

import_in_ci("flask", "Flask (the 'serve' extra) runs the app")
Image = import_in_ci("PIL.Image", "Pillow (the 'serve' extra) decodes uploads")


@pytest.fixture(scope="module")
def client(trained_run):
    from glassnet.serve.app import create_app
    from glassnet.serve.index import open_index

    index, _ = open_index(trained_run / "best.safetensors")
    app = create_app(index, max_upload_bytes=3 * 2**20)
    return app.test_client()


def search(client, data: bytes, **fields):
    form = {"image": (io.BytesIO(data), "query.png"), **fields}
    return client.post("/api/search", data=form, content_type="multipart/form-data")


def decode_png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def test_search_returns_k_neighbours_sorted_by_distance(client, train_images):
    response = search(client, png_bytes(train_images[0][7]), k="5")
    assert response.status_code == 200 and response.is_json
    answer = response.get_json()
    assert len(answer["neighbors"]) == 5 and answer["k"] == 5 and answer["space"] == "features"
    distances = [n["distance"] for n in answer["neighbors"]]
    assert distances == sorted(distances)
    assert set(answer["neighbors"][0]) == {"index", "label", "name", "distance", "thumbnail"}
    probabilities = answer["prediction"]["probabilities"]
    assert len(probabilities) == 10 and sum(probabilities) == pytest.approx(1, abs=1e-4)
    assert answer["prediction"]["label"] == int(np.argmax(probabilities))


def test_pixel_search_finds_the_training_image_itself_at_distance_zero(client, train_images):
    images, labels = train_images
    answer = search(client, png_bytes(images[123]), space="pixels", k="3").get_json()
    nearest = answer["neighbors"][0]
    assert (nearest["index"], nearest["distance"], nearest["label"]) == (123, 0.0, labels[123])


def test_thumbnails_are_the_training_images_and_the_query_is_what_the_model_saw(client,
                                                                               train_images):
    images = train_images[0]
    colour = np.stack([images[9]] * 3, axis=-1)  # RGB, twice the size: converted, resized
    colour = np.asarray(Image.fromarray(colour).resize((56, 56), Image.Resampling.NEAREST))
    answer = search(client, png_bytes(colour, "JPEG"), k="2").get_json()
    for neighbor in answer["neighbors"]:
        response = client.get(neighbor["thumbnail"])
        assert response.status_code == 200 and response.mimetype == "image/png"
        np.testing.assert_array_equal(decode_png(response.data), images[neighbor["index"]])
    header, encoded = answer["query"].split(",", 1)
    assert header == "data:image/png;base64"
    assert decode_png(base64.b64decode(encoded)).shape == (28, 28)


def test_info_and_test_images_describe_the_index(client):
    info = client.get("/api/info").get_json()
    assert (info["train_count"], info["test_count"], info["layer"]) == (400, 60, "4")
    assert info["feature_size"] == 32 and info["max_k"] == 100
    strip = client.get("/api/test-images?count=5&seed=3").get_json()["images"]
    assert len(strip) == 5 and len({item["index"] for item in strip}) == 5
    assert strip == client.get("/api/test-images?count=5&seed=3").get_json()["images"]
    assert client.get(strip[0]["thumbnail"]).status_code == 200


def test_page_is_served_in_english_and_in_persian(client):
    english = client.get("/")
    assert english.status_code == 200
    assert '<html lang="en" dir="ltr">' in english.text and "Image search" in english.text
    assert "'self'" in english.headers["Content-Security-Policy"]
    persian = client.get("/?lang=fa")
    assert '<html lang="fa" dir="rtl">' in persian.text
    assert MESSAGES["title"]["fa"] in persian.text
    css = client.get("/static/page.css")
    assert css.status_code == 200 and "/fonts/Vazirmatn-Regular.woff2" in css.text
    font = client.get("/fonts/Vazirmatn-Regular.woff2")
    assert font.status_code == 200 and font.data[:4] == b"wOF2"
    assert client.get("/static/page.js").status_code == 200


def test_the_page_loads_nothing_from_other_servers(client):
    html = client.get("/").text + client.get("/static/page.css").text
    html += client.get("/static/page.js").text
    assert "http://" not in html and "https://" not in html and "//cdn" not in html


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def corrupted(data: bytes) -> bytes:
    raw = bytearray(data)
    for position in range(len(raw) // 2, len(raw) - 12, 7):
        raw[position] ^= 0x5A
    return bytes(raw)


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, format="GIF")
    return buffer.getvalue()


NOISE = np.random.default_rng(0).integers(0, 256, (40, 40), dtype=np.uint8)
BAD_UPLOADS = {
    "not an image": (b"hello, this is text\n" * 20, 400, "not an image"),
    "empty": (b"", 400, "empty"),
    "truncated PNG": (truncated(png_bytes(NOISE)), 400, "truncated or corrupt"),
    "truncated JPEG": (truncated(png_bytes(NOISE, "JPEG")), 400, "truncated or corrupt"),
    "corrupt PNG": (corrupted(png_bytes(NOISE)), 400, "image"),
    "GIF": (gif_bytes(), 415, "expected PNG or JPEG, but got a GIF"),
    # Over this page's 25-megapixel limit, under Pillow's own guard:
    "6000x6000 PNG": (huge_png(6000, 6000), 400, "expected at most 25,000,000 pixels"),
    # Pillow warns above 89 megapixels (an error under pytest) and refuses above 179:
    "10000x10000 PNG": (huge_png(10_000, 10_000), 400, "pixels"),
    "20000x20000 PNG (decompression bomb)": (huge_png(20_000, 20_000), 400, "decompression"),
    "over the size limit": (b"\x89PNG" + bytes(3 * 2**20), 413, "larger than 3 MB"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_bad_uploads_get_a_4xx_json_error_and_the_server_goes_on(client, train_images, case):
    data, status, message = BAD_UPLOADS[case]
    response = search(client, data)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json and message in response.get_json()["error"]
    assert search(client, png_bytes(train_images[0][0])).status_code == 200


@pytest.mark.parametrize(("fields", "message"), [
    ({"k": "abc"}, "k: expected a whole number from 1 to 100, but got 'abc'"),
    ({"k": "0"}, "but got '0'"),
    ({"k": "101"}, "but got '101'"),
    ({"k": "-3"}, "but got '-3'"),
    ({"k": "2.5"}, "but got '2.5'"),
    ({"k": ""}, "but got ''"),
    ({"k": "9" * 400}, "k: expected a whole number"),
    ({"space": "voxels"}, "space: expected one of features, pixels, but got 'voxels'"),
])
def test_bad_fields_get_a_400_naming_the_field(client, train_images, fields, message):
    response = search(client, png_bytes(train_images[0][0]), **fields)
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_a_request_without_the_image_field_is_a_400(client):
    response = client.post("/api/search", data={"k": "3"}, content_type="multipart/form-data")
    assert response.status_code == 400 and "form field 'image'" in response.get_json()["error"]
    response = client.post("/api/search", data=b"{}", content_type="application/json")
    assert response.status_code == 400


def test_errors_speak_the_language_asked_for(client):
    response = client.post("/api/search?lang=fa", data={}, content_type="multipart/form-data")
    assert response.get_json()["error"] == MESSAGES["error_no_file"]["fa"]
    response = client.get("/api/info?lang=xx")
    assert response.status_code == 400 and "lang: expected one of en, fa" in response.text


@pytest.mark.parametrize("path", [
    "/api/images/../../etc/passwd",
    "/api/images/%2e%2e/%2e%2e/etc/passwd",
    "/api/images/train/..%2f..%2fapp.py",
    "/api/images/train/%2e%2e%2fapp.py",
    "/api/images//etc/passwd",
    "/api/images/train//etc/passwd",
    "/api/images/train/-1.png",
    "/api/images/train/400.png",  # one past the last
    "/api/images/test/60.png",
    "/api/images/train/01.png",
    "/api/images/train/1.PNG",
    "/api/images/train/1",
    "/api/images/etc/1.png",
    "/static/../app.py",
    "/static/%2e%2e/app.py",
    "/static/..%2fapp.py",
    "/fonts/OFL.txt",
    "/fonts/..%2f..%2fapp.py",
])
def test_paths_outside_the_dataset_get_a_4xx_and_no_file(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert response.is_json and "error" in response.get_json()
    assert b"create_app" not in response.data and b"root:" not in response.data


def test_the_last_image_of_each_split_is_served(client):
    assert client.get("/api/images/train/399.png").status_code == 200
    assert client.get("/api/images/test/59.png").status_code == 200


def test_other_methods_and_unknown_paths_answer_in_json(client):
    response = client.get("/api/search")
    assert response.status_code == 405 and "does not accept GET" in response.get_json()["error"]
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.is_json
    for value in ("0", "61", "x"):
        assert client.get(f"/api/test-images?count={value}").status_code == 400
    assert client.get("/api/test-images?seed=-1").status_code == 400


def test_message_tables_are_complete():
    assert missing_translations(MESSAGES) == []
    for dataset, names in CLASS_NAMES.items():
        assert len(names["en"]) == len(names["fa"]) == 10, dataset
    page_strings = json.dumps(MESSAGES)
    assert "{detail}" in page_strings  # decoding errors carry Pillow's own words


def test_server_options_set_the_pages_language_and_first_view(trained_run):
    from glassnet.errors import ConfigError
    from glassnet.serve.app import create_app
    from glassnet.serve.index import open_index

    index, _ = open_index(trained_run / "best.safetensors")
    persian = create_app(index, lang="fa", view="pixels").test_client()
    page = persian.get("/").text
    assert 'dir="rtl"' in page and 'class="panels view-pixels"' in page
    error = persian.post("/api/search", data={}, content_type="multipart/form-data")
    assert error.get_json()["error"] == MESSAGES["error_no_file"]["fa"]
    answer = persian.post("/api/search", content_type="multipart/form-data",
                          data={"image": (io.BytesIO(png_bytes(index.train_images[0])), "q")})
    assert answer.get_json()["space"] == "pixels"  # the view's space when none is named
    for options in ({"lang": "de"}, {"view": "voxels"}):
        with pytest.raises(ConfigError):
            create_app(index, **options)
