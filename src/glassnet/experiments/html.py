"""report.md → report.html: one self-contained file, readable offline and printable.

The Markdown is converted by Python-Markdown (with its ``tables`` and ``fenced_code``
extensions); a small tree processor then replaces every local image path with the image
itself as a base64 ``data:`` URI, so the HTML needs no figures/ folder beside it and
fetches nothing. The stylesheet is inline. In Persian the page is ``<html lang="fa"
dir="rtl">`` with Vazirmatn embedded as a WOFF2 ``data:`` font, while code, tables of
numbers and the isolated numbers in sentences stay left to right.
"""

import base64
import html
import mimetypes
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from glassnet.assets import font_file
from glassnet.i18n import direction

_STYLE = """
body { font-family: {font}; max-width: 62rem; margin: 2rem auto; padding: 0 1.25rem;
       line-height: 1.55; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.7rem; border-bottom: 2px solid #ddd; padding-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #eee; }
img { max-width: 100%; height: auto; display: block; margin: 1rem auto .25rem; }
img + em, p > em:only-child { display: block; text-align: center; color: #555; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; unicode-bidi: plaintext; }
th { background: #f4f4f4; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; direction: ltr;
            unicode-bidi: isolate; }
pre { background: #f6f6f6; padding: .8rem; overflow-x: auto; text-align: left; }
@media print { body { max-width: none; margin: 0; } h2 { break-after: avoid; }
               img, table, pre { break-inside: avoid; } }
"""


def markdown_to_html(text: str, *, folder, lang: str = "en", title: str = "report") -> str:
    """The whole HTML page for the Markdown ``text``, whose image paths are relative to
    ``folder``.

    Raises:
        FileNotFoundError: an image the Markdown names is not in ``folder``.
        ValueError: an image is not a local file (a URL), which would need the network.
    """
    converter = markdown.Markdown(extensions=["tables", "fenced_code",
                                              _EmbedImages(Path(folder))],
                                  output_format="html")
    body = converter.convert(text)
    font, font_face = "sans-serif", ""
    if lang == "fa":
        data = base64.b64encode(font_file("Vazirmatn-Regular.woff2").read_bytes()).decode()
        font_face = ("@font-face { font-family: Vazirmatn; font-weight: normal; "
                     f"src: url(data:font/woff2;base64,{data}) format('woff2'); }}")
        font = "Vazirmatn, sans-serif"
    style = font_face + _STYLE.replace("{font}", font)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}" dir="{direction(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{style}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


class _EmbedImagesProcessor(Treeprocessor):
    def __init__(self, md, folder: Path):
        super().__init__(md)
        self.folder = folder

    def run(self, root):
        for image in root.iter("img"):
            source = image.get("src", "")
            if source.startswith("data:"):
                continue
            if "://" in source or source.startswith("//"):
                raise ValueError(
                    f"report: the image {source!r} is not a local file; a self-contained "
                    "report embeds only files in its folder."
                )
            path = self.folder / source
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            data = base64.b64encode(path.read_bytes()).decode()
            image.set("src", f"data:{kind};base64,{data}")


class _EmbedImages(Extension):
    """Replace local image paths by ``data:`` URIs (files read from ``folder``)."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(_EmbedImagesProcessor(md, self.folder), "embed_images", 5)
