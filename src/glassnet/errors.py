"""The small error hierarchy every glassnet error belongs to.

Each error also derives from the built-in exception a Python user would expect, so
``except ValueError`` keeps working. Messages follow one shape:
``<where>: expected <what>, but got <what>. <How to fix>.``
"""


class GlassnetError(Exception):
    """Base class of every error glassnet raises on purpose."""


class ShapeError(GlassnetError, ValueError):
    """An array has the wrong shape, rank or size for the operation."""


class DTypeError(GlassnetError, TypeError):
    """An array has a dtype the operation does not accept."""


class GraphError(GlassnetError, RuntimeError):
    """The autograd graph was used in a way it does not support."""


class ConfigError(GlassnetError, ValueError):
    """A hyperparameter or option is out of range or unknown."""


class GradientCheckError(GlassnetError, AssertionError):
    """Analytic and numerical gradients disagree (raised by ``gradcheck``)."""


class StateDictError(GlassnetError, ValueError):
    """A state_dict's keys or shapes do not match the module it is loaded into."""


class DatasetError(GlassnetError, ValueError):
    """A dataset file is corrupt, truncated or malformed, or its download failed verification."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A dataset's files are in none of the places glassnet looks (also a FileNotFoundError)."""


class NotFittedError(GlassnetError, RuntimeError):
    """A model was asked to predict before ``fit`` was called."""


class CheckpointError(GlassnetError, ValueError):
    """A checkpoint file is truncated, corrupt, unsafe or not a glassnet checkpoint."""


class ImageError(GlassnetError, ValueError):
    """An image cannot be used: empty, truncated, corrupt, not an image, too many pixels to
    decode safely (a decompression bomb), the wrong size, or pixels unlike the training
    images'. Raised by ``glassnet.data.images``; a server answers it with HTTP 400."""


class MissingDependencyError(GlassnetError, ImportError):
    """An optional extra is not installed; the message names it (``pip install
    'glassnet[images]'``)."""


class RunError(GlassnetError, RuntimeError):
    """A run folder cannot be used now: another process is writing it."""


class UncoveredInputWarning(UserWarning):
    """A convolution or pooling layer never reads some rows or columns at the end of its input.

    Output sizes follow PyTorch (rounded down), so a window that does not fit the input
    drops what it would have read (the course's 7×7 input with F = 3, S = 3). Each layer
    warns once per input size, with the arithmetic and a fix; filter it with
    ``warnings.filterwarnings("ignore", category=UncoveredInputWarning)``.
    """


class DistributedError(GlassnetError, RuntimeError):
    """The processes of a distributed run lost each other (a rank died, hangs or diverged)."""
