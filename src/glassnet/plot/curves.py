"""Training curves: loss, accuracy and learning rate against the epoch, for one run or many.

Three panels share the x axis (epochs; steps are placed at step / steps_per_epoch, so the
per-step loss lines up with the epoch records):

- loss: the training loss of every step, smoothed (dashed), and the validation loss at the
  end of each epoch (solid, with markers); on a log scale when it spans more than 5×;
- accuracy: training (dashed) and validation (solid, markers) accuracy per epoch;
- learning rate: per step when the steps recorded it, else per epoch (a log scale when the
  rates span more than a factor of 10).

Runs with the same ``label`` are seeds of one variant: they share a colour, the line is their
mean and a band shows the spread (minimum to maximum over the seeds). A run that diverged
ends with a cross at its last finite loss. Loss values far above 3× the first loss (a
diverging run's last steps) are cut off at the top so that the other curves stay readable.

Example:
    >>> epochs = [{"epoch": e, "loss": 1 / e, "train_accuracy": 0.5 + 0.1 * e,
    ...            "val_loss": 1.2 / e, "val_accuracy": 0.45 + 0.1 * e, "lr": 1e-3}
    ...           for e in (1, 2, 3)]
    >>> figure = training_curves([RunCurves("relu", epochs)])
    >>> [axes.get_ylabel() for axes in figure.axes]
    ['loss', 'accuracy', 'learning rate']
"""

import math
from dataclasses import dataclass, field

import numpy as np

from glassnet.errors import ConfigError
from glassnet.i18n import text
from glassnet.plot.figure import new_figure, save_png, set_language, variant_colors
from glassnet.plot.messages import MESSAGES

# The view of the loss panel stops a little above this many times the first loss: the
# divergence guard's threshold (SPEC §8: stop a run whose loss exceeds 3x its initial value).
_LOSS_VIEW_FACTOR = 3.2
# Losses spanning more than this factor are drawn on a log scale.
_LOSS_LOG_SPAN = 5.0


@dataclass
class RunCurves:
    """The records of one run, as ``training_curves`` draws them.

    Attributes:
        label: the variant; runs with the same label are drawn as one line with a band.
        epochs: one dict per epoch, as in a run's metrics.jsonl or ``TrainState.history``:
            "epoch" (1, 2, ...), "loss", "train_accuracy", "val_loss", "val_accuracy", "lr";
            a missing or None value is left out.
        steps: one dict per optimizer step: "step" (1, 2, ...), "loss", optionally "lr".
        steps_per_epoch: steps in one epoch; None: taken from the epoch records' "step"
            (the step count at each epoch's end), else from the step records' "epoch".
        diverged: the run stopped because its loss blew up (drawn with a cross at the end).
    """

    label: str
    epochs: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    steps_per_epoch: int | None = None
    diverged: bool = False


def training_curves(runs, *, colors: dict | None = None, title: str | None = None,
                    lang: str = "en", path=None):
    """Draw ``runs`` (RunCurves) as loss, accuracy and learning-rate panels.

    Args:
        runs: one RunCurves per run; runs sharing a label are seeds of one variant.
        colors: label → colour (default: ``variant_colors`` of the labels in order).
        title: a title over the panels.
        lang: "en" or "fa" for the labels.
        path: when given, the figure is also saved there as a PNG.

    Returns:
        The matplotlib Figure.

    Raises:
        ConfigError: ``runs`` is empty or holds something other than RunCurves.
    """
    runs = list(runs)
    if not runs or not all(isinstance(run, RunCurves) for run in runs):
        raise ConfigError(
            "training_curves: expected a non-empty list of RunCurves, but got "
            f"{[type(run).__name__ for run in runs] or 'nothing'}. Build one RunCurves per run."
        )
    groups = {}
    for run in runs:
        groups.setdefault(run.label, []).append(run)
    colors = {**variant_colors(groups), **(colors or {})}
    figure = new_figure(12, 4.2)
    loss_axes, accuracy_axes, lr_axes = figure.subplots(1, 3)
    loss_top, rates = 0.0, []
    for label, members in groups.items():
        color = colors[label]
        loss_top = max(loss_top, _draw_loss(loss_axes, members, color))
        _draw_epoch_metric(accuracy_axes, members, "train_accuracy", color, "--")
        _draw_epoch_metric(accuracy_axes, members, "val_accuracy", color, "-", marker="o")
        rates.extend(_draw_lr(lr_axes, members, color))
    if loss_top > 0:
        _set_loss_view(loss_axes, loss_top)
    rates = np.array([rate for rate in rates if rate > 0])
    if rates.size and rates.max() > 10 * rates.min():  # rates spanning decades: log scale
        lr_axes.set_yscale("log")
    _label_axes(loss_axes, accuracy_axes, lr_axes, lang)
    _add_legend(figure, groups, colors, lang)
    if title:
        figure.suptitle(title)
    set_language(figure, lang)
    if path is not None:
        save_png(figure, path)
    return figure


def _draw_loss(axes, members, color) -> float:
    """The smoothed step loss (dashed) and the validation loss (solid); returns the top of
    the view this variant needs."""
    step_series = [_step_loss(run) for run in members if run.steps]
    first_losses = [y[np.isfinite(y)][0] for _, y in step_series if np.isfinite(y).any()]
    top = 0.0
    if step_series:
        x, mean, low, high = _aggregate(step_series)
        axes.plot(x, mean, color=color, linestyle="--", linewidth=1.2)
        if len(step_series) > 1:
            axes.fill_between(x, low, high, color=color, alpha=0.15, linewidth=0)
        finite = high[np.isfinite(high)]
        top = float(finite.max()) if finite.size else 0.0
    val_top = _draw_epoch_metric(axes, members, "val_loss", color, "-", marker="o")
    top = max(top, val_top)
    if first_losses:  # never let one exploding run squash every other curve
        top = min(top, _LOSS_VIEW_FACTOR * max(first_losses))
    for run, (x, y) in zip([r for r in members if r.steps], step_series):
        if run.diverged and np.isfinite(y).any():
            last = np.flatnonzero(np.isfinite(y))[-1]
            axes.plot(x[last], min(y[last], top or y[last]), marker="x", color=color,
                      markersize=9, markeredgewidth=2, linestyle="none")
    return 1.05 * top


def _set_loss_view(axes, top: float) -> None:
    """Linear from 0 to ``top``; a log scale (ticks at 1, 2, 5 × 10^k) when the losses span
    more than ``_LOSS_LOG_SPAN``×, so that the late epochs, where variants differ, are not
    squashed under the first steps' loss."""
    values = np.concatenate([np.asarray(line.get_ydata(), dtype=float) for line in axes.lines])
    values = values[np.isfinite(values) & (values > 0)]
    low = float(values.min()) if values.size else 0.0
    if low <= 0 or top / low <= _LOSS_LOG_SPAN:
        axes.set_ylim(0, top)
        return
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axes.set_yscale("log")
    axes.set_ylim(low / 1.15, top)
    axes.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axes.yaxis.set_minor_formatter(NullFormatter())


def _draw_epoch_metric(axes, members, key, color, linestyle, marker=None) -> float:
    series = [_epoch_series(run, key) for run in members]
    series = [(x, y) for x, y in series if len(x)]
    if not series:
        return 0.0
    x, mean, low, high = _aggregate(series)
    axes.plot(x, mean, color=color, linestyle=linestyle, marker=marker, markersize=4,
              linewidth=1.6 if linestyle == "-" else 1.2)
    if len(series) > 1:
        axes.fill_between(x, low, high, color=color, alpha=0.15, linewidth=0)
    finite = high[np.isfinite(high)]
    return float(finite.max()) if finite.size else 0.0


def _draw_lr(axes, members, color) -> list:
    run = members[0]  # the schedule is the same for every seed of a variant
    if run.steps and any(_number(s.get("lr")) is not None for s in run.steps):
        spe = _steps_per_epoch(run)
        x = np.array([s["step"] / spe for s in run.steps], dtype=float)
        y = np.array([_number(s.get("lr")) or math.nan for s in run.steps], dtype=float)
    else:
        x, y = _epoch_series(run, "lr")
    if len(x):
        axes.plot(x, y, color=color, linewidth=1.6)
    return [float(v) for v in y if math.isfinite(v)]


def _step_loss(run: RunCurves):
    """(x in epochs, smoothed loss) of the run's steps; NaN from the first non-finite loss."""
    spe = _steps_per_epoch(run)
    x = np.array([s["step"] / spe for s in run.steps], dtype=float)
    y = np.array([_number(s.get("loss")) for s in run.steps], dtype=float)
    return x, _smooth(y, span=max(1, spe // 5))


def _smooth(values: np.ndarray, span: int) -> np.ndarray:
    """Exponential moving average with weight 2/(span+1) and bias correction (so the start
    is not pulled towards 0); everything from the first non-finite value on is NaN."""
    out = np.full(len(values), np.nan)
    alpha, average, weight = 2.0 / (span + 1), 0.0, 0.0
    for i, value in enumerate(values):
        if not math.isfinite(value):
            break
        average = (1 - alpha) * average + alpha * value
        weight = (1 - alpha) * weight + alpha
        out[i] = average / weight
    return out


def _epoch_series(run: RunCurves, key: str):
    points = [(r["epoch"], _number(r.get(key))) for r in run.epochs if "epoch" in r]
    points = [(x, y) for x, y in points if y is not None]
    return (np.array([p[0] for p in points], dtype=float),
            np.array([p[1] for p in points], dtype=float))


def _steps_per_epoch(run: RunCurves) -> int:
    if run.steps_per_epoch:
        return run.steps_per_epoch
    ends = [r["step"] for r in run.epochs if isinstance(r.get("step"), int)]
    if ends:
        return max(ends[0], 1)
    first_epoch = [s for s in run.steps if s.get("epoch") == 1]
    return max(len(first_epoch), 1)


def _aggregate(series):
    """Align (x, y) series by position; return x, mean, min and max over the finite values."""
    length = max(len(y) for _, y in series)
    x = next(x for x, y in series if len(y) == length)
    values = np.full((len(series), length), np.nan)
    for row, (_, y) in enumerate(series):
        values[row, : len(y)] = y
    finite = np.isfinite(values)
    count = finite.sum(axis=0)
    mean = np.where(finite, values, 0.0).sum(axis=0) / np.maximum(count, 1)
    low = np.where(finite, values, np.inf).min(axis=0)
    high = np.where(finite, values, -np.inf).max(axis=0)
    empty = count == 0
    mean[empty], low[empty], high[empty] = np.nan, np.nan, np.nan
    return x, mean, low, high


def _number(value):
    """A finite float, or None for a missing, None, NaN or infinite value."""
    if value is None or isinstance(value, bool):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _label_axes(loss_axes, accuracy_axes, lr_axes, lang) -> None:
    for axes, key in ((loss_axes, "loss"), (accuracy_axes, "accuracy"),
                      (lr_axes, "learning_rate")):
        axes.set_ylabel(text(MESSAGES, key, lang))
        axes.set_xlabel(text(MESSAGES, "epoch", lang))
        axes.grid(True, alpha=0.3)


def _add_legend(figure, groups, colors, lang) -> None:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colors[label], linewidth=2.5, label=str(label))
               for label in groups] if len(groups) > 1 else []  # one variant: no key needed
    handles += [
        Line2D([], [], color="0.3", linestyle="-", marker="o", markersize=4,
               label=text(MESSAGES, "validation", lang)),
        Line2D([], [], color="0.3", linestyle="--", label=text(MESSAGES, "train", lang)),
    ]
    seeds = max(len(members) for members in groups.values())
    if seeds > 1:
        handles.append(Line2D([], [], color="0.6", linewidth=8, alpha=0.4,
                              label=text(MESSAGES, "band_spread", lang, count=seeds)))
    if any(run.diverged for members in groups.values() for run in members):
        handles.append(Line2D([], [], color="0.3", marker="x", linestyle="none",
                              markeredgewidth=2, label=text(MESSAGES, "diverged", lang)))
    rows = math.ceil(len(handles) / 8)  # at most 8 a row, rows filled evenly
    figure.legend(handles=handles, loc="outside lower center",
                  ncols=math.ceil(len(handles) / rows), frameon=False)
