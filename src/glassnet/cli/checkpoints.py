"""Finding a run's checkpoint and reading what it recorded, for the commands that use one."""

from pathlib import Path


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
