"""The canvas every figure of glassnet.plot is drawn on, and the PNG writer.

``new_figure`` makes a ``matplotlib.figure.Figure`` attached to an Agg canvas directly, not
through pyplot: no global figure registry to leak memory in long runs, no GUI backend, safe
in threads and servers. ``save_png`` renders it to bytes and writes the file atomically, so a
reader never sees half a PNG. ``set_language`` gives every text of a finished figure the
font of its language (Vazirmatn for Persian: matplotlib ≥ 3.11 shapes and orders
right-to-left text itself), and ``variant_colors`` gives each variant of a report the same
colour in every figure.

Example:
    >>> import pathlib, tempfile
    >>> figure = new_figure(4, 3)
    >>> axes = figure.subplots()
    >>> _ = axes.plot([0, 1, 2], [1, 0, 1])
    >>> path = save_png(figure, pathlib.Path(tempfile.mkdtemp()) / "line.png")
    >>> path.read_bytes()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
"""

import io
from pathlib import Path

from glassnet.atomic_write import atomic_write
from glassnet.i18n import check_language

# The typeface of each language's labels; English keeps matplotlib's default (DejaVu Sans).
FONT_FAMILIES = {"fa": "Vazirmatn"}
_FONT_FILES = {"Vazirmatn": "Vazirmatn-Regular.ttf"}
_registered_fonts = set()


def new_figure(width: float = 6.4, height: float = 4.0, *, dpi: int = 100):
    """An empty Figure of ``width`` × ``height`` inches on an Agg canvas, with constrained
    layout (labels never overlap or fall off the edge)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_png(figure, path) -> Path:
    """Render ``figure`` as a PNG at ``path`` (written atomically) and return the path."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    path = Path(path)
    atomic_write(path, buffer.getvalue())
    return path


def set_language(figure, lang: str):
    """Give every text of the finished ``figure`` the font of ``lang``; return the figure.

    Call it after the figure is drawn: titles, labels, legends and tick labels all change.
    For Persian ("fa") that is Vazirmatn, shipped in ``glassnet/assets/fonts``; matplotlib ≥
    3.11 lays the text out right to left with joined letters (libraqm), and Latin words and
    digits inside it stay left to right.

    Raises:
        ConfigError: an unknown language.
    """
    family = FONT_FAMILIES.get(check_language(lang))
    if family is None:
        return figure
    _register_font(family)
    from matplotlib.text import Text

    families = [family, "DejaVu Sans"]  # matplotlib's own font for glyphs Vazirmatn lacks (→)
    for text in figure.findobj(Text):
        text.set_fontfamily(families)
    for axes in figure.axes:  # tick labels are made at draw time: set their default too
        axes.tick_params(labelfontfamily=families)
    return figure


def variant_colors(labels) -> dict:
    """One colour per label, in order (matplotlib's tab10, then tab20 beyond 10 labels), so a
    variant keeps its colour in every figure of a report.

    Example:
        >>> variant_colors(["relu", "tanh"])
        {'relu': '#1f77b4', 'tanh': '#ff7f0e'}
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    labels = list(dict.fromkeys(labels))
    palette = colormaps["tab10" if len(labels) <= 10 else "tab20"].colors
    return {label: to_hex(palette[i % len(palette)]) for i, label in enumerate(labels)}


def _register_font(family: str) -> None:
    """Make the shipped font file of ``family`` known to matplotlib (once per process)."""
    if family in _registered_fonts:
        return
    from matplotlib import font_manager

    from glassnet.assets import font_file

    font_manager.fontManager.addfont(str(font_file(_FONT_FILES[family])))
    _registered_fonts.add(family)
