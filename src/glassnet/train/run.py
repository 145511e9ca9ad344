"""``run(config)``: one complete training run, as ``glassnet train`` does it.

Load the dataset, fit the preprocessing on the training split only, build the named model
and optimizer, train with progress, history, checkpoints and the divergence guard, then
evaluate on the test set. Everything lands in the run folder ``<out>/<name>/``:
config.json, environment.json, status.json, fingerprint.json (hashes of the data, initial
weights and batch order), metrics.jsonl, metrics.csv, curves.png, last.safetensors,
best.safetensors and test_metrics.json. One process writes a run folder at a time, and
status.json says how the run ended (``glassnet.train.run_folder``).
"""

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet import models, optim
from glassnet.atomic_write import atomic_write
from glassnet.data import Standardize, augment, load_dataset, load_preprocessor, train_val_split
from glassnet.errors import ConfigError, ShapeError
from glassnet.nn.loss import CrossEntropyLoss
from glassnet.random import manual_seed
from glassnet.train.callbacks import (
    DivergenceGuard,
    EarlyStopping,
    GradientClipping,
    ReduceLROnPlateau,
)
from glassnet.train.checkpointing import Checkpoint
from glassnet.train.config import TrainConfig
from glassnet.train.curves import CurvesFigure
from glassnet.train.environment import environment
from glassnet.train.fingerprint import Fingerprint
from glassnet.train.history import History
from glassnet.train.interrupt import StopOnSignal
from glassnet.train.model_size import check_model_size
from glassnet.train.progress import Progress
from glassnet.train.run_folder import (
    RunFolder,
    check_resume,
    read_resume_checkpoint,
    recorded_config,
)
from glassnet.train.trainer import Trainer


@dataclass
class RunResult:
    folder: Path
    test_metrics: dict
    history: list
    stop_reason: str
    failed: bool
    signal: int | None = None


@dataclass
class Splits:
    train: tuple
    val: tuple
    test: tuple
    preprocessing: dict
    num_classes: int


def run(config: TrainConfig, *, resume=None, stream=None, callbacks=(), role=None) -> RunResult:
    """Train ``config.model`` on ``config.dataset`` and evaluate it on the test set.

    Args:
        resume: a checkpoint to continue from, or "auto": the run folder's last one if there
            is one (else start afresh).
        stream: where progress goes (default: standard output).
        callbacks: more Trainer callbacks (e.g. diagnostics, pruning reports), called after
            the run's own.
        role: this process's part in a run shared by several processes
            (``glassnet.distributed``), or None for a run of its own. Only a role whose
            ``writes_files`` is true writes the run folder, progress and test metrics; the
            role's ``fit(trainer, train, val, ...)`` trains in place of ``trainer.fit`` and
            stops on signals itself (every process at the same step).

    Raises:
        DatasetError: the dataset is missing or corrupt (no folder is made).
        ConfigError: the model cannot be built or is too large for this machine, or a resume
            changes options it may not (the folder is left untouched; see ``check_resume``).
        RunError: another process is writing the run folder.
        CheckpointError: the checkpoint to resume from is corrupt (a note says whether
            best.safetensors beside it is intact).
        OSError: the run folder cannot be written (the status says failed where it can).
    """
    manual_seed(config.seed)
    # Independent streams for the split, the model (init and dropout) and the batch order,
    # so that resuming one (e.g. the loader mid-epoch) cannot shift another.
    # (Spawning a fourth child leaves the first three unchanged.)
    split_seed, model_seed, loader_seed, augment_seed = np.random.SeedSequence(
        config.seed).spawn(4)
    split_rng, model_rng, loader_rng = (
        np.random.default_rng(seed) for seed in (split_seed, model_seed, loader_seed))
    # The data and the model are made before the run folder, so that a missing dataset or
    # an impossible model (too large, too many pooling blocks) leaves nothing behind.
    data = prepare_data(config, split_rng)
    model = build_model(config, data.train[0].shape[1:], data.num_classes, model_rng)
    augmentation = build_augment(config, data.preprocessing, augment_seed)
    if role is not None and not role.writes_files:  # another process writes the run folder
        return _train(config, data, model, None, loader_rng, augmentation, None, stream,
                      callbacks, role)
    folder = Path(config.out) / config.name if config.name else _new_run_folder(config.out)
    with RunFolder(folder) as run_folder:
        if resume == "auto":  # continue the run in this folder if it has a checkpoint yet
            resume = folder / "last.safetensors" if (folder / "last.safetensors").exists() else None
        resumed = read_resume_checkpoint(resume) if resume is not None else {}
        changed = check_resume(config, recorded_config(resumed)) if resume is not None else {}
        run_folder.start(resumed_from=resume, step=resumed.get("step", 0), changed=changed)
        atomic_write(folder / "config.json", json.dumps(config.to_json(), indent=2) + "\n")
        atomic_write(folder / "environment.json", json.dumps(environment(), indent=2) + "\n")
        result = _train(config, data, model, folder, loader_rng, augmentation, resume, stream,
                        callbacks, role)
        status = ("interrupted" if result.signal is not None
                  else "failed" if result.failed else "finished")
        run_folder.end(status, result.stop_reason or f"{len(result.history)} epochs")
    return result


def _train(config, data, model, folder, loader_rng, augmentation, resume, stream, callbacks,
           role) -> RunResult:
    """Train and test; ``folder`` is None in a process that does not write the run folder."""
    steps_per_epoch = math.ceil(len(data.train[1]) / config.batch_size)
    optimizer = build_optimizer(config, model, steps_per_epoch)
    run_callbacks = [
        Progress(bar=config.progress, stream=stream),
        History(folder),
        Checkpoint(folder, metadata={"config": config.to_json(),
                                     "preprocessing": data.preprocessing}),
        CurvesFigure(folder),
        Fingerprint(folder),
    ] if folder is not None else []
    run_callbacks.append(DivergenceGuard())
    if role is None:  # a role stops on signals itself, every process at the same step
        run_callbacks.append(StopOnSignal())
    if config.clip_norm is not None:
        run_callbacks.append(GradientClipping(max_norm=config.clip_norm))
    if isinstance(optimizer.param_groups[0].lr, optim.schedule.ReduceOnPlateau):
        run_callbacks.append(ReduceLROnPlateau(optimizer.param_groups[0].lr, "val_loss"))
    if config.early_stopping is not None:
        run_callbacks.append(EarlyStopping("val_loss", patience=config.early_stopping))
    for callback in callbacks:  # callbacks that write files (telemetry) get the run folder
        if folder is not None and hasattr(callback, "set_run_folder"):
            callback.set_run_folder(folder)
    loss = CrossEntropyLoss(label_smoothing=config.label_smoothing)
    trainer = Trainer(model, loss, optimizer, callbacks=[*run_callbacks, *callbacks],
                      generator=loader_rng, augment=augmentation)
    if role is None:
        state = trainer.fit(data.train, data.val, epochs=config.epochs,
                            batch_size=config.batch_size, resume=resume)
    else:
        state = role.fit(trainer, data.train, data.val, epochs=config.epochs,
                         batch_size=config.batch_size, resume=resume, folder=folder)
    if state.failed or state.signal is not None or folder is None:
        return RunResult(folder, {}, state.history, state.stop_reason, state.failed,
                         state.signal)
    test_metrics = trainer.evaluate(data.test)
    atomic_write(folder / "test_metrics.json", json.dumps(test_metrics, indent=2) + "\n")
    return RunResult(folder, test_metrics, state.history, state.stop_reason, state.failed)


def _new_run_folder(out) -> Path:
    """runs/20261123-140512, or runs/20261123-140512-2 when that one exists already; created
    here, so that two runs started in the same second never share one."""
    if Path(out).exists() and not Path(out).is_dir():
        raise ConfigError(f"out: {out} is a file, not a folder. Choose another --out.")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder, number = Path(out) / stamp, 1
    while True:
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            number += 1
            folder = Path(out) / f"{stamp}-{number}"


def prepare_data(config: TrainConfig, generator: np.random.Generator) -> Splits:
    """Train/validation/test arrays, standardized with the training split's mean and std."""
    # NOTE: fallback=False: an explicit data_dir is read or is an error, never replaced by
    # another copy of the dataset found elsewhere.
    X, y = load_dataset(config.dataset, split="train", root=config.data_dir,
                        download=config.download, fallback=False)
    X_test, y_test = load_dataset(config.dataset, split="test", root=config.data_dir,
                                  download=config.download, fallback=False)
    if config.train_limit is not None:
        X, y = X[: config.train_limit], y[: config.train_limit]
    (X_train, y_train), (X_val, y_val) = train_val_split(X, y, config.val_fraction,
                                                          generator=generator)
    record = {"scaler": Standardize(per="global").fit(X_train).state_dict(),
              "input_shape": list(_model_input_shape(X.shape[1:])),
              **pixel_record(X_train)}
    return Splits(
        train=(preprocess(X_train, record), y_train),
        val=(preprocess(X_val, record), y_val),
        test=(preprocess(X_test, record), y_test),
        preprocessing=record,
        num_classes=int(max(y.max(), y_test.max())) + 1,
    )


def preprocess(images: np.ndarray, record: dict) -> np.ndarray:
    """Raw images → model inputs, with the preprocessing a run recorded in its checkpoints:
    standardized with the training statistics and shaped (N, channels, height, width).

    Raises:
        ShapeError: the images do not have the recorded input shape's size.
    """
    shape = tuple(record["input_shape"])
    if images.ndim < 1 or images[0].size != math.prod(shape):
        raise ShapeError(
            f"preprocess: expected images of {math.prod(shape)} values (shape {shape}), but "
            f"got images of shape {images.shape[1:]}. Pass images like the training ones."
        )
    scaled = load_preprocessor(record["scaler"]).transform(images)
    return scaled.reshape(-1, *shape)


def pixel_record(images: np.ndarray) -> dict:
    """The dtype and value range of the training images, for checking new images against
    them (``glassnet.data.images.check_pixels``): an integer dtype's whole range, or the
    smallest and largest value of float images.

    Example:
        >>> pixel_record(np.zeros((2, 28, 28), dtype=np.uint8))
        {'input_dtype': 'uint8', 'input_range': [0, 255]}
    """
    if images.dtype.kind in "iu":
        info = np.iinfo(images.dtype)
        low, high = int(info.min), int(info.max)
    else:
        low, high = float(images.min()), float(images.max())
    return {"input_dtype": images.dtype.name, "input_range": [low, high]}


def _model_input_shape(image_shape: tuple) -> tuple:
    """Images as (channels, height, width): grayscale (28, 28) becomes (1, 28, 28)."""
    return (1, *image_shape) if len(image_shape) == 2 else tuple(image_shape)


def build_model(config: TrainConfig, input_shape: tuple, num_classes: int, generator):
    """The named model for inputs of ``input_shape`` (channels, height, width); widths left
    as None in the config take the builder's defaults.

    Raises:
        ConfigError: the model would not fit in this machine's memory (checked first).
    """
    check_model_size(config, input_shape, num_classes)
    channels, size = input_shape[0], input_shape[-1]
    hidden = {"hidden": config.hidden} if config.hidden is not None else {}
    widths = {"channels": config.channels} if config.channels is not None else {}
    common = {"init": config.init, "generator": generator}
    layers = {"activation": config.activation, "dropout": config.dropout,
              "batch_norm": config.batch_norm}
    if config.model == "softmax_regression":
        return models.softmax_regression(int(np.prod(input_shape)), num_classes, **common)
    if config.model == "mlp":
        return models.mlp(int(np.prod(input_shape)), out_features=num_classes, **hidden,
                          **layers, **common)
    if config.model == "resnet":  # He initialization unless another one is asked for
        init = config.init if config.init != "default" else "kaiming_normal"
        return models.resnet(channels, num_classes, **widths, init=init, generator=generator)
    return models.cnn(channels, size, num_classes, **widths, **hidden, **layers, **common)


def build_augment(config: TrainConfig, record: dict, seed: np.random.SeedSequence):
    """The augmentation of ``config.augment`` for inputs preprocessed as ``record`` says, or
    None. Crops shift by up to 1/8 of the image size (4 pixels on CIFAR's 32, as in the
    CS231n lecture); padding and erased areas take the value of a blank (0) pixel."""
    if not config.augment:
        return None
    channels, *size = record["input_shape"]
    raw_shape = tuple(size) if channels == 1 else (channels, *size)
    blank = float(preprocess(np.zeros((1, *raw_shape)), record).flat[0])
    transforms = {
        "crop": lambda: augment.RandomCrop(max(1, size[-1] // 8), fill=blank),
        "flip": augment.HorizontalFlip,
        "erase": lambda: augment.RandomErasing(fill=blank),
    }
    return augment.Augment(*(transforms[name]() for name in config.augment),
                           seed=int(seed.generate_state(1)[0]))


def build_optimizer(config: TrainConfig, model, steps_per_epoch: int):
    """The optimizer of ``config``, with its learning-rate schedule and warm-up."""
    lr = _schedule(config, steps_per_epoch)
    params, decay = model.parameters(), config.weight_decay
    if config.optimizer in ("sgd", "momentum", "nesterov"):
        momentum = 0.0 if config.optimizer == "sgd" else config.momentum
        return optim.SGD(params, lr=lr, momentum=momentum, weight_decay=decay,
                         nesterov=config.optimizer == "nesterov")
    if config.optimizer == "adagrad":
        return optim.Adagrad(params, lr=lr, weight_decay=decay)
    if config.optimizer == "rmsprop":
        return optim.RMSprop(params, lr=lr, weight_decay=decay)
    if config.optimizer == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=decay)
    return optim.Adam(params, lr=lr, weight_decay=decay)


def _schedule(config: TrainConfig, steps_per_epoch: int):
    total = config.epochs * steps_per_epoch
    schedules = optim.schedule
    lr = {
        "constant": lambda: config.lr,
        "step": lambda: schedules.step_decay(config.lr, step_size=max(total // 3, 1)),
        "exponential": lambda: schedules.exponential(config.lr, rate=3.0 / max(total, 1)),
        "inverse_time": lambda: schedules.inverse_time(config.lr, rate=10.0 / max(total, 1)),
        "cosine": lambda: schedules.cosine(config.lr, max(total, 1)),
        "one_cycle": lambda: schedules.one_cycle(config.lr, total_steps=max(total, 1)),
        "plateau": lambda: schedules.ReduceOnPlateau(config.lr, factor=0.5, patience=1),
    }[config.schedule]()
    warmup = round(config.warmup_epochs * steps_per_epoch)
    if warmup > 0 and config.schedule != "plateau":
        lr = schedules.linear_warmup(lr if callable(lr) else schedules.constant(lr), warmup)
    return lr
