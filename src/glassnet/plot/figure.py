"""The canvas every figure of glassnet.plot is drawn on, and the PNG writer.

``new_figure`` makes a ``matplotlib.figure.Figure`` attached to an Agg canvas directly, not
through pyplot: no global figure registry to leak memory in long runs, no GUI backend, safe
in threads and servers. ``save_png`` renders it to bytes and writes the file atomically, so a
reader never sees half a PNG.

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
