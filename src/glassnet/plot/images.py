"""Images in grids: linear-classifier templates, first-layer filters, misclassified
examples, and the confusion matrix.

Images may come as (N, H, W) grayscale, (N, 1, H, W) or (N, 3, H, W) — glassnet's NCHW
layout, which wins when both readings fit, e.g. (N, 3, 3, 3) filters — or (N, H, W, 3).
Each image is rescaled to [0, 1] on its own for display (a template or a filter has no
natural pixel range), unless ``rescale=False`` for pixels that already are in [0, 1] or
0–255.

Example:
    >>> import numpy as np
    >>> true, predicted = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])
    >>> confusion_matrix(true, predicted, 3)
    array([[1, 0, 0],
           [0, 1, 1],
           [0, 0, 1]])
"""

import math

import numpy as np

from glassnet.errors import ShapeError
from glassnet.i18n import text
from glassnet.plot.figure import new_figure, save_png, set_language
from glassnet.plot.messages import MESSAGES


def image_grid(images, *, titles=None, columns: int | None = None, title: str | None = None,
               rescale: bool = True, lang: str = "en", path=None):
    """Draw ``images`` in a grid, each with an optional title.

    Args:
        images: (N, H, W), (N, 1|3, H, W) or (N, H, W, 3) array, N ≥ 1.
        titles: N strings shown above the images.
        columns: images per row (default: about √N, at most 10).
        title: a title over the grid.
        rescale: stretch each image to [0, 1]; else uint8 is read as 0–255 and floats as 0–1.
        lang: "en" or "fa" for the texts.
        path: when given, the figure is also saved there as a PNG.

    Returns:
        The matplotlib Figure.

    Raises:
        ShapeError: an unsupported shape, no images, or a titles count that does not match.
    """
    pictures = _as_pictures(images, "image_grid", rescale)
    if titles is not None and len(titles) != len(pictures):
        raise ShapeError(
            f"image_grid: expected one title per image ({len(pictures)}), but got "
            f"{len(titles)} titles."
        )
    columns = columns or min(10, math.ceil(math.sqrt(len(pictures))))
    rows = math.ceil(len(pictures) / columns)
    title_lines = max((str(t).count("\n") + 1 for t in titles), default=0) if titles else 0
    figure = new_figure(1.25 * columns + 0.4,
                        (1.2 + 0.15 * title_lines) * rows + (0.5 if title else 0.2))
    grid = figure.subplots(rows, columns, squeeze=False).ravel()
    for index, axes in enumerate(grid):
        axes.set_axis_off()
        if index >= len(pictures):
            continue
        picture = pictures[index]
        axes.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=1,
                    interpolation="nearest")
        if titles is not None:
            axes.set_title(str(titles[index]), fontsize=8)
    if title:
        figure.suptitle(title)
    set_language(figure, lang)
    if path is not None:
        save_png(figure, path)
    return figure


def linear_templates(templates, *, class_names=None, lang: str = "en", path=None):
    """The rows of a linear classifier's W as images (``LinearClassifier.templates()``).

    Args:
        templates: (C, H, W), (C, 1|3, H, W) or (C, H, W, 3), one template per class.
        class_names: C names (default: the class numbers).
    """
    names = _class_names(class_names, len(templates), "linear_templates")
    return image_grid(templates, titles=names, columns=min(len(names), 10),
                      title=text(MESSAGES, "templates_title", lang), lang=lang, path=path)


def conv_filters(weight, *, columns: int | None = None, lang: str = "en", path=None):
    """First-layer convolution filters as images.

    Args:
        weight: the first Conv2d's weight, (K, C, kh, kw) with C = 1 (grayscale) or 3 (RGB).
    """
    weight = np.asarray(getattr(weight, "data", weight))
    if weight.ndim != 4 or weight.shape[1] not in (1, 3):
        raise ShapeError(
            f"conv_filters: expected a first-layer weight (K, 1 or 3, kh, kw), but got shape "
            f"{weight.shape}. Pass model's first Conv2d's .weight (inputs with 1 or 3 channels)."
        )
    return image_grid(weight, titles=[str(k) for k in range(len(weight))],
                      columns=columns or min(8, len(weight)),
                      title=text(MESSAGES, "filters_title", lang), lang=lang, path=path)


def misclassified_examples(images, true, predicted, *, class_names=None, limit: int = 24,
                           rescale: bool = True, lang: str = "en", path=None):
    """A grid of the first ``limit`` examples whose prediction is wrong, titled
    "true → predicted".

    Args:
        images: the examples, as for ``image_grid``.
        true, predicted: (N,) integer labels.
        class_names: names for the label numbers (default: the numbers).
    """
    true, predicted = _labels(true, predicted, "misclassified_examples")
    if len(images) != len(true):
        raise ShapeError(
            f"misclassified_examples: expected one image per label ({len(true)}), but got "
            f"{len(images)} images."
        )
    wrong = np.flatnonzero(true != predicted)[:limit]
    heading = text(MESSAGES, "misclassified_title", lang)
    if wrong.size == 0:
        figure = new_figure(4, 1.2)
        figure.text(0.5, 0.5, text(MESSAGES, "no_mistakes", lang), ha="center", va="center")
        figure.suptitle(heading)
        set_language(figure, lang)
        if path is not None:
            save_png(figure, path)
        return figure
    count = int(max(true.max(), predicted.max())) + 1
    names = _class_names(class_names, max(count, len(class_names or ())), "misclassified_examples")
    titles = [text(MESSAGES, "true_predicted", lang, true=names[true[i]],
                   predicted=names[predicted[i]]) for i in wrong]
    return image_grid(np.asarray(images)[wrong], titles=titles, title=heading,
                      rescale=rescale, lang=lang, path=path)


def confusion_matrix(true, predicted, num_classes: int | None = None) -> np.ndarray:
    """Counts ``M[i, j]`` of examples of true class i predicted as class j."""
    true, predicted = _labels(true, predicted, "confusion_matrix")
    count = num_classes or (int(max(true.max(initial=-1), predicted.max(initial=-1))) + 1)
    matrix = np.zeros((count, count), dtype=np.int64)
    np.add.at(matrix, (true, predicted), 1)
    return matrix


def confusion_matrix_figure(true, predicted, *, class_names=None, lang: str = "en",
                            path=None):
    """The confusion matrix as a heat map with the count in every cell; rows are the true
    classes, columns the predicted ones, so the diagonal holds the correct predictions."""
    true, predicted = _labels(true, predicted, "confusion_matrix_figure")
    count = max(int(max(true.max(initial=-1), predicted.max(initial=-1))) + 1,
                len(class_names or ()))
    matrix = confusion_matrix(true, predicted, count)
    names = _class_names(class_names, count, "confusion_matrix_figure")
    size = 1.2 + 0.55 * count
    figure = new_figure(size + 1.2, size)
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=axes, shrink=0.8)
    axes.set_xticks(range(count), names, rotation=45, ha="right")
    axes.set_yticks(range(count), names)
    axes.set_xlabel(text(MESSAGES, "predicted_class", lang))
    axes.set_ylabel(text(MESSAGES, "true_class", lang))
    threshold = matrix.max() / 2 if matrix.size else 0
    for i in range(count):
        for j in range(count):
            axes.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=8,
                      color="white" if matrix[i, j] > threshold else "black")
    axes.set_title(text(MESSAGES, "confusion_title", lang))
    set_language(figure, lang)
    if path is not None:
        save_png(figure, path)
    return figure


def _as_pictures(images, where: str, rescale: bool) -> list:
    """Images as a list of (H, W) or (H, W, 3) float arrays in [0, 1]."""
    images = np.asarray(getattr(images, "data", images))
    if images.ndim == 4 and images.shape[1] in (1, 3):  # glassnet's NCHW → NHWC
        images = images.transpose(0, 2, 3, 1)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] != 3):
        raise ShapeError(
            f"{where}: expected images (N, H, W), (N, 1|3, H, W) or (N, H, W, 3), but got "
            f"shape {images.shape}. Reshape flat rows first, e.g. X.reshape(-1, 28, 28)."
        )
    if len(images) == 0:
        raise ShapeError(f"{where}: expected at least one image, but got none.")
    pictures = []
    for image in images.astype(np.float64):
        if rescale:
            low, span = image.min(), image.max() - image.min()
            image = (image - low) / span if span > 0 else np.zeros_like(image)
        elif images.dtype == np.uint8:
            image = image / 255.0
        pictures.append(np.clip(image, 0.0, 1.0))
    return pictures


def _labels(true, predicted, where: str):
    true, predicted = np.asarray(true), np.asarray(predicted)
    if true.shape != predicted.shape or true.ndim != 1:
        raise ShapeError(
            f"{where}: expected true and predicted labels as two (N,) arrays, but got shapes "
            f"{true.shape} and {predicted.shape}."
        )
    if true.size and (true.dtype.kind not in "iu" or predicted.dtype.kind not in "iu"
                      or min(true.min(), predicted.min()) < 0):
        raise ShapeError(
            f"{where}: expected non-negative integer labels, but got dtypes {true.dtype} and "
            f"{predicted.dtype}. Pass class numbers, e.g. scores.argmax(axis=1)."
        )
    return true.astype(np.int64), predicted.astype(np.int64)


def _class_names(class_names, count: int, where: str) -> list:
    if class_names is None:
        return [str(k) for k in range(count)]
    if len(class_names) < count:
        raise ShapeError(
            f"{where}: expected {count} class names, but got {len(class_names)}."
        )
    return [str(name) for name in class_names]
