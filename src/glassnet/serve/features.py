"""Learned features: one layer's activations for every training image, computed once, cached.

The image-search page compares images by what a trained network "sees": the output of one
of its layers, flattened into a vector. By default that is the layer just before the
classifier (the last ``Linear``), whose activations the classifier separates linearly, so
images of one class lie close together there. ``--layer`` picks any other layer by the
name ``glassnet summary`` prints (``"3"``, or ``"5.0.body.1"`` inside a residual block).

Computing the features of 60,000 images takes a full pass of the model, so they are saved
once per (checkpoint, layer) in the run folder, ``features/<layer>-<hash>.safetensors``,
where ``<hash>`` begins the SHA-256 of the checkpoint file. A retrained or edited model has
another hash and never reads stale features; the file also records the SHA-256 of the
training images, so a changed dataset is noticed too. The file is a glassnet checkpoint
(checksummed, written atomically): a damaged cache is computed again, never trusted.
"""

import hashlib
import sys
from pathlib import Path

import numpy as np

from glassnet.autograd.grad_mode import no_grad
from glassnet.creation import as_tensor
from glassnet.errors import CheckpointError, ConfigError
from glassnet.nn.dropout import Dropout
from glassnet.nn.linear import Linear
from glassnet.tensor import Tensor
from glassnet.train.checkpoint import load_checkpoint, save_checkpoint

# Refuse layers whose features for the whole training set would not fit comfortably in
# memory: the first convolution of the reference CNN gives 32×28×28 = 25,088 values per
# image, 6 GB for Fashion-MNIST's 60,000 images.
MAX_FEATURE_BYTES = 2**30
BATCH_SIZE = 500
CACHE_FOLDER = "features"
CACHE_KIND = "glassnet.serve.features"


def leaf_layers(model, input_shape) -> list[tuple[str, tuple]]:
    """``(name, output shape)`` of every layer without sublayers, in the order they run.

    One forward pass on a zero image (eval mode, no graph) with a hook on each layer, as
    ``glassnet.nn.summary`` does; shapes exclude the batch axis.

    Example:
        >>> from glassnet import models
        >>> leaf_layers(models.mlp(4, [8], 3), (4,))
        [('0', (4,)), ('1', (8,)), ('2', (8,)), ('3', (3,))]
    """
    calls, handles = [], []
    for name, module in model.named_modules():
        if name and not any(True for _ in module.children()):
            hook = _call_recorder(calls, name)
            handles.append(module.register_forward_hook(hook))
    try:
        _forward(model, np.zeros((1, *input_shape), dtype=np.float32))
    finally:
        for handle in handles:
            handle.remove()
    return calls


def default_layer(model, input_shape) -> str:
    """The name of the layer whose output feeds the classifier (the last ``Linear`` to run).

    Dropout layers just before the classifier are skipped (in eval mode they pass their
    input through), so the name is that of the activation the classifier reads.

    Raises:
        ConfigError: the model has no ``Linear`` layer after another layer.

    Example:
        >>> from glassnet import models
        >>> default_layer(models.mlp(784, [256, 128], 10, dropout=0.5), (1, 28, 28))
        '5'
    """
    modules = dict(model.named_modules())
    names = [name for name, _ in leaf_layers(model, input_shape)]
    linear = [i for i, name in enumerate(names) if isinstance(modules[name], Linear)]
    position = linear[-1] - 1 if linear else -1
    while position >= 0 and isinstance(modules[names[position]], Dropout):
        position -= 1
    if position < 0:
        raise ConfigError(
            "serve: expected a model whose classifier (its last Linear layer) follows another "
            f"layer, but got the layers {names}. Choose the feature layer with --layer."
        )
    return names[position]


def feature_size(model, input_shape, layer: str) -> int:
    """How many values ``layer`` outputs per image (its output, flattened).

    Raises:
        ConfigError: no layer has that name (the message lists them), or its output is not
            one array.
    """
    shapes = dict(leaf_layers(model, input_shape))
    modules = dict(model.named_modules())
    if layer not in modules or layer == "":
        raise ConfigError(
            f"serve: expected --layer to name a layer of the model, but got {layer!r}. "
            f"Layers, in order: {', '.join(shapes)} (glassnet summary shows them)."
        )
    if layer not in shapes:  # a container: run once more with a hook on it
        shapes[layer] = _output_shape(model, modules[layer], input_shape)
    shape = shapes[layer]
    if not all(isinstance(n, int) for n in shape):
        raise ConfigError(
            f"serve: expected layer {layer!r} to output one array, but it outputs {shape}. "
            "Choose another layer with --layer."
        )
    return int(np.prod(shape))


def extract_features(model, images: np.ndarray, layer: str, *, prepare=None,
                     batch_size: int = BATCH_SIZE, stream=None) -> np.ndarray:
    """``layer``'s output for every image, flattened: (N, D) float32.

    Args:
        model: the trained model, in eval mode.
        images: the images, as the model takes them or as ``prepare`` takes them.
        layer: the layer's name (see ``leaf_layers``).
        prepare: applied to each batch of ``images`` before the model (e.g. the run's
            preprocessing), so the whole prepared set never sits in memory at once.
        batch_size: images per forward pass.
        stream: where the progress bar goes (default: standard error), shown only when it
            is a terminal.

    Raises:
        ConfigError: unknown layer, or its features for all images would exceed
            ``MAX_FEATURE_BYTES``.
    """
    prepare = prepare if prepare is not None else (lambda batch: batch)
    stream = stream if stream is not None else sys.stderr
    size = feature_size(model, prepare(images[:1]).shape[1:], layer)
    count = len(images)
    if count * size * 4 > MAX_FEATURE_BYTES:
        raise ConfigError(
            f"serve: expected features that fit in {MAX_FEATURE_BYTES / 2**30:.0f} GiB, but "
            f"layer {layer!r} gives {size:,} values per image, {count * size * 4 / 2**30:.1f} "
            f"GiB for {count:,} images. Choose a layer nearer the classifier with --layer."
        )
    features = np.empty((count, size), dtype=np.float32)
    from tqdm import tqdm

    bar = tqdm(total=count, unit="image", file=stream, disable=not _is_terminal(stream),
               desc=f"features of layer {layer}", leave=False, dynamic_ncols=True)
    module = dict(model.named_modules())[layer]
    for start in range(0, count, batch_size):
        rows = slice(start, start + batch_size)
        batch = prepare(images[rows])
        features[rows] = _outputs_of(model, module, batch).reshape(len(batch), size)
        bar.update(len(batch))
    bar.close()
    return features


def embed(model, inputs: np.ndarray, layer: str) -> tuple[np.ndarray, np.ndarray]:
    """The model's outputs (class scores) and ``layer``'s flattened output, in one pass."""
    module = dict(model.named_modules())[layer]
    captured = []
    handle = module.register_forward_hook(lambda _m, _i, output: captured.append(output.data))
    try:
        scores = _forward(model, inputs)
    finally:
        handle.remove()
    return scores, captured[-1].reshape(len(inputs), -1).astype(np.float32, copy=False)


def cached_features(folder, checkpoint, layer: str, images: np.ndarray, compute,
                    *, stream=None) -> tuple[np.ndarray, Path, bool]:
    """Features for ``images`` from the cache in ``folder``, else ``compute()`` and save them.

    Args:
        folder: the run folder; the cache goes to its ``features/`` subfolder.
        checkpoint: the checkpoint file the features come from (its SHA-256 is the key).
        layer: the layer's name (part of the key).
        images: the raw training images the features are of (their SHA-256 is checked).
        compute: a function of no arguments returning the (N, D) features.
        stream: where a note about an unusable or unwritable cache goes (standard error).

    Returns:
        ``(features, cache path, whether they came from the cache)``. When the cache cannot
        be written (a read-only folder), the features are still returned, with a note.
    """
    stream = stream if stream is not None else sys.stderr
    checkpoint_sha = file_sha256(checkpoint)
    key = {"kind": CACHE_KIND, "checkpoint_sha256": checkpoint_sha, "layer": layer,
           "images_sha256": hashlib.sha256(np.ascontiguousarray(images)).hexdigest(),
           "count": len(images)}
    path = Path(folder) / CACHE_FOLDER / f"{layer}-{checkpoint_sha[:16]}.safetensors"
    if path.is_file():
        try:
            tensors, metadata = load_checkpoint(path)
            if metadata == key and tensors["features"].shape[0] == len(images):
                return tensors["features"], path, True
            print(f"glassnet serve: {path} was made for other images; computing them again.",
                  file=stream)
        except (CheckpointError, KeyError) as error:
            print(f"glassnet serve: ignoring the damaged feature cache ({error}).", file=stream)
    features = compute()
    try:
        path.parent.mkdir(exist_ok=True)
        save_checkpoint(path, {"features": features}, key)
    except OSError as error:
        print(f"glassnet serve: could not cache the features ({error}); they will be "
              "computed again next time.", file=stream)
    return features, path, False


def file_sha256(path) -> str:
    """The hex SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(2**20):
            digest.update(block)
    return digest.hexdigest()


# ----- internals ----------------------------------------------------------------------------


def _forward(model, inputs: np.ndarray) -> np.ndarray:
    with no_grad():
        return model(as_tensor(np.ascontiguousarray(inputs, dtype=np.float32))).data


def _outputs_of(model, module, inputs: np.ndarray) -> np.ndarray:
    captured = []
    handle = module.register_forward_hook(lambda _m, _i, output: captured.append(output))
    try:
        _forward(model, inputs)
    finally:
        handle.remove()
    if not isinstance(captured[-1], Tensor):
        raise ConfigError(
            f"serve: expected the feature layer to output one array, but it gave "
            f"{type(captured[-1]).__name__}. Choose another layer with --layer."
        )
    return captured[-1].data


def _output_shape(model, module, input_shape) -> tuple:
    output = _outputs_of(model, module, np.zeros((1, *input_shape), dtype=np.float32))
    return tuple(output.shape[1:])


def _call_recorder(calls: list, name: str):
    def hook(_module, _inputs, output):
        shape = tuple(output.shape[1:]) if isinstance(output, Tensor) else (type(output).__name__,)
        calls.append((name, shape))

    return hook


def _is_terminal(stream) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())
