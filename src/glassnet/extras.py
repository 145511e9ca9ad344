"""The optional extras, imported when a feature needs them.

``import glassnet`` needs only NumPy, SciPy, safetensors, tqdm and (for figures) matplotlib.
The rest comes with an extra, imported inside the function that uses it, through
``require_extra`` so that a missing one is a ``MissingDependencyError`` naming the extra and
how to install it — never a bare ModuleNotFoundError.

Example:
    >>> require_extra("numpy", "images", "this example").__name__
    'numpy'
"""

import importlib
from types import ModuleType

from glassnet.errors import MissingDependencyError

EXTRAS = {
    "images": "Pillow, to read PNG/JPEG images",
    "search": "Optuna (and psycopg for PostgreSQL), for glassnet search",
    "serve": "Flask and Pillow, for the image-search page",
    "mpi": "mpi4py, for training across processes with mpiexec",
}


def require_extra(module: str, extra: str, purpose: str) -> ModuleType:
    """The module ``module``, or a MissingDependencyError saying that ``purpose`` needs the
    extra ``extra`` and how to install it.

    Only the module (or its package) being absent counts as missing; an error raised while
    importing an installed module is raised as it is.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or module.split(".")[0] != error.name.split(".")[0]:
            raise
        raise MissingDependencyError(
            f"{purpose} needs {error.name}, from glassnet's optional extra '{extra}' "
            f"({EXTRAS[extra]}). Install it with: pip install 'glassnet[{extra}]' "
            f"(or, in a clone: uv sync --extra {extra})."
        ) from None
