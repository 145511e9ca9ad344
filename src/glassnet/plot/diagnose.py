"""Figures of the training doctor: the learning-rate range test and the lecture's
activation-distribution experiment. Each function takes data (the results of
``glassnet.diagnose.lr_find`` and ``layer_statistics``), returns a Figure, and saves it
when given a path.

Labels are in English: matplotlib lays out text left to right without joining Persian
letters, so Persian labels would print broken.
"""

import numpy as np

from glassnet.plot.figure import new_figure, save_png

RAW_COLOR = "#b0b0b0"
SMOOTH_COLOR = "#1f77b4"
STEEPEST_COLOR = "#ff7f0e"
MINIMUM_COLOR = "#2ca02c"
# One colour per initialization, the same in every panel and figure.
INIT_COLORS = {"0.01": "#9467bd", "1.0": "#d62728", "xavier": "#1f77b4", "he": "#2ca02c"}


def lr_find_figure(result, path=None):
    """The loss against the learning rate (log scale), smoothed, with both picks marked.

    Args:
        result: an ``LRFindResult`` (or a dict with its fields).
        path: save a PNG there when given.
    """
    data = result if isinstance(result, dict) else result.to_json()
    figure = new_figure(6.4, 4.0)
    axes = figure.subplots()
    axes.plot(data["lrs"], data["losses"], color=RAW_COLOR, linewidth=0.8, label="batch loss")
    axes.plot(data["lrs"], data["smoothed"], color=SMOOTH_COLOR, linewidth=2.0,
              label="smoothed loss")
    axes.set_xscale("log")
    if data.get("steepest_lr"):
        axes.axvline(data["steepest_lr"], color=STEEPEST_COLOR, linestyle="--",
                     label=f"steepest descent: {data['steepest_lr']:.2g}")
    if data.get("suggestion"):
        axes.axvline(data["suggestion"], color=MINIMUM_COLOR, linestyle="-",
                     label=f"minimum / 10 (suggested): {data['suggestion']:.2g}")
    if data["smoothed"]:
        low = min(data["smoothed"])
        start = data["smoothed"][0]
        axes.set_ylim(low - 0.1 * abs(start - low) - 1e-3, max(start * 1.5, low * 1.5))
    title = "Learning-rate range test"
    if data.get("refused"):
        title += ": flat curve, no suggestion"
    axes.set_title(title)
    axes.set_xlabel("learning rate")
    axes.set_ylabel("training loss")
    axes.legend(loc="upper left", fontsize="small")
    axes.grid(True, which="major", alpha=0.3)
    if path is not None:
        save_png(figure, path)
    return figure


def layer_statistics_figure(results: dict, *, title: str = "", path=None):
    """The lecture's picture: one row per initialization, one histogram per layer, each
    panel labelled with the layer's std; and the std per layer of every row on one plot.

    Args:
        results: {init label: layer_statistics(...) list}, e.g. {"0.01": [...], "he": [...]}.
        title: a title for the whole figure.
        path: save a PNG there when given.
    """
    rows = list(results)
    depth = max(len(stats) for stats in results.values())
    figure = new_figure(1.35 * depth + 3.2, 1.25 * len(rows) + 0.9)
    grid = figure.add_gridspec(len(rows), depth + 2)
    for r, label in enumerate(rows):
        color = INIT_COLORS.get(label, SMOOTH_COLOR)
        for c, layer in enumerate(results[label]):
            axes = figure.add_subplot(grid[r, c])
            edges, counts = layer["edges"], layer["counts"]
            widths = np.diff(edges)
            axes.bar(edges[:-1], counts, width=widths, align="edge", color=color)
            axes.set_yticks([])
            axes.tick_params(labelsize=6)
            axes.xaxis.get_offset_text().set_fontsize(6)
            axes.set_title(f"std {layer['std']:.2g}", fontsize=7)
            if c == 0:
                axes.set_ylabel(f"init {label}", fontsize=8)
            if r == len(rows) - 1:
                axes.set_xlabel(f"layer {c + 1}", fontsize=7)
    summary = figure.add_subplot(grid[:, depth:])
    for label in rows:
        stds = [layer["std"] for layer in results[label]]
        summary.plot(range(1, len(stds) + 1), stds, marker="o", markersize=3,
                     color=INIT_COLORS.get(label, SMOOTH_COLOR), label=f"init {label}")
    summary.set_yscale("log")
    summary.set_xlabel("layer")
    summary.set_ylabel("std of the activations")
    summary.legend(fontsize="small")
    summary.grid(True, alpha=0.3)
    if title:
        figure.suptitle(title)
    if path is not None:
        save_png(figure, path)
    return figure
