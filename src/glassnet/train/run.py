"""``run(config)``: one complete training run, as ``glassnet train`` does it.

Load the dataset, fit the preprocessing on the training split only, build the named model
and optimizer, train with progress, history, checkpoints and the divergence guard, then
evaluate on the test set. Everything lands in the run folder ``<out>/<name>/``:
config.json, metrics.jsonl, metrics.csv, last.safetensors, best.safetensors and
test_metrics.json.
"""

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet import models, optim
from glassnet.atomic_write import atomic_write
from glassnet.data import Standardize, load_dataset, load_preprocessor, train_val_split
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
from glassnet.train.environment import environment
from glassnet.train.history import History
from glassnet.train.interrupt import StopOnSignal
from glassnet.train.progress import Progress
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
    """
    writes_files = role is None or role.writes_files
    folder = Path(config.out) / config.name if config.name else _new_run_folder(config.out)
    if resume == "auto":  # continue the run in this folder if it has a checkpoint yet
        resume = folder / "last.safetensors" if (folder / "last.safetensors").exists() else None
    if writes_files:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / "config.json", json.dumps(config.to_json(), indent=2) + "\n")
        atomic_write(folder / "environment.json", json.dumps(environment(), indent=2) + "\n")
    manual_seed(config.seed)
    # Independent streams for the split, the model (init and dropout) and the batch order,
    # so that resuming one (e.g. the loader mid-epoch) cannot shift another.
    split_rng, model_rng, loader_rng = (
        np.random.default_rng(seed) for seed in np.random.SeedSequence(config.seed).spawn(3)
    )
    data = prepare_data(config, split_rng)
    model = build_model(config, data.train[0].shape[1:], data.num_classes, model_rng)
    steps_per_epoch = math.ceil(len(data.train[1]) / config.batch_size)
    optimizer = build_optimizer(config, model, steps_per_epoch)
    run_callbacks = [
        Progress(bar=config.progress, stream=stream),
        History(folder),
        Checkpoint(folder, metadata={"config": config.to_json(),
                                     "preprocessing": data.preprocessing}),
    ] if writes_files else []
    run_callbacks.append(DivergenceGuard())
    if role is None:  # a role stops on signals itself, every process at the same step
        run_callbacks.append(StopOnSignal())
    if config.clip_norm is not None:
        run_callbacks.append(GradientClipping(max_norm=config.clip_norm))
    if isinstance(optimizer.param_groups[0].lr, optim.schedule.ReduceOnPlateau):
        run_callbacks.append(ReduceLROnPlateau(optimizer.param_groups[0].lr, "val_loss"))
    if config.early_stopping is not None:
        run_callbacks.append(EarlyStopping("val_loss", patience=config.early_stopping))
    trainer = Trainer(model, CrossEntropyLoss(), optimizer,
                      callbacks=[*run_callbacks, *callbacks],
                      generator=loader_rng)
    if role is None:
        state = trainer.fit(data.train, data.val, epochs=config.epochs,
                            batch_size=config.batch_size, resume=resume)
    else:
        state = role.fit(trainer, data.train, data.val, epochs=config.epochs,
                         batch_size=config.batch_size, resume=resume, folder=folder)
    if state.failed or state.signal is not None or not writes_files:
        return RunResult(folder, {}, state.history, state.stop_reason, state.failed,
                         state.signal)
    test_metrics = trainer.evaluate(data.test)
    atomic_write(folder / "test_metrics.json", json.dumps(test_metrics, indent=2) + "\n")
    return RunResult(folder, test_metrics, state.history, state.stop_reason, state.failed)


def _new_run_folder(out) -> Path:
    """runs/20261123-140512, or runs/20261123-140512-2 when that one exists already."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder, number = Path(out) / stamp, 1
    while folder.exists():
        number += 1
        folder = Path(out) / f"{stamp}-{number}"
    return folder


def prepare_data(config: TrainConfig, generator: np.random.Generator) -> Splits:
    """Train/validation/test arrays, standardized with the training split's mean and std."""
    X, y = load_dataset(config.dataset, split="train", root=config.data_dir,
                        download=config.download)
    X_test, y_test = load_dataset(config.dataset, split="test", root=config.data_dir,
                                  download=config.download)
    if config.train_limit is not None:
        X, y = X[: config.train_limit], y[: config.train_limit]
    (X_train, y_train), (X_val, y_val) = train_val_split(X, y, config.val_fraction,
                                                          generator=generator)
    record = {"scaler": Standardize(per="global").fit(X_train).state_dict(),
              "input_shape": list(_model_input_shape(X.shape[1:]))}
    return Splits(
        train=(preprocess(X_train, record), y_train),
        val=(preprocess(X_val, record), y_val),
        test=(preprocess(X_test, record), y_test),
        preprocessing=record,
        num_classes=int(max(y.max(), y_test.max())) + 1,
    )


def preprocess(images: np.ndarray, record: dict) -> np.ndarray:
    """Raw images → model inputs, with the preprocessing a run recorded in its checkpoints:
    standardized with the training statistics and shaped (N, channels, height, width)."""
    scaled = load_preprocessor(record["scaler"]).transform(images)
    return scaled.reshape(-1, *record["input_shape"])


def _model_input_shape(image_shape: tuple) -> tuple:
    """Images as (channels, height, width): grayscale (28, 28) becomes (1, 28, 28)."""
    return (1, *image_shape) if len(image_shape) == 2 else tuple(image_shape)


def build_model(config: TrainConfig, input_shape: tuple, num_classes: int, generator):
    """The named model for inputs of ``input_shape`` (channels, height, width); widths left
    as None in the config take the builder's defaults."""
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
