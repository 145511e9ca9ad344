"""Preprocessing: hand-checked values, fitted on training data only, round trips, JSON state,
identity covariance after whitening, and bad input."""

import json

import numpy as np
import pytest

from glassnet.data import PCA, CenterMean, Standardize, Whiten, load_preprocessor
from glassnet.errors import ConfigError, DatasetError, NotFittedError, ShapeError


def _correlated(n=400, d=5, seed=0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d))
    return rng.normal(size=(n, d)) @ mixing + rng.normal(size=d) * 3


def test_standardize_per_feature_on_a_hand_checked_case():
    X = np.array([[1.0, 2.0], [3.0, 6.0]])  # mean (2, 4), population std (1, 2)
    scaler = Standardize().fit(X)
    np.testing.assert_allclose(scaler.mean, [2.0, 4.0])
    np.testing.assert_allclose(scaler.std, [1.0, 2.0])
    np.testing.assert_allclose(scaler.transform(X), [[-1.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(scaler.transform(np.array([[4.0, 0.0]])), [[2.0, -2.0]])


def test_standardize_per_channel_matches_numpy_over_batch_and_space():
    X = np.random.default_rng(0).normal(3.0, 2.0, size=(6, 3, 4, 5))
    X[:, 1] *= 10
    Z = Standardize(per="channel").fit_transform(X)
    mean = X.mean(axis=(0, 2, 3), keepdims=True)
    std = X.std(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(Z, (X - mean) / std, rtol=1e-12)
    np.testing.assert_allclose(Z.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)


def test_standardize_per_channel_supports_channels_last():
    X = np.random.default_rng(1).normal(size=(5, 4, 4, 3))
    Z = Standardize(per="channel", channel_axis=-1).fit_transform(X)
    np.testing.assert_allclose(Z.std(axis=(0, 1, 2)), 1.0, rtol=1e-12)


def test_standardize_global_uses_one_mean_and_std():
    X = np.array([[0.0, 2.0], [4.0, 6.0]])  # mean 3, std sqrt(5)
    Z = Standardize(per="global").fit_transform(X)
    np.testing.assert_allclose(Z, (X - 3.0) / np.sqrt(5.0))


def test_standardize_leaves_constant_features_centered_not_divided_by_zero():
    X = np.array([[7.0, 1.0], [7.0, 3.0]])
    np.testing.assert_allclose(Standardize().fit_transform(X), [[0.0, -1.0], [0.0, 1.0]])


def test_center_mean_subtracts_the_mean_image():
    X = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    centered = CenterMean().fit(X)
    np.testing.assert_allclose(centered.mean, X.mean(axis=0))
    Z = centered.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z, [-4.5 * np.ones((3, 3)), 4.5 * np.ones((3, 3))])


ROUND_TRIP = [
    CenterMean(),
    Standardize(),
    Standardize(per="global"),
    PCA(),
    Whiten(method="pca"),
    Whiten(method="zca"),
]


@pytest.mark.parametrize("preprocessor", ROUND_TRIP, ids=repr)
def test_inverse_transform_undoes_transform(preprocessor):
    X = _correlated()
    Z = preprocessor.fit(X).transform(X)
    np.testing.assert_allclose(preprocessor.inverse_transform(Z), X, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("preprocessor", ROUND_TRIP, ids=repr)
def test_statistics_come_from_the_training_data_only(preprocessor):
    X_train, X_val = _correlated(seed=0), _correlated(seed=1) + 5.0
    preprocessor.fit(X_train)
    before = json.dumps(preprocessor.state_dict())
    Z_val = preprocessor.transform(X_val)
    assert json.dumps(preprocessor.state_dict()) == before  # transform never refits
    refit = type(preprocessor)(**preprocessor.state_dict()["config"]).fit(X_val)
    assert not np.allclose(Z_val, refit.transform(X_val))


def test_validation_data_is_scaled_with_the_training_mean_and_std():
    X_train, X_val = _correlated(seed=0), _correlated(seed=1) + 5.0
    Z_val = Standardize().fit(X_train).transform(X_val)
    expected = (X_val - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(Z_val, expected, rtol=1e-12)


@pytest.mark.parametrize(
    "preprocessor", [*ROUND_TRIP, PCA(2), Whiten("pca", 1e-3, 0.9)], ids=repr
)
def test_state_survives_json_and_rebuilds_an_identical_preprocessor(preprocessor):
    X = _correlated()
    preprocessor.fit(X)
    restored = load_preprocessor(json.loads(json.dumps(preprocessor.state_dict())))
    assert type(restored) is type(preprocessor)
    np.testing.assert_array_equal(restored.transform(X), preprocessor.transform(X))


@pytest.mark.parametrize("preprocessor", [Standardize(), PCA(), Whiten()], ids=repr)
def test_output_is_float32_for_uint8_and_float32_input_and_float64_for_float64(preprocessor):
    X = np.random.default_rng(0).integers(0, 256, size=(50, 4)).astype(np.uint8)
    preprocessor.fit(X)
    assert preprocessor.transform(X).dtype == np.float32
    assert preprocessor.transform(X.astype(np.float32)).dtype == np.float32
    assert preprocessor.transform(X.astype(np.float64)).dtype == np.float64


def test_pca_matches_the_svd_of_the_centered_data():
    X = _correlated()
    pca = PCA().fit(X)
    Xc = X - X.mean(axis=0)
    _, singular_values, Vt = np.linalg.svd(Xc, full_matrices=False)
    np.testing.assert_allclose(pca.explained_variance, singular_values**2 / (len(X) - 1))
    # Same directions up to sign.
    np.testing.assert_allclose(np.abs(pca.components @ Vt.T), np.eye(5), atol=1e-9)
    Z = pca.transform(X)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), np.diag(pca.explained_variance), atol=1e-9)


def test_pca_keeps_k_components_or_the_fewest_reaching_a_variance_fraction():
    X = _correlated()
    full = PCA().fit(X)
    assert PCA(2).fit(X).transform(X).shape == (400, 2)
    cumulative = np.cumsum(full.explained_variance_ratio)
    k = int(np.argmax(cumulative >= 0.95)) + 1
    assert PCA(0.95).fit(X).components.shape == (k, 5)
    assert PCA(1.0).fit(X).components.shape == (5, 5)
    np.testing.assert_allclose(full.explained_variance_ratio.sum(), 1.0)


def test_pca_reconstruction_from_fewer_components_is_the_projection():
    X = _correlated()
    pca = PCA(3).fit(X)
    X_hat = pca.inverse_transform(pca.transform(X))
    mean = X.mean(axis=0)
    expected = (X - mean) @ pca.components.T @ pca.components + mean
    np.testing.assert_allclose(X_hat, expected, rtol=1e-10)


def test_pca_flattens_image_shaped_examples_and_restores_the_shape():
    X = np.random.default_rng(0).normal(size=(30, 2, 3, 3))
    pca = PCA().fit(X)
    assert pca.transform(X).shape == (30, 18)
    np.testing.assert_allclose(pca.inverse_transform(pca.transform(X)), X, atol=1e-10)


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_whitened_training_data_has_identity_covariance(method):
    X = _correlated()
    Z = Whiten(method=method, eps=1e-12).fit_transform(X)
    np.testing.assert_allclose(np.cov(Z, rowvar=False), np.eye(5), atol=1e-8)


def test_whitening_with_eps_gives_covariance_lambda_over_lambda_plus_eps():
    X = _correlated()
    whiten = Whiten(method="pca", eps=0.5).fit(X)
    Z = whiten.transform(X)
    lam = whiten.explained_variance
    np.testing.assert_allclose(np.cov(Z, rowvar=False), np.diag(lam / (lam + 0.5)), atol=1e-9)


def test_zca_is_the_symmetric_whitening_matrix():
    # ZCA: z = W (x − μ) with W = Σ^(-1/2), the symmetric inverse square root of the covariance.
    X = _correlated()
    Z = Whiten(method="zca", eps=0.0).fit_transform(X)
    cov = np.cov(X, rowvar=False)
    eigenvalues, U = np.linalg.eigh(cov)
    W = U @ np.diag(eigenvalues**-0.5) @ U.T
    np.testing.assert_allclose(Z, (X - X.mean(axis=0)) @ W, rtol=1e-8, atol=1e-10)


def test_transform_before_fit_is_an_error():
    words = r"Standardize.transform: expected a fitted .* fit\(X_train\)"
    with pytest.raises(NotFittedError, match=words):
        Standardize().transform(np.zeros((2, 2)))


def test_transform_of_differently_shaped_examples_is_a_shape_error():
    scaler = Standardize().fit(np.zeros((3, 4)))
    words = r"expected examples of shape \(4,\), but got X.shape=\(3, 5\)"
    with pytest.raises(ShapeError, match=words):
        scaler.transform(np.zeros((3, 5)))
    with pytest.raises(ShapeError, match=r"expected examples of shape \(2,\)"):
        PCA(2).fit(_correlated()).inverse_transform(np.zeros((3, 5)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_training_data_is_rejected(bad):
    X = np.ones((3, 2))
    X[1, 1] = bad
    with pytest.raises(DatasetError, match="NaN or Inf"):
        Standardize().fit(X)


def test_bad_input_shapes_and_dtypes_are_rejected():
    with pytest.raises(ShapeError, match=r"\(N, features...\)"):
        Standardize().fit(np.ones(5))
    with pytest.raises(DatasetError, match="numeric data"):
        Standardize().fit(np.array([["a"], ["b"]]))
    with pytest.raises(ShapeError, match="at least 2 examples"):
        PCA().fit(np.ones((1, 3)))


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Standardize(per="pixel"), r"\['feature', 'channel', 'global'\], but got 'pixel'"),
        (lambda: Standardize(eps=-1.0), "eps ≥ 0"),
        (lambda: PCA(0), "n_components ≥ 1"),
        (lambda: PCA(1.5), r"in \(0, 1\]"),
        (lambda: PCA("all"), "None, an int or a float"),
        (lambda: Whiten(method="cholesky"), r"\['pca', 'zca'\]"),
        (lambda: Whiten(eps=-0.1), "eps ≥ 0"),
    ],
)
def test_bad_configuration_is_a_config_error(make, words):
    with pytest.raises(ConfigError, match=words):
        make()


def test_fit_time_configuration_errors():
    with pytest.raises(ConfigError, match="n_components ≤ 5"):
        PCA(6).fit(_correlated())
    with pytest.raises(ConfigError, match="channel_axis"):
        Standardize(per="channel", channel_axis=0).fit(np.ones((2, 3)))
    rank_deficient = np.column_stack([_correlated()[:, :2]] * 2)
    with pytest.raises(ConfigError, match="zero variance along some kept component"):
        Whiten(eps=0.0).fit(rank_deficient)


def test_loading_a_state_of_another_type_or_config_is_an_error():
    state = Standardize().fit(np.ones((2, 2))).state_dict()
    with pytest.raises(ConfigError, match="expected the state of PCA"):
        PCA().load_state_dict(state)
    with pytest.raises(ConfigError, match="expected a state with 'type'"):
        load_preprocessor({"type": "Normalizer"})
