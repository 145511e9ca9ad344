"""Finding a run's checkpoint and reading what it recorded, for the commands that use one."""

from dataclasses import dataclass
from pathlib import Path


@dataclass
class TrainedModel:
    """A model loaded from a checkpoint written by ``glassnet train``, with its records."""

    model: object
    path: Path
    preprocessing: dict  # scaler state, input_shape, input_dtype, input_range
    config: dict  # the run's options (dataset, data_dir, ...)


def checkpoint_path(run_or_checkpoint: str) -> Path:
    """A checkpoint file itself, or a run folder's best (else last) checkpoint.

    Raises:
        FileNotFoundError: naming what was looked for.
    """
    path = Path(run_or_checkpoint)
    if path.is_dir():
        for name in ("best.safetensors", "last.safetensors"):
            if (path / name).is_file():
                return path / name
        raise FileNotFoundError(
            f"{path} is a folder without best.safetensors or last.safetensors. Pass a run "
            "folder written by glassnet train, or a checkpoint file."
        )
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such checkpoint file or run folder.")
    return path


def load_trained_model(run_or_checkpoint: str) -> TrainedModel:
    """The model of a run folder or checkpoint, with its preprocessing and options checked,
    so that a checkpoint whose metadata was edited fails here with a clear message.

    Raises:
        FileNotFoundError: no such checkpoint or run folder.
        CheckpointError: the file is corrupt, or it records no usable dataset or
            preprocessing (it was not written by glassnet train, or was edited).
    """
    from glassnet.data import load_preprocessor
    from glassnet.errors import CheckpointError, GlassnetError
    from glassnet.serialization import load
    from glassnet.train.config import DATASETS

    path = checkpoint_path(run_or_checkpoint)
    model = load(path)
    record = model.metadata.get("preprocessing")
    config = model.metadata.get("config")
    if not isinstance(record, dict) or not isinstance(config, dict):
        raise CheckpointError(
            f"{path} records no dataset or preprocessing: it was not written by glassnet "
            "train. Pass a run folder or one of its checkpoints."
        )
    problem = _preprocessing_problem(record)
    if problem is None and config.get("dataset") not in DATASETS:
        problem = f"dataset {config.get('dataset')!r} is not one of {list(DATASETS)}"
    if problem is None:
        try:
            load_preprocessor(record["scaler"])
        except (GlassnetError, KeyError, TypeError, ValueError) as error:
            problem = f"its scaler state cannot be rebuilt ({error})"
    if problem is not None:
        raise CheckpointError(
            f"{path}: the recorded preprocessing or options are damaged: {problem}. The "
            "metadata was edited or written by another program; use a checkpoint written by "
            "glassnet train."
        )
    return TrainedModel(model, path, record, config)


def _preprocessing_problem(record: dict) -> str | None:
    shape = record.get("input_shape")
    if not (isinstance(shape, list) and 1 <= len(shape) <= 3
            and all(type(size) is int and size >= 1 for size in shape)):
        return f"input_shape {shape!r} is not a list of one to three positive sizes"
    if "input_dtype" in record or "input_range" in record:
        low_high = record.get("input_range")
        if not (record.get("input_dtype") in ("uint8", "uint16", "int16", "int32", "int64",
                                              "float16", "float32", "float64")
                and isinstance(low_high, list) and len(low_high) == 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                        for v in low_high)
                and low_high[0] <= low_high[1]):
            return (f"input_dtype {record.get('input_dtype')!r} and input_range "
                    f"{low_high!r} are not a dtype and a (low, high) pair")
    if not isinstance(record.get("scaler"), dict):
        return "it has no scaler state"
    return None
