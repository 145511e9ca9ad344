"""LinearClassifier: learns blobs well above chance, one SGD step is the formula,
reproducible under a seed, templates as images, and clear errors."""

import numpy as np
import pytest

from glassnet.classic import LinearClassifier, softmax_loss, svm_loss
from glassnet.data import blobs
from glassnet.errors import ConfigError, NotFittedError, ShapeError


def blob_split(seed=0):
    X, y = blobs(200, 4, n_features=5, spread=1.5, generator=np.random.default_rng(seed))
    order = np.random.default_rng(seed + 1).permutation(len(X))
    train, test = order[:400], order[400:]
    return X[train], y[train], X[test], y[test]


@pytest.mark.parametrize("loss", ["svm", "softmax"])
def test_linear_classifier_beats_chance_clearly_on_held_out_blobs(loss):
    X_train, y_train, X_test, y_test = blob_split()
    model = LinearClassifier(
        loss, lr=0.05, reg=1e-3, epochs=30, batch_size=32, generator=np.random.default_rng(0)
    )
    model.fit(X_train, y_train)
    assert model.score(X_test, y_test) > 0.9  # chance is 0.25
    assert np.mean(model.loss_history[-20:]) < 0.5 * model.loss_history[0]


@pytest.mark.parametrize(("loss", "loss_fn"), [("svm", svm_loss), ("softmax", softmax_loss)])
def test_one_full_batch_step_moves_w_against_the_analytic_gradient(loss, loss_fn):
    X, y, _, _ = blob_split()
    model = LinearClassifier(loss, lr=0.1, reg=0.01, epochs=1, batch_size=len(X),
                             init_scale=0.01, generator=np.random.default_rng(3))
    model.fit(X, y)
    initial = (0.01 * np.random.default_rng(3).standard_normal((4, 5))).astype(np.float32)
    loss_value, grad_W, grad_b = loss_fn(initial, np.zeros(4, np.float32), X, y, reg=0.01)
    np.testing.assert_allclose(model.weight, initial - 0.1 * grad_W, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.bias, -0.1 * grad_b, rtol=1e-5, atol=1e-7)
    assert model.loss_history == [pytest.approx(loss_value, rel=1e-5)]


def test_training_is_reproducible_under_a_seed_and_differs_across_seeds():
    X, y, _, _ = blob_split()

    def weights(seed):
        model = LinearClassifier(epochs=2, generator=np.random.default_rng(seed))
        return model.fit(X, y).weight

    np.testing.assert_array_equal(weights(7), weights(7))
    assert not np.array_equal(weights(7), weights(8))


def test_parameters_are_float32_with_pytorch_layout_and_predict_is_argmax_of_scores():
    X, y, X_test, _ = blob_split()
    model = LinearClassifier(epochs=1).fit(X.astype(np.float64), y)
    assert model.weight.shape == (4, 5) and model.bias.shape == (4,)
    assert model.weight.dtype == np.float32
    scores = model.decision_function(X_test)
    np.testing.assert_allclose(scores, X_test @ model.weight.T + model.bias, rtol=1e-6)
    np.testing.assert_array_equal(model.predict(X_test), scores.argmax(axis=1))


def test_templates_are_the_weight_rows_shaped_like_the_training_images():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(60, 4, 3), dtype=np.uint8)
    labels = np.arange(60) % 3
    model = LinearClassifier(epochs=1, generator=rng).fit(images, labels)
    templates = model.templates()
    assert templates.shape == (3, 4, 3)
    np.testing.assert_array_equal(templates[1].ravel(), model.weight[1])
    normalized = model.templates(normalize=True)
    np.testing.assert_allclose(normalized.min(axis=(1, 2)), 0.0)
    np.testing.assert_allclose(normalized.max(axis=(1, 2)), 1.0)
    model.weight[2] = 0.5  # a constant template has no range to rescale
    np.testing.assert_array_equal(model.templates(normalize=True)[2], np.zeros((4, 3)))


def test_num_classes_allows_classes_absent_from_training():
    X, y, _, _ = blob_split()
    model = LinearClassifier(num_classes=6, epochs=1).fit(X, y)
    assert model.weight.shape == (6, 5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"loss": "hinge"}, "loss to be one of 'svm', 'softmax', but got 'hinge'"),
        ({"lr": 0.0}, "lr to be a positive number, but got 0"),
        ({"lr": float("nan")}, "lr to be a positive number"),
        ({"reg": -0.1}, "reg to be a non-negative number"),
        ({"epochs": 0}, "epochs to be a positive integer"),
        ({"batch_size": 0}, "batch_size to be a positive integer, but got 0"),
        ({"num_classes": 0}, "num_classes to be a positive integer"),
    ],
)
def test_linear_classifier_rejects_bad_hyperparameters(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        LinearClassifier(**kwargs)


def test_generator_must_be_a_numpy_generator():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        LinearClassifier(generator=0)


def test_fit_rejects_labels_out_of_range_and_mismatched_lengths():
    X, y, _, _ = blob_split()
    with pytest.raises(ValueError, match=r"labels in \[0, 2\], but got min 0 and max 3"):
        LinearClassifier(num_classes=3).fit(X, y)
    with pytest.raises(ValueError, match="min -1"):
        LinearClassifier().fit(X, np.where(y == 0, -1, y))
    with pytest.raises(TypeError, match="integer class labels"):
        LinearClassifier().fit(X, y + 0.5)
    with pytest.raises(ShapeError, match=r"one label per example \(400\), but got 399"):
        LinearClassifier().fit(X, y[:-1])
    with pytest.raises(ShapeError, match="at least one training example"):
        LinearClassifier().fit(X[:0], y[:0])


@pytest.mark.parametrize("loss", ["svm", "softmax"])
def test_a_diverging_run_is_an_error_not_a_nan_model(loss):
    X, y, _, _ = blob_split()
    model = LinearClassifier(loss, lr=1e37, generator=np.random.default_rng(0))
    with pytest.raises(ConfigError, match=r"training diverged. Lower lr \(now 1e\+37\)"):
        model.fit(1000.0 * X, y)


def test_predict_needs_fit_and_the_training_width():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LinearClassifier().predict(np.zeros((1, 5)))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LinearClassifier().templates()
    X, y, _, _ = blob_split()
    model = LinearClassifier(epochs=1).fit(X, y)
    with pytest.raises(ShapeError, match="expected 5 features per example .* but got 4"):
        model.predict(np.zeros((2, 4)))
