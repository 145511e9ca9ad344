"""``glassnet.save`` / ``glassnet.load``: a named model in one safe file, rebuilt without code.

The file is a checkpoint (safetensors tensors + JSON metadata, checksummed; see
``glassnet.train.checkpoint``) holding the model's ``state_dict`` under PyTorch's names and
its architecture record, plus any metadata you add (e.g. the preprocessing state).
``load`` also accepts a training checkpoint (a run's last.safetensors or best.safetensors).
"""

from glassnet import __version__
from glassnet.errors import CheckpointError, GlassnetError
from glassnet.train.checkpoint import load_checkpoint, save_checkpoint
from glassnet.train.resume import model_metadata, model_tensors

KIND = "model"


def save(model, path, *, metadata: dict | None = None) -> None:
    """Write ``model`` (built by ``glassnet.models``) to ``path`` atomically.

    Args:
        metadata: extra JSON-friendly information kept in the file (read back as
            ``model.metadata`` after ``load``).

    Raises:
        CheckpointError: the model has no architecture record (it was not built by
            ``glassnet.models``), so it could not be rebuilt.

    Example:
        >>> import pathlib, tempfile
        >>> import glassnet as gn
        >>> from glassnet import models
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "mlp.safetensors"
        >>> gn.save(models.mlp(4, [8], 3), path)
        >>> gn.load(path).architecture.name
        'mlp'
    """
    record = model_metadata(model)
    if not record:
        raise CheckpointError(
            f"save: {type(model).__name__} has no architecture record, so glassnet.load could "
            "not rebuild it. Build the model with glassnet.models (e.g. models.mlp(...)), or "
            "save model.state_dict() with glassnet.train.checkpoint.save_checkpoint."
        )
    content = {"kind": KIND, "glassnet_version": __version__, **record,
               "metadata": metadata or {}}
    save_checkpoint(path, model.state_dict(), content)


def load(path):
    """Rebuild the model saved at ``path`` (by ``save`` or a training Checkpoint).

    The returned model is in eval mode; ``model.metadata`` holds the saved metadata. Layers
    saved pruned (``glassnet.nn.prune``) come back pruned with their masks, and weight-normalized
    ones (``glassnet.nn.weight_norm``) weight-normalized.

    Raises:
        CheckpointError: the file is corrupt, or it records no architecture.
    """
    from glassnet.models import Architecture, build
    from glassnet.nn.prune import restore as restore_pruning
    from glassnet.nn.weight_normalization import restore as restore_weight_norm

    tensors, content = load_checkpoint(path)
    if "architecture" not in content:
        raise CheckpointError(
            f"load: {path} records no architecture, so the model cannot be rebuilt. Load its "
            "tensors with glassnet.train.checkpoint.load_checkpoint into your own model."
        )
    try:
        architecture = Architecture.from_json(content["architecture"])
        model = build(architecture.name, **architecture.options)
    except (GlassnetError, KeyError, TypeError, ValueError, MemoryError) as error:
        raise CheckpointError(
            f"load: {path} records an architecture glassnet cannot build ({error}). The "
            "metadata was edited or written by another program."
        ) from None
    restore_pruning(model, tensors)  # a pruned model comes back pruned, with its masks
    restore_weight_norm(model, tensors)
    try:
        model.load_state_dict(model_tensors(tensors))
    except ValueError as error:
        raise CheckpointError(f"load: {path} does not match its architecture: {error}") from None
    model.metadata = content.get("metadata", {})
    return model.eval()
