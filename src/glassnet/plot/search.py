"""Figures of a hyperparameter search, from its leaderboard rows (``experiments.leaderboard``):

- ``metric_against_params``: the validation accuracy against each searched parameter, log
  axes for log-space parameters; complete trials filled (one colour per round), pruned ones
  hollow at the last accuracy they reached, diverged ones as red crosses along the bottom;
- ``params_scatter``: the first two parameters against each other, coloured by accuracy —
  where in the space the good trials are;
- ``search_history``: each trial's accuracy in the order they ran, and the best so far.
"""

import math

import numpy as np

from glassnet.i18n import text
from glassnet.plot.figure import new_figure, set_language
from glassnet.plot.messages import MESSAGES

ROUND_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown")
DIVERGED_COLOUR = "tab:red"
PRUNED_COLOUR = "0.55"


def metric_against_params(rows: list[dict], space, *, lang: str = "en"):
    """One panel per parameter of ``space`` (the round-0 space: its ranges hold every round's
    values)."""
    figure = new_figure(4.0 * len(space), 3.4)
    axes = np.atleast_1d(figure.subplots(1, len(space), sharey=True))
    floor = _floor(rows)
    for axis, param in zip(axes, space):
        for row in rows:
            x = _position(param, row["params"].get(param.name))
            if x is None:
                continue
            if row["state"] == "complete":
                axis.scatter(x, row["val_accuracy"], s=28, zorder=3,
                             color=ROUND_COLOURS[row["round"] % len(ROUND_COLOURS)])
            elif row["state"] == "pruned":
                axis.scatter(x, row["val_accuracy"], s=28, zorder=2, facecolors="none",
                             edgecolors=PRUNED_COLOUR)
            elif row["state"] == "diverged":
                axis.scatter(x, floor, s=36, marker="x", color=DIVERGED_COLOUR, zorder=2)
        _style_axis(axis, param)
        axis.set_xlabel(param.name)
    axes[0].set_ylabel(text(MESSAGES, "validation_accuracy", lang))
    _legend(axes[-1], rows, lang)
    return set_language(figure, lang)


def params_scatter(rows: list[dict], space, *, lang: str = "en"):
    """The first two parameters of ``space`` against each other, coloured by validation
    accuracy."""
    x_param, y_param = space[0], space[1]
    figure = new_figure(5.6, 4.4)
    axis = figure.subplots()
    complete = [row for row in rows if row["state"] == "complete"]
    points = [(_position(x_param, row["params"].get(x_param.name)),
               _position(y_param, row["params"].get(y_param.name)), row["val_accuracy"])
              for row in complete]
    points = [point for point in points if None not in point[:2]]
    if points:
        xs, ys, values = zip(*points)
        dots = axis.scatter(xs, ys, c=values, cmap="viridis", s=40, zorder=3)
        figure.colorbar(dots, ax=axis, label=text(MESSAGES, "validation_accuracy", lang))
    for row in rows:
        if row["state"] in ("pruned", "diverged"):
            x = _position(x_param, row["params"].get(x_param.name))
            y = _position(y_param, row["params"].get(y_param.name))
            if x is not None and y is not None:
                pruned = row["state"] == "pruned"
                axis.scatter(x, y, s=36, zorder=2, marker="o" if pruned else "x",
                             facecolors="none" if pruned else DIVERGED_COLOUR,
                             edgecolors=PRUNED_COLOUR if pruned else None)
    _style_axis(axis, x_param)
    _style_axis(axis, y_param, y=True)
    axis.set_xlabel(x_param.name)
    axis.set_ylabel(y_param.name)
    return set_language(figure, lang)


def search_history(rows: list[dict], *, lang: str = "en"):
    """Accuracy per trial in the order of rounds and trial numbers, with the best so far."""
    ordered = sorted(rows, key=lambda row: (row["round"], row["trial"]))
    figure = new_figure(6.4, 3.6)
    axis = figure.subplots()
    best, best_so_far = -math.inf, []
    for index, row in enumerate(ordered):
        if row["state"] == "complete":
            axis.scatter(index, row["val_accuracy"], s=24, zorder=3,
                         color=ROUND_COLOURS[row["round"] % len(ROUND_COLOURS)])
            best = max(best, row["val_accuracy"])
        elif row["state"] == "pruned":
            axis.scatter(index, row["val_accuracy"], s=24, facecolors="none",
                         edgecolors=PRUNED_COLOUR)
        elif row["state"] == "diverged":
            axis.scatter(index, _floor(rows), s=30, marker="x", color=DIVERGED_COLOUR)
        best_so_far.append(best if math.isfinite(best) else np.nan)
    axis.step(range(len(ordered)), best_so_far, where="post", color="black", linewidth=1.2)
    for index in range(1, len(ordered)):
        if ordered[index]["round"] != ordered[index - 1]["round"]:
            axis.axvline(index - 0.5, color="0.7", linestyle="--", linewidth=1)
    axis.set_xlabel(text(MESSAGES, "trial_order", lang))
    axis.set_ylabel(text(MESSAGES, "validation_accuracy", lang))
    _legend(axis, rows, lang, best_so_far=True)
    return set_language(figure, lang)


def _position(param, value):
    """Where ``value`` of ``param`` goes on its axis: the number, or a choice's index."""
    if value is None:
        return None
    if param.kind == "choice":
        return param.choices.index(value) if value in param.choices else None
    return float(value)


def _style_axis(axis, param, *, y: bool = False) -> None:
    set_scale, set_ticks, set_labels, set_limits = (
        (axis.set_yscale, axis.set_yticks, axis.set_yticklabels, axis.set_ylim) if y else
        (axis.set_xscale, axis.set_xticks, axis.set_xticklabels, axis.set_xlim))
    if param.kind == "choice":
        set_ticks(range(len(param.choices)))
        set_labels(param.choices)
        set_limits(-0.5, len(param.choices) - 0.5)
    elif param.log:
        set_scale("log")
    axis.grid(True, alpha=0.3)


def _floor(rows: list[dict]) -> float:
    """The height at which diverged trials are drawn: just below every reached accuracy."""
    reached = [row["val_accuracy"] for row in rows if np.isfinite(row["val_accuracy"])]
    return (min(reached) - 0.02) if reached else 0.0


def _legend(axis, rows: list[dict], lang: str, *, best_so_far: bool = False) -> None:
    from matplotlib.lines import Line2D

    rounds = sorted({row["round"] for row in rows if row["state"] == "complete"})
    handles = [Line2D([], [], marker="o", linestyle="", color=ROUND_COLOURS[r % 5],
                      label=text(MESSAGES, "round_n", lang, round=r) if len(rounds) > 1
                      else text(MESSAGES, "complete", lang)) for r in rounds]
    if any(row["state"] == "pruned" for row in rows):
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="none",
                              markeredgecolor=PRUNED_COLOUR, label=text(MESSAGES, "pruned", lang)))
    if any(row["state"] == "diverged" for row in rows):
        handles.append(Line2D([], [], marker="x", linestyle="", color=DIVERGED_COLOUR,
                              label=text(MESSAGES, "diverged", lang)))
    if best_so_far:
        handles.append(Line2D([], [], color="black", label=text(MESSAGES, "best_so_far", lang)))
    if handles:
        axis.legend(handles=handles, fontsize="small", loc="best")
