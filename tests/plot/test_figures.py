"""glassnet.plot: what each figure draws (read back from the Figure's artists), its errors,
and Persian labels rendered right to left."""

import io
import warnings

import numpy as np
import pytest
from scipy.special import erf

from glassnet.errors import ConfigError, ShapeError
from glassnet.plot.activations import ACTIVATIONS, activation_and_derivative, activation_grid
from glassnet.plot.curves import RunCurves, training_curves
from glassnet.plot.figure import new_figure, set_language, variant_colors
from glassnet.plot.images import (
    confusion_matrix,
    confusion_matrix_figure,
    conv_filters,
    image_grid,
    linear_templates,
    misclassified_examples,
)
from glassnet.plot.results import metric_by_variant


def _epochs(count, accuracy=0.5):
    return [{"epoch": e, "step": 10 * e, "loss": 1.0 / e, "train_accuracy": accuracy + 0.05 * e,
             "val_loss": 1.1 / e, "val_accuracy": accuracy + 0.04 * e, "lr": 1e-3}
            for e in range(1, count + 1)]


def _steps(count, start=2.3, lr=1e-3):
    return [{"step": s, "epoch": (s - 1) // 10 + 1, "loss": start / s ** 0.5, "lr": lr}
            for s in range(1, count + 1)]


def test_training_curves_place_steps_in_epochs_and_label_three_panels():
    figure = training_curves([RunCurves("relu", _epochs(3), _steps(30))])
    loss, accuracy, lr = figure.axes[:3]
    assert [a.get_ylabel() for a in (loss, accuracy, lr)] == ["loss", "accuracy", "learning rate"]
    step_line = loss.lines[0]  # the smoothed step loss, x in epochs: step / steps_per_epoch
    assert step_line.get_xdata()[-1] == pytest.approx(3.0)
    assert step_line.get_xdata()[0] == pytest.approx(0.1)
    val_line = accuracy.lines[1]
    np.testing.assert_allclose(val_line.get_ydata(), [0.54, 0.58, 0.62])


def test_training_curves_draw_the_mean_and_a_min_max_band_over_seeds():
    runs = [RunCurves("relu", _epochs(2, accuracy)) for accuracy in (0.5, 0.6, 0.7)]
    runs.append(RunCurves("tanh", _epochs(2, 0.3)))
    figure = training_curves(runs)
    accuracy = figure.axes[1]
    relu_val = accuracy.lines[1]
    np.testing.assert_allclose(relu_val.get_ydata(), [0.64, 0.68])  # mean of 0.54, 0.64, 0.74
    bands = accuracy.collections  # one band per curve of a variant with several seeds
    assert len(bands) == 2  # relu's train and val accuracy; tanh has one seed, no band
    edges = bands[1].get_paths()[0].vertices[:, 1]  # min over seeds at epoch 1 .. max at 2
    assert edges.min() == pytest.approx(0.54) and edges.max() == pytest.approx(0.78)
    colors = {line.get_color() for line in accuracy.lines}
    assert colors == set(variant_colors(["relu", "tanh"]).values())


def test_training_curves_mark_a_diverged_run_and_keep_the_others_readable():
    exploding = [{"step": s, "loss": 2.3 * 10 ** s, "lr": 1.0} for s in range(1, 8)]
    exploding.append({"step": 8, "loss": None, "lr": 1.0})  # NaN, written as null
    runs = [RunCurves("lr=0.001", _epochs(3), _steps(30)),
            RunCurves("lr=1", [], exploding, steps_per_epoch=10, diverged=True)]
    loss = training_curves(runs).axes[0]
    crosses = [line for line in loss.lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and crosses[0].get_xdata()[0] == pytest.approx(0.7)
    first_loss = 23.0
    assert loss.get_ylim()[1] < 3.5 * first_loss  # cut near 3x the first loss, not at 2.3e7


def test_the_loss_goes_on_a_log_scale_only_when_it_spans_more_than_five_times():
    falling = [{"step": s, "loss": 2.3 / s} for s in range(1, 31)]  # 2.3 down to 0.077
    flat = [{"step": s, "loss": 1.0 + 0.01 * s} for s in range(1, 31)]
    assert training_curves([RunCurves("a", steps=falling)]).axes[0].get_yscale() == "log"
    linear = training_curves([RunCurves("a", steps=flat)]).axes[0]
    assert linear.get_yscale() == "linear" and linear.get_ylim()[0] == 0


def test_training_curves_reject_an_empty_list():
    with pytest.raises(ConfigError, match="RunCurves"):
        training_curves([])


def test_training_curves_use_a_log_scale_only_for_rates_spanning_decades():
    same = training_curves([RunCurves("a", _epochs(2), _steps(20))]).axes[2]
    spread = training_curves([RunCurves("a", _epochs(2), _steps(20, lr=1e-1)),
                              RunCurves("b", _epochs(2), _steps(20, lr=1e-4))]).axes[2]
    assert same.get_yscale() == "linear" and spread.get_yscale() == "log"


def _reference_derivative(name, x):
    s = 1 / (1 + np.exp(-x))
    return {
        "sigmoid": s * (1 - s),
        "tanh": 1 - np.tanh(x) ** 2,
        "relu": (x > 0).astype(float),
        "leaky_relu": np.where(x > 0, 1.0, 0.01),
        "elu": np.where(x > 0, 1.0, np.exp(x)),
        "softplus": s,
        "gelu": 0.5 * (1 + erf(x / np.sqrt(2))) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi),
    }[name]


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivative_comes_from_backward_and_matches_the_formula(name):
    x = np.linspace(-4, 4, 81)
    x = x[np.abs(x) > 1e-9]  # the kink of relu/leaky relu/elu at 0 is a convention
    _, slope = activation_and_derivative(name, x)
    np.testing.assert_allclose(slope, _reference_derivative(name, x), rtol=1e-7, atol=1e-12)


def test_sigmoid_derivative_peaks_at_a_quarter_at_zero():
    x = np.linspace(-5, 5, 401)
    _, slope = activation_and_derivative("sigmoid", x)
    assert x[slope.argmax()] == 0.0 and slope.max() == pytest.approx(0.25)


def test_activation_grid_draws_each_function_and_its_backward_derivative():
    x = np.linspace(-3, 3, 61)
    figure = activation_grid(["tanh", "relu", "elu"], x=x, columns=2)
    visible = [axes for axes in figure.axes if axes.get_visible()]
    assert [axes.get_title() for axes in visible] == ["tanh", "relu", "elu"]
    function, derivative = [line for line in visible[0].lines if len(line.get_xdata()) == 61]
    np.testing.assert_allclose(function.get_ydata(), np.tanh(x))
    np.testing.assert_allclose(derivative.get_ydata(), activation_and_derivative("tanh", x)[1])


def test_activation_errors_name_the_valid_choices_and_shapes():
    with pytest.raises(ConfigError, match="sigmoid"):
        activation_and_derivative("swish", np.zeros(3))
    with pytest.raises(ShapeError, match="1-D"):
        activation_and_derivative("relu", np.zeros((2, 2)))


def test_image_grid_accepts_nchw_nhwc_and_grayscale_and_rescales_each_image():
    rng = np.random.default_rng(0)
    for images, shape in ((rng.random((3, 1, 5, 6)), (5, 6)), (rng.random((3, 3, 5, 6)), (5, 6, 3)),
                          (rng.random((3, 5, 6, 3)), (5, 6, 3)), (rng.random((3, 5, 6)), (5, 6))):
        figure = image_grid(images * 50 - 7, titles=["a", "b", "c"])
        pictures = [a.images[0].get_array() for a in figure.axes if a.images]
        assert len(pictures) == 3 and pictures[0].shape == shape
        assert pictures[0].min() == pytest.approx(0) and pictures[0].max() == pytest.approx(1)


def test_image_grid_rejects_bad_shapes_and_title_counts():
    with pytest.raises(ShapeError, match=r"\(N, H, W\)"):
        image_grid(np.zeros((3, 784)))
    with pytest.raises(ShapeError, match="one title per image"):
        image_grid(np.zeros((3, 4, 4)), titles=["a"])
    with pytest.raises(ShapeError, match="at least one"):
        image_grid(np.zeros((0, 4, 4)))


def test_linear_templates_show_a_trained_classifiers_rows_of_w():
    from glassnet.classic import LinearClassifier

    rng = np.random.default_rng(0)
    labels = np.arange(60) % 2
    images = rng.normal(size=(60, 4, 4)).astype(np.float32)
    images[labels == 1, :2, :] += 2.0  # class 1 is bright at the top
    model = LinearClassifier("softmax", lr=0.1, epochs=20).fit(images, labels)
    figure = linear_templates(model.templates(), class_names=["dark", "top"])
    shown = {a.get_title(): a.images[0].get_array() for a in figure.axes if a.images}
    assert set(shown) == {"dark", "top"}
    assert shown["top"][:2].mean() > shown["top"][2:].mean()  # the template learned the top


def test_conv_filters_accept_gray_and_rgb_first_layers_only():
    assert len([a for a in conv_filters(np.ones((6, 1, 3, 3))).axes if a.images]) == 6
    assert conv_filters(np.ones((2, 3, 5, 5))).axes[0].images[0].get_array().shape == (5, 5, 3)
    with pytest.raises(ShapeError, match="first-layer"):
        conv_filters(np.ones((4, 16, 3, 3)))


def test_misclassified_examples_show_only_the_wrong_predictions_with_their_labels():
    images = np.arange(5 * 4 * 4, dtype=float).reshape(5, 4, 4)
    true, predicted = np.array([0, 1, 2, 1, 0]), np.array([0, 2, 2, 0, 0])
    figure = misclassified_examples(images, true, predicted, class_names=["cat", "car", "frog"])
    assert [a.get_title() for a in figure.axes if a.images] == ["car → frog", "car → cat"]
    fa = misclassified_examples(images, true, predicted, class_names=["cat", "car", "frog"],
                                lang="fa")
    assert "درست: car" in next(a.get_title() for a in fa.axes if a.images)


def test_confusion_matrix_counts_and_figure_cells():
    true, predicted = np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2])
    matrix = confusion_matrix(true, predicted)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert matrix.sum(axis=1).tolist() == [2, 1, 3]  # rows: the true classes
    axes = confusion_matrix_figure(true, predicted, class_names=["a", "b", "c"]).axes[0]
    assert sorted(t.get_text() for t in axes.texts) == sorted(str(v) for v in matrix.ravel())
    with pytest.raises(ShapeError, match="integer"):
        confusion_matrix(np.array([0.5]), np.array([1.0]))


def test_metric_by_variant_leaves_out_missing_seeds_and_says_how_many_are_shown():
    figure = metric_by_variant({"relu": [0.8, 0.9], "lr=1": [None, None], "tanh": [0.7, None]},
                               metric="test accuracy")
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["relu", "lr=1 (0/2)", "tanh (1/2)"]
    assert axes.containers[0].lines[0].get_xdata()[0] == pytest.approx(0.85)  # relu's mean


def _ink_columns(png: bytes) -> np.ndarray:
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png))[..., :3].mean(axis=2)
    return (pixels < 0.5).any(axis=0)


def _render(label: str, lang: str) -> bytes:
    figure = new_figure(6, 1)
    figure.text(0.02, 0.5, label, fontsize=28, va="center")
    set_language(figure, lang)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def test_persian_labels_render_right_to_left_in_vazirmatn_without_missing_glyphs():
    # A long Persian word, a space, then one Latin letter. Read right to left the Latin
    # letter comes first, so it must be drawn at the *left* end, before the gap.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would fail here
        ink = _ink_columns(_render("بیش‌برازش x", "fa"))
    columns = np.flatnonzero(ink)
    gaps = np.flatnonzero(np.diff(columns) > 8)  # the space between the two words
    assert len(gaps) >= 1
    gap_at = columns[gaps[0]]
    assert gap_at - columns[0] < (columns[-1] - columns[0]) / 3  # the short word is on the left
    figure = new_figure()
    figure.suptitle("دقت")
    set_language(figure, "fa")
    assert figure.texts[0].get_fontfamily()[0] == "Vazirmatn"
