"""Checkpoints: tensors in a safetensors file, metadata as JSON, and a SHA-256 over both.

A checkpoint (or saved model) is one safetensors file: an 8-byte little-endian header length,
a JSON header giving each tensor's dtype, shape and byte range, then the tensors' raw
little-endian bytes. There is no pickle anywhere, so loading a file never runs code, and
PyTorch reads the file with ``safetensors.torch.load_file``: save a module's ``state_dict()``
(PyTorch's names and layouts) and it loads into the same PyTorch model.

glassnet puts three strings into the header's ``__metadata__``:

- ``"glassnet.format"``: ``"1"``, the version of this layout.
- ``"glassnet.metadata"``: the caller's metadata (architecture config, preprocessing state,
  optimizer scalars, epoch, versions) as JSON text. A NaN or infinite float (the loss
  history of a diverged run) is written as ``NaN``/``Infinity``, the extension Python's
  ``json`` reads back.
- ``"glassnet.sha256"``: the hex SHA-256 of the *payload*, which is, in this order, the
  metadata JSON text, then for each tensor in sorted name order its name, its dtype name
  (``numpy.dtype.name``, e.g. ``"float32"``), its shape (the sizes in decimal joined by
  ``","``, empty for a 0-d tensor) and its raw C-order little-endian bytes. Each piece goes
  into the hash as its length (8 bytes, little-endian) followed by its bytes (text as
  UTF-8), so two different payloads never feed the same byte stream.

safetensors checks the header's structure but has no checksum of the data: a flipped bit in
a tensor loads silently. The SHA-256 catches that, and any truncation, partial copy or edit.
It guards against accidents, not against someone who recomputes it on purpose.

Loading checks, in this order, each failure a ``CheckpointError`` that names the file:
the header length fits the file and the ``MAX_HEADER_BYTES`` cap; the header declares at
most ``MAX_TENSORS`` tensors (counted before the JSON is parsed, so a bloated header is
rejected in milliseconds); safetensors accepts the header and byte ranges; the glassnet
entries are present; the SHA-256 matches; and, by default, no tensor holds NaN or Inf.

Writing goes through ``atomic_write`` (temporary file, fsync, rename, fsync of the folder;
normal ``0o666 & ~umask`` permissions). Before that, every array is made C-contiguous and
little-endian with ``np.require``: safetensors 0.8 silently writes wrong bytes for a
non-contiguous array, and ``np.ascontiguousarray`` would turn a 0-d array into shape (1,).
"""

import hashlib
import json
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import safetensors.numpy
from safetensors import SafetensorError

from glassnet.atomic_write import _atomic_write
from glassnet.errors import CheckpointError, ConfigError, DTypeError

FORMAT_VERSION = "1"
MAX_HEADER_BYTES = 100_000_000  # safetensors' own limit
MAX_TENSORS = 50_000  # far above any glassnet model with its optimizer state
NONFINITE_POLICIES = ("raise", "warn", "ignore")

_FORMAT_KEY = "glassnet.format"
_METADATA_KEY = "glassnet.metadata"
_SHA256_KEY = "glassnet.sha256"
_SUPPORTED_DTYPES = (
    "bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
    "float16", "float32", "float64", "complex64",
)  # fmt: skip
_FIX = "Delete it or resume from another checkpoint."


def save_checkpoint(path, tensors: Mapping, metadata: Mapping | None = None) -> None:
    """Write ``tensors`` and ``metadata`` to the safetensors file ``path``, atomically.

    Args:
        path: the file to create or replace (conventionally ``*.safetensors``); its folder
            must exist.
        tensors: name -> NumPy array (e.g. a ``state_dict()``). Any layout works
            (non-contiguous, 0-d, empty, big-endian); dtypes: bool, (u)int8..64,
            float16/32/64, complex64.
        metadata: JSON-serializable dict (str keys; str, int, float, bool, None, lists,
            dicts). Tuples come back as lists; NaN and Inf floats round-trip.

    Raises:
        TypeError: ``tensors`` is not a dict of arrays, or ``metadata`` is not JSON data.
        DTypeError: a tensor's dtype cannot be stored.
        ValueError: a tensor is named ``"__metadata__"``.
        OSError: the file cannot be written (see ``atomic_write``); the previous file at
            ``path`` is unchanged.

    Example:
        >>> import numpy as np, pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "last.safetensors"
        >>> save_checkpoint(path, {"weight": np.eye(2, dtype=np.float32)}, {"epoch": 3})
        >>> tensors, metadata = load_checkpoint(path)
        >>> tensors["weight"]
        array([[1., 0.],
               [0., 1.]], dtype=float32)
        >>> metadata
        {'epoch': 3}
    """
    arrays = _prepare_tensors(tensors)
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, Mapping):
        raise TypeError(
            f"save_checkpoint: expected metadata as a dict, but got {type(metadata).__name__}. "
            "Pass e.g. {'epoch': 3}."
        )
    _check_json_value(metadata, "metadata")
    metadata_json = json.dumps(metadata)
    header = {
        _FORMAT_KEY: FORMAT_VERSION,
        _METADATA_KEY: metadata_json,
        _SHA256_KEY: _payload_sha256(metadata_json, arrays),
    }
    _atomic_write(path, safetensors.numpy.save(arrays, metadata=header), where="save_checkpoint")


def load_checkpoint(path, *, on_nonfinite: str = "raise") -> tuple[dict, dict]:
    """Read and verify a checkpoint written by ``save_checkpoint``.

    Args:
        path: the checkpoint file.
        on_nonfinite: what to do when a tensor holds NaN or Inf: ``"raise"`` (default) a
            ``CheckpointError``, ``"warn"`` with a ``RuntimeWarning``, or ``"ignore"``.

    Returns:
        ``(tensors, metadata)``: name -> writable native-endian NumPy array, in sorted name
        order, bit-identical to what was saved; and the metadata dict.

    Raises:
        FileNotFoundError: there is no file at ``path``.
        OSError: the file cannot be read (permission denied, a folder, ...).
        CheckpointError: the file is truncated, corrupt, bloated, not a safetensors file
            (e.g. a pickle), not a glassnet checkpoint, fails its SHA-256 check, or holds
            NaN/Inf with ``on_nonfinite="raise"``. The message names the file.
        ConfigError: ``on_nonfinite`` is not one of the three policies.
    """
    if on_nonfinite not in NONFINITE_POLICIES:
        raise ConfigError(
            f"load_checkpoint: expected on_nonfinite to be one of {NONFINITE_POLICIES}, "
            f"but got {on_nonfinite!r}."
        )
    path = Path(path)
    raw = _read_checkpoint_file(path)
    metadata_strings = _parse_header(raw, path).get("__metadata__")
    tensors = _deserialize(raw, path)
    metadata_json = _glassnet_metadata_json(metadata_strings, path)
    if _payload_sha256(metadata_json, tensors) != metadata_strings[_SHA256_KEY]:
        raise _corrupt(
            path,
            "its SHA-256 differs from the one stored when it was saved, so its bytes changed "
            "since (a bit flip, a partial copy or an edit)",
        )
    metadata = json.loads(metadata_json)
    _check_finite(tensors, path, on_nonfinite)
    return tensors, metadata


# ----- saving ---------------------------------------------------------------------------------


def _prepare_tensors(tensors) -> dict:
    """Validate ``tensors`` and return C-contiguous little-endian copies (or the arrays)."""
    if not isinstance(tensors, Mapping):
        raise TypeError(
            "save_checkpoint: expected tensors as a dict of name -> NumPy array, but got "
            f"{type(tensors).__name__}. Pass e.g. model.state_dict()."
        )
    arrays = {}
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise TypeError(
                f"save_checkpoint: expected string tensor names, but got {name!r} "
                f"({type(name).__name__}). Use names such as '0.weight'."
            )
        if name == "__metadata__":
            raise ValueError(
                "save_checkpoint: the tensor name '__metadata__' is reserved by safetensors. "
                "Rename that tensor."
            )
        if not isinstance(value, (np.ndarray, np.generic)):
            raise TypeError(
                f"save_checkpoint: expected tensor {name!r} to be a NumPy array, but got "
                f"{type(value).__name__}. Pass arrays (a glassnet Tensor's .data)."
            )
        if value.dtype.name not in _SUPPORTED_DTYPES:
            raise DTypeError(
                f"save_checkpoint: expected tensor {name!r} to have one of the dtypes "
                f"{', '.join(_SUPPORTED_DTYPES)}, but got {value.dtype}. Convert it first, "
                "e.g. x.astype(np.float64)."
            )
        # NOTE: safetensors 0.8 writes wrong bytes for a non-contiguous array; np.require
        # (unlike np.ascontiguousarray) keeps a 0-d array 0-d.
        arrays[name] = np.require(value, dtype=value.dtype.newbyteorder("<"), requirements="C")
    return arrays


def _check_json_value(value, where: str) -> None:
    """Raise naming the first part of ``value`` that does not round-trip through JSON."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(
                    f"save_checkpoint: expected string keys in the metadata, but {where} has "
                    f"the key {key!r} ({type(key).__name__}). JSON keys are strings: use "
                    "str(key)."
                )
            _check_json_value(item, f"{where}[{key!r}]")
        return
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_json_value(item, f"{where}[{index}]")
        return
    raise TypeError(
        "save_checkpoint: expected JSON data in the metadata (dict, list, str, int, float, "
        f"bool, None), but {where} is a {type(value).__name__}. Convert it (float(x) for a "
        "NumPy scalar, x.tolist() for a small array) or save arrays as tensors."
    )


def _payload_sha256(metadata_json: str, arrays: Mapping) -> str:
    """The hex SHA-256 of the payload defined in the module docstring."""
    digest = hashlib.sha256()

    def feed(piece) -> None:
        digest.update(memoryview(piece).nbytes.to_bytes(8, "little"))
        digest.update(piece)

    feed(metadata_json.encode("utf-8"))
    for name in sorted(arrays):
        array = arrays[name]
        feed(name.encode("utf-8"))
        feed(array.dtype.name.encode("utf-8"))
        feed(",".join(str(size) for size in array.shape).encode("utf-8"))
        feed(array)
    return digest.hexdigest()


# ----- loading --------------------------------------------------------------------------------


def _read_checkpoint_file(path: Path) -> bytes:
    """The file's bytes, after the cheap checks that need only its first bytes and size."""
    try:
        with open(path, "rb") as stream:
            size = stream.seek(0, 2)
            stream.seek(0)
            prefix = stream.read(8)
            _check_header_length(prefix, size, path)
            header_bytes = stream.read(int.from_bytes(prefix, "little"))
            # Counting a byte string is fast even for 100 MB, parsing its JSON is not.
            if header_bytes.count(b'"data_offsets"') > MAX_TENSORS:
                raise _too_many_tensors(path, header_bytes.count(b'"data_offsets"'))
            stream.seek(0)
            return stream.read()
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            exc.errno,
            f"load_checkpoint: expected a checkpoint file at {path}, but there is none. "
            "Check the path, or list the run folder to see which checkpoints exist.",
        ) from exc
    except OSError as exc:
        raise OSError(
            exc.errno, f"load_checkpoint: could not read the checkpoint {path}: {exc.strerror}."
        ) from exc


def _check_header_length(prefix: bytes, size: int, path: Path) -> None:
    if len(prefix) < 8:
        raise _corrupt(path, f"it is {size} bytes long, too short for a safetensors file")
    header_length = int.from_bytes(prefix, "little")
    if header_length > MAX_HEADER_BYTES:
        raise _corrupt(
            path,
            f"its header length field says {header_length} bytes, more than the "
            f"{MAX_HEADER_BYTES} that safetensors allows{_file_kind_hint(prefix)}",
        )
    if 8 + header_length > size:
        raise _corrupt(
            path,
            f"its header length field says {header_length} bytes but only {size - 8} follow "
            f"(the file is truncated){_file_kind_hint(prefix)}",
        )


def _file_kind_hint(prefix: bytes) -> str:
    if prefix[:1] == b"\x80":  # the PROTO opcode that starts pickle protocols 2 to 5
        return "; it looks like a pickle file (glassnet never unpickles)"
    if prefix[:4] == b"PK\x03\x04":
        return "; it looks like a zip archive such as .npz or a PyTorch .pt file"
    return ""


def _parse_header(raw: bytes, path: Path) -> dict:
    header_length = int.from_bytes(raw[:8], "little")
    if len(raw) < 8 + header_length:  # the file shrank between the two reads
        raise _corrupt(path, "it is shorter than its header length field says")
    try:
        header = json.loads(raw[8 : 8 + header_length])
    except (ValueError, RecursionError) as exc:
        raise _corrupt(path, f"its header is not valid JSON ({exc})") from exc
    if not isinstance(header, dict):
        raise _corrupt(path, f"its header is a JSON {type(header).__name__}, not an object")
    if len(header) - ("__metadata__" in header) > MAX_TENSORS:
        raise _too_many_tensors(path, len(header))
    return header


def _deserialize(raw: bytes, path: Path) -> dict:
    try:
        tensors = safetensors.numpy.load(raw)
    except SafetensorError as exc:
        raise _corrupt(path, f"safetensors rejects it ({exc})") from exc
    except KeyError as exc:  # a dtype safetensors knows but NumPy does not, e.g. BF16
        raise _corrupt(path, f"it holds a tensor of dtype {exc}, which NumPy cannot hold") from exc
    return {name: tensors[name] for name in sorted(tensors)}


def _glassnet_metadata_json(metadata_strings, path: Path) -> str:
    if not isinstance(metadata_strings, dict) or _SHA256_KEY not in metadata_strings:
        raise CheckpointError(
            f"load_checkpoint: expected a glassnet checkpoint at {path}, but it has no "
            "glassnet metadata (a plain safetensors file, e.g. saved by PyTorch?). Read it "
            "with safetensors.numpy.load_file, or write it with save_checkpoint."
        )
    version = metadata_strings.get(_FORMAT_KEY)
    if version != FORMAT_VERSION or _METADATA_KEY not in metadata_strings:
        raise CheckpointError(
            f"load_checkpoint: expected glassnet checkpoint format {FORMAT_VERSION!r} in "
            f"{path}, but got {version!r}. Load it with the glassnet version that wrote it."
        )
    return metadata_strings[_METADATA_KEY]


def _check_finite(tensors: dict, path: Path, on_nonfinite: str) -> None:
    if on_nonfinite == "ignore":
        return
    counts = {}
    for name, array in tensors.items():
        if array.dtype.kind in "fc":
            nonfinite = array.size - np.count_nonzero(np.isfinite(array))
            if nonfinite:
                counts[name] = nonfinite
    if not counts:
        return
    listing = ", ".join(f"{name!r} ({count} of {tensors[name].size})"
                        for name, count in list(counts.items())[:5])
    more = f" and {len(counts) - 5} more" if len(counts) > 5 else ""
    message = (
        f"load_checkpoint: expected finite values in {path}, but {len(counts)} tensor(s) "
        f"hold NaN or Inf: {listing}{more}. The run that wrote it had probably diverged: "
        "resume from an earlier checkpoint, or pass on_nonfinite='warn' or 'ignore' to load "
        "it anyway (e.g. to debug it)."
    )
    if on_nonfinite == "raise":
        raise CheckpointError(message)
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _corrupt(path: Path, detail: str) -> CheckpointError:
    return CheckpointError(f"load_checkpoint: checkpoint {path} is corrupt: {detail}. {_FIX}")


def _too_many_tensors(path: Path, count: int) -> CheckpointError:
    return _corrupt(
        path,
        f"its header declares about {count} tensors, more than the cap of {MAX_TENSORS} "
        "(a bloated header)",
    )
