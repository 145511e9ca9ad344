"""Checkpoint files: round trips (RELIABILITY D8, D9), bad arguments, and every corrupt or
malicious file of RELIABILITY §D (D1-D3, D5-D7) rejected with a CheckpointError naming it."""

import hashlib
import json
import os
import pickle
import struct
import time
import warnings

import numpy as np
import pytest
import safetensors.numpy
from safetensors import safe_open

from glassnet.errors import CheckpointError, ConfigError, DTypeError
from glassnet.train.checkpoint import MAX_TENSORS, load_checkpoint, save_checkpoint


def _little_endian_bytes(array: np.ndarray) -> bytes:
    """The bytes a bit-identical reload must have: C order, little-endian."""
    return np.require(array, dtype=array.dtype.newbyteorder("<"), requirements="C").tobytes()


def _write_raw(path, header: dict, data: bytes = b"") -> None:
    """A hand-made safetensors file: length, JSON header, data."""
    header_bytes = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(header_bytes)) + header_bytes + data)


@pytest.fixture
def saved(tmp_path):
    """A small valid checkpoint and what was saved into it."""
    path = tmp_path / "last.safetensors"
    tensors = {
        "0.weight": np.arange(12, dtype=np.float32).reshape(3, 4),
        "0.bias": np.array([0.5, -1.5, 2.0], dtype=np.float32),
        "2.num_batches_tracked": np.array(7, dtype=np.int64),
    }
    metadata = {"epoch": 3, "config": {"hidden": [16, 8], "lr": 1e-3}}
    save_checkpoint(path, tensors, metadata)
    return path, tensors, metadata


# ----- round trips -------------------------------------------------------------------------


def test_checkpoint_round_trips_tensors_and_metadata(saved):
    path, tensors, metadata = saved
    loaded, loaded_metadata = load_checkpoint(path)
    assert loaded_metadata == metadata
    assert list(loaded) == sorted(tensors)
    for name, array in tensors.items():
        assert loaded[name].dtype == array.dtype
        np.testing.assert_array_equal(loaded[name], array)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4).T,  # non-contiguous (transposed)
        np.arange(40, dtype=np.float64).reshape(5, 8)[::2, 1::3],  # strided slice
        np.array(3.25, dtype=np.float32),  # 0-d
        np.zeros((0, 3), dtype=np.float32),  # empty
        np.array([1.0, -0.0, np.inf, 65504.0, 6e-8], dtype=np.float16),  # float16 edges
        np.frombuffer(bytes.fromhex("01 7e ff 7f 00 00 c0 ff"), dtype=np.float32),  # NaNs
        np.arange(6, dtype=">f4").reshape(2, 3),  # big-endian
        np.array([True, False, True]),
        np.array([-128, 127], dtype=np.int8),
        np.array([np.iinfo(np.uint64).max, 0], dtype=np.uint64),
        np.array([1 + 2j, -3.5j], dtype=np.complex64),
    ],
    ids=["transposed", "strided", "0-d", "empty", "float16", "nan_payloads", "big_endian",
         "bool", "int8", "uint64", "complex64"],
)
def test_checkpoint_reloads_any_layout_bit_identically(tmp_path, array):
    path = tmp_path / "x.safetensors"
    save_checkpoint(path, {"x": array}, {})
    loaded, _ = load_checkpoint(path, on_nonfinite="ignore")
    assert loaded["x"].shape == array.shape
    assert loaded["x"].dtype == array.dtype.newbyteorder("=")
    assert loaded["x"].tobytes() == _little_endian_bytes(array)


def test_loaded_arrays_are_writable(saved):
    loaded, _ = load_checkpoint(saved[0])
    loaded["0.weight"][0, 0] = 42.0  # an optimizer updates parameters in place
    assert loaded["0.weight"][0, 0] == 42.0


def test_metadata_round_trips_nested_json_with_nonfinite_floats(tmp_path):
    path = tmp_path / "m.safetensors"
    metadata = {
        "history": [{"loss": 2.3}, {"loss": float("nan")}, {"loss": float("inf")}],
        "betas": (0.9, 0.999),
        "name": "réseau ✓",
        "seed_state": 2**100 + 1,
        "flags": {"amsgrad": False, "none": None},
    }
    save_checkpoint(path, {}, metadata)
    _, loaded = load_checkpoint(path)
    assert np.isnan(loaded["history"][1]["loss"])
    assert loaded["history"][2]["loss"] == float("inf")
    assert loaded["betas"] == [0.9, 0.999]  # tuples come back as lists, as documented
    assert loaded["name"] == "réseau ✓"
    assert loaded["seed_state"] == 2**100 + 1
    assert loaded["flags"] == {"amsgrad": False, "none": None}


def test_checkpoint_without_tensors_or_metadata_round_trips(tmp_path):
    path = tmp_path / "empty.safetensors"
    save_checkpoint(path, {})
    assert load_checkpoint(path) == ({}, {})


def test_saving_again_replaces_the_previous_checkpoint(saved):
    path = saved[0]
    save_checkpoint(path, {"w": np.ones(2, np.float32)}, {"epoch": 4})
    tensors, metadata = load_checkpoint(path)
    assert list(tensors) == ["w"] and metadata == {"epoch": 4}
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_saved_file_has_normal_permissions(tmp_path, umask):
    old = os.umask(umask)
    try:
        save_checkpoint(tmp_path / "p.safetensors", {"w": np.zeros(2)}, {})
    finally:
        os.umask(old)
    assert (tmp_path / "p.safetensors").stat().st_mode & 0o777 == 0o666 & ~umask


def test_stored_sha256_follows_the_documented_payload(saved):
    """Re-derive the digest from the module docstring's definition, independently."""
    path, tensors, metadata = saved
    with safe_open(path, framework="np") as handle:
        strings = handle.metadata()
    assert strings["glassnet.format"] == "1"
    assert json.loads(strings["glassnet.metadata"]) == metadata
    pieces = [strings["glassnet.metadata"].encode()]
    for name in sorted(tensors):
        array = tensors[name]
        shape = ",".join(map(str, array.shape))
        pieces += [name.encode(), array.dtype.name.encode(), shape.encode(), array.tobytes()]
    digest = hashlib.sha256(b"".join(len(p).to_bytes(8, "little") + p for p in pieces))
    assert strings["glassnet.sha256"] == digest.hexdigest()


# ----- bad arguments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tensors", "metadata", "error", "match"),
    [
        ([np.zeros(2)], {}, TypeError, "expected tensors as a dict"),
        ({1: np.zeros(2)}, {}, TypeError, "expected string tensor names, but got 1"),
        ({"w": [1.0, 2.0]}, {}, TypeError, "tensor 'w' to be a NumPy array, but got list"),
        ({"w": np.zeros(2, np.complex128)}, {}, DTypeError, "but got complex128"),
        ({"w": np.array(["a"])}, {}, DTypeError, "but got <U1"),
        ({"w": np.array([None])}, {}, DTypeError, "but got object"),
        ({"__metadata__": np.zeros(2)}, {}, ValueError, "'__metadata__' is reserved"),
        ({}, [("epoch", 1)], TypeError, "expected metadata as a dict, but got list"),
        ({}, {"opt": {0: 1}}, TypeError, r"metadata\['opt'\] has the key 0 \(int\)"),
        ({}, {"lr": np.float32(0.1)}, TypeError, r"metadata\['lr'\] is a float32"),
        ({}, {"mean": [np.zeros(3)]}, TypeError, r"metadata\['mean'\]\[0\] is a ndarray"),
    ],
    ids=["tensors_list", "int_name", "list_value", "complex128", "str_array", "object_array",
         "reserved_name", "metadata_list", "int_key", "numpy_scalar", "array_in_metadata"],
)
def test_save_checkpoint_rejects_bad_arguments_and_writes_nothing(
    tmp_path, tensors, metadata, error, match
):
    with pytest.raises(error, match=match):
        save_checkpoint(tmp_path / "bad.safetensors", tensors, metadata)
    assert list(tmp_path.iterdir()) == []


def test_load_checkpoint_rejects_an_unknown_nonfinite_policy(saved):
    with pytest.raises(ConfigError, match=r"on_nonfinite .* but got 'skip'"):
        load_checkpoint(saved[0], on_nonfinite="skip")


def test_load_checkpoint_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"expected a checkpoint file at .*nope\.safe"):
        load_checkpoint(tmp_path / "nope.safetensors")


def test_load_checkpoint_of_a_folder_is_a_clear_oserror(tmp_path):
    with pytest.raises(IsADirectoryError, match="could not read the checkpoint"):
        load_checkpoint(tmp_path)


# ----- D1: truncation ----------------------------------------------------------------------


def test_truncated_checkpoint_is_rejected_at_every_offset(saved):
    path = saved[0]
    full = path.read_bytes()
    header_end = 8 + int.from_bytes(full[:8], "little")
    offsets = [0, 7, 8, 20, header_end - 1, header_end, header_end + 5, len(full) - 1]
    for offset in offsets:
        path.write_bytes(full[:offset])
        with pytest.raises(CheckpointError, match=f"{path.name} is corrupt"):
            load_checkpoint(path)


def test_trailing_bytes_after_the_data_are_rejected(saved):
    path = saved[0]
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(CheckpointError, match="safetensors rejects it"):
        load_checkpoint(path)


# ----- D2: header corruptions --------------------------------------------------------------

_F32_X = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


@pytest.mark.parametrize(
    ("header", "data", "match"),
    [
        ({"x": {**_F32_X, "data_offsets": [0, 16]}}, bytes(8), "safetensors rejects it"),
        ({"x": {**_F32_X, "shape": [3]}}, bytes(8), "safetensors rejects it"),
        ({"x": {**_F32_X, "dtype": "X99"}}, bytes(8), "safetensors rejects it"),
        ({"x": {**_F32_X, "data_offsets": [8, 0]}}, bytes(8), "safetensors rejects it"),
        ({"x": _F32_X, "y": _F32_X}, bytes(8), "safetensors rejects it"),  # overlapping
        ({"x": {**_F32_X, "shape": [-2]}}, bytes(8), "safetensors rejects it"),
        ({"x": {"dtype": "F32"}}, bytes(8), "safetensors rejects it"),
        ({"__metadata__": {"k": 1}}, b"", "safetensors rejects it"),
        ({"x": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, bytes(4), "BF16"),
        ({"x": _F32_X}, bytes(8), "has no glassnet metadata"),
        ({"__metadata__": {"glassnet.sha256": "0", "glassnet.format": "9",
                           "glassnet.metadata": "{}"}}, b"", "format '1' .* but got '9'"),
    ],
    ids=["offset_past_end", "shape_vs_offsets", "unknown_dtype", "reversed_offsets",
         "overlap", "negative_shape", "missing_fields", "metadata_not_str", "bf16",
         "plain_safetensors", "future_format"],
)
def test_corrupt_header_is_a_checkpoint_error_naming_the_file(tmp_path, header, data, match):
    path = tmp_path / "bad.safetensors"
    _write_raw(path, header, data)
    with pytest.raises(CheckpointError, match=match) as info:
        load_checkpoint(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("header_bytes", "match"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"x": "\xff\xfe"}', "not valid JSON"),
        (b"[1, 2]", "is a JSON list, not an object"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),  # too deep for the parser
    ],
    ids=["garbage", "not_utf8", "json_list", "deeply_nested"],
)
def test_unparseable_header_is_a_checkpoint_error(tmp_path, header_bytes, match):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", len(header_bytes)) + header_bytes)
    with pytest.raises(CheckpointError, match=match):
        load_checkpoint(path)


def test_header_length_beyond_the_cap_is_rejected(tmp_path):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(struct.pack("<Q", 10**9) + b"{}")
    with pytest.raises(CheckpointError, match="more than the 100000000 that safetensors"):
        load_checkpoint(path)


# ----- D3: bit flips -------------------------------------------------------------------------


def test_bit_flip_in_tensor_data_is_caught_by_the_sha256(saved):
    path, tensors, _ = saved
    full = path.read_bytes()
    # safetensors alone loads the flipped file without complaint (why glassnet adds a hash)
    flipped = bytearray(full)
    flipped[-3] ^= 0x10
    assert safetensors.numpy.load(bytes(flipped)).keys() == tensors.keys()
    path.write_bytes(bytes(flipped))
    with pytest.raises(CheckpointError, match="SHA-256 differs"):
        load_checkpoint(path)


def test_a_bit_flip_at_any_byte_of_the_file_is_rejected(saved):
    """One flipped bit per byte (the bit rotating with the position), every bit of the
    8-byte length field: header, metadata, hash and data alike."""
    path = saved[0]
    full = path.read_bytes()
    flips = [(position, position % 8) for position in range(8, len(full))]
    flips += [(position, bit) for position in range(8) for bit in range(8)]
    for position, bit in flips:
        flipped = bytearray(full)
        flipped[position] ^= 1 << bit
        path.write_bytes(bytes(flipped))
        with pytest.raises(CheckpointError, match="is corrupt|no glassnet metadata|format"):
            load_checkpoint(path)


def test_edited_metadata_with_the_old_hash_is_rejected(saved):
    path, tensors, _ = saved
    with safe_open(path, framework="np") as handle:
        strings = handle.metadata()
    strings["glassnet.metadata"] = strings["glassnet.metadata"].replace('"epoch": 3', '"epoch": 9')
    path.write_bytes(safetensors.numpy.save(tensors, metadata=strings))
    with pytest.raises(CheckpointError, match="SHA-256 differs"):
        load_checkpoint(path)


# ----- D5: NaN / Inf values ----------------------------------------------------------------


@pytest.fixture
def diverged(tmp_path):
    path = tmp_path / "nan.safetensors"
    weight = np.array([1.0, np.nan, np.inf, 2.0], dtype=np.float32)
    save_checkpoint(path, {"w": weight, "b": np.zeros(2, np.float32), "n": np.arange(3)}, {})
    return path, weight


def test_nonfinite_values_raise_by_default_naming_the_tensor(diverged):
    with pytest.raises(CheckpointError, match=r"1 tensor\(s\) hold NaN or Inf: 'w' \(2 of 4\)"):
        load_checkpoint(diverged[0])


def test_nonfinite_values_warn_and_load_when_asked(diverged):
    path, weight = diverged
    with pytest.warns(RuntimeWarning, match="hold NaN or Inf: 'w'"):
        tensors, _ = load_checkpoint(path, on_nonfinite="warn")
    assert tensors["w"].tobytes() == weight.tobytes()


def test_nonfinite_values_load_silently_when_ignored(diverged):
    path, weight = diverged
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tensors, _ = load_checkpoint(path, on_nonfinite="ignore")
    assert tensors["w"].tobytes() == weight.tobytes()


# ----- D6: header bloat --------------------------------------------------------------------


def _bloated_header_file(path, key: str) -> None:
    """100k zero-size tensor entries: about 6 MB of header, far over the cap."""
    entries = ",".join(f'"t{i}":{{"dtype":"F32","shape":[0],"{key}":[0,0]}}'
                       for i in range(100_000))
    header = ("{" + entries + "}").encode()
    assert MAX_TENSORS < 100_000 and len(header) < 100_000_000
    path.write_bytes(struct.pack("<Q", len(header)) + header)


def test_bloated_header_is_rejected_in_well_under_a_second(tmp_path):
    path = tmp_path / "bloat.safetensors"
    _bloated_header_file(path, "data_offsets")
    start = time.perf_counter()
    with pytest.raises(CheckpointError, match="a bloated header"):
        load_checkpoint(path)
    assert time.perf_counter() - start < 1.0


def test_bloated_header_with_escaped_keys_is_still_rejected(tmp_path):
    """``data\\u005foffsets`` is the same JSON name without the literal bytes the fast
    pre-count looks for; the count after parsing the header catches it (slower, no timing)."""
    path = tmp_path / "bloat.safetensors"
    _bloated_header_file(path, "data\\u005foffsets")
    with pytest.raises(CheckpointError, match="a bloated header"):
        load_checkpoint(path)


# ----- D7: pickles and archives renamed to .safetensors ------------------------------------


class _Canary:
    """Unpickling this creates the marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_pickle_renamed_to_safetensors_is_rejected_without_running_code(tmp_path, protocol):
    marker = tmp_path / "marker"
    payload = pickle.dumps(_Canary(marker), protocol=protocol)
    pickle.loads(payload).close()  # the canary is real: plain unpickling runs code
    assert marker.exists()
    marker.unlink()
    path = tmp_path / "model.safetensors"
    path.write_bytes(payload)
    with pytest.raises(CheckpointError, match="model.safetensors is corrupt"):
        load_checkpoint(path)
    assert not marker.exists()


def test_pickle_is_named_as_such_in_the_error(tmp_path):
    path = tmp_path / "model.safetensors"
    path.write_bytes(pickle.dumps({"w": [1.0]}, protocol=4))
    with pytest.raises(CheckpointError, match="looks like a pickle file"):
        load_checkpoint(path)


def test_npz_with_object_arrays_renamed_to_safetensors_is_rejected(tmp_path):
    marker = tmp_path / "marker"
    archive = tmp_path / "weights.npz"
    np.savez(archive, w=np.array([_Canary(marker)], dtype=object))
    path = tmp_path / "weights.safetensors"
    archive.rename(path)
    with pytest.raises(CheckpointError, match="looks like a zip archive"):
        load_checkpoint(path)
    assert not marker.exists()


# ----- PyTorch interoperability ------------------------------------------------------------


def test_pytorch_state_dict_round_trips_through_a_checkpoint_into_pytorch(tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for this check")
    from safetensors.torch import load_file

    torch.manual_seed(0)

    def make():
        return torch.nn.Sequential(
            torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Flatten(),
            torch.nn.Linear(12, 4),
        )

    source = make()
    source.train()(torch.randn(5, 2, 4, 4))  # move the running statistics off their defaults
    path = tmp_path / "torch.safetensors"
    save_checkpoint(path, {k: v.numpy() for k, v in source.state_dict().items()}, {"arch": "x"})
    target = make()
    target.load_state_dict(load_file(path), strict=True)
    x = torch.randn(2, 2, 4, 4)
    torch.testing.assert_close(target.eval()(x), source.eval()(x), rtol=0, atol=0)


def test_glassnet_state_dict_loads_into_the_same_pytorch_model(tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference for this check")
    from safetensors.torch import load_file

    import glassnet.nn as nn

    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(12, 4))
    state = model.state_dict()
    path = tmp_path / "glassnet.safetensors"
    save_checkpoint(path, state, {})
    reference = torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Flatten(),
        torch.nn.Linear(12, 4),
    )
    reference.load_state_dict(load_file(path), strict=True)
    for name, value in reference.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), state[name])
