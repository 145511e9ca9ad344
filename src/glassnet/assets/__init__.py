"""Files glassnet ships beside its code.

``fonts/``: Vazirmatn (SIL Open Font License 1.1, see fonts/OFL.txt and fonts/AUTHORS.txt),
the Persian typeface of the reports, figures and the image-search page in ``lang="fa"``:
WOFF2 for HTML, TTF for matplotlib.
"""

from importlib.resources import files
from pathlib import Path


def font_file(name: str = "Vazirmatn-Regular.ttf") -> Path:
    """The path of a font file shipped in ``glassnet/assets/fonts``.

    Example:
        >>> font_file("Vazirmatn-Regular.woff2").stat().st_size > 10_000
        True
    """
    path = Path(str(files("glassnet.assets") / "fonts" / name))
    if not path.is_file():
        available = sorted(p.name for p in path.parent.iterdir() if p.suffix in (".ttf", ".woff2"))
        raise FileNotFoundError(f"font_file: no font {name!r}; shipped fonts: {available}.")
    return path
