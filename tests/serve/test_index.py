"""The feature index: which layer, what it computes, the cache, and exact search."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import models
from glassnet.errors import ConfigError, ShapeError
from glassnet.serve import features as features_module
from glassnet.serve.features import (
    cached_features,
    default_layer,
    extract_features,
    feature_size,
    leaf_layers,
)
from glassnet.serve.index import SearchIndex, open_index


@pytest.mark.parametrize(("model", "input_shape", "expected"), [
    (models.mlp(784, [256, 128], 10), (1, 28, 28), "4"),  # the ReLU after Linear(256, 128)
    (models.mlp(784, [64], 10, dropout=0.5), (1, 28, 28), "2"),  # Dropout "3" is skipped
    (models.cnn(1, 28, 10), (1, 28, 28), "8"),  # Flatten 6, Linear 7, ReLU 8, Linear 9
    (models.softmax_regression(784, 10), (1, 28, 28), "0"),  # the flattened pixels
])
def test_default_layer_is_the_one_the_classifier_reads(model, input_shape, expected):
    assert default_layer(model, input_shape) == expected


def test_leaf_layers_are_listed_in_call_order_with_their_shapes():
    layers = leaf_layers(models.cnn(1, 28, 10), (1, 28, 28))
    assert layers[0] == ("0", (32, 28, 28))
    assert layers[2] == ("2", (32, 14, 14))
    assert layers[-1] == ("9", (10,))


def test_feature_size_rejects_an_unknown_layer_listing_the_real_ones():
    with pytest.raises(ConfigError, match=r"'7'.*Layers, in order: 0, 1, 2, 3"):
        feature_size(models.mlp(784, [16], 10), (1, 28, 28), "7")


def test_features_are_the_chosen_layers_output(train_images):
    model = models.mlp(784, [16], 10, generator=np.random.default_rng(0)).eval()
    images = train_images[0][:50].astype(np.float32) / 255
    hidden = extract_features(model, images, "2", batch_size=16)  # ReLU(Linear(x))
    weight, bias = model[1].weight.data, model[1].bias.data
    expected = np.maximum(images.reshape(50, -1) @ weight.T + bias, 0)
    np.testing.assert_allclose(hidden, expected, rtol=1e-5, atol=1e-5)
    assert hidden.dtype == np.float32 and hidden.shape == (50, 16)


def test_extraction_refuses_features_too_large_for_memory(monkeypatch):
    monkeypatch.setattr(features_module, "MAX_FEATURE_BYTES", 10_000)
    model = models.cnn(1, 28, 10)
    with pytest.raises(ConfigError, match=r"layer '0' gives 25,088 values per image"):
        extract_features(model, np.zeros((4, 1, 28, 28), np.float32), "0")


def test_cache_is_reused_for_the_same_checkpoint_and_layer_only(tmp_path, capsys):
    images = np.arange(6 * 4, dtype=np.uint8).reshape(6, 4)
    checkpoint = tmp_path / "best.safetensors"
    checkpoint.write_bytes(b"model one")
    calls = []

    def compute(value=1.0):
        calls.append(value)
        return np.full((6, 3), value, dtype=np.float32)

    first, path, cached = cached_features(tmp_path, checkpoint, "4", images, compute)
    assert not cached and path.parent == tmp_path / "features" and path.is_file()
    again, path_again, cached = cached_features(tmp_path, checkpoint, "4", images, compute)
    assert cached and path_again == path and len(calls) == 1
    np.testing.assert_array_equal(again, first)

    other_layer = cached_features(tmp_path, checkpoint, "2", images, lambda: compute(2.0))
    assert not other_layer[2] and other_layer[1] != path

    checkpoint.write_bytes(b"model two")  # retrained: another hash, another file
    retrained = cached_features(tmp_path, checkpoint, "4", images, lambda: compute(3.0))
    assert not retrained[2] and retrained[1] != path and retrained[0][0, 0] == 3.0


def test_cache_made_for_other_images_or_damaged_is_computed_again(tmp_path, capsys):
    images = np.zeros((5, 4), dtype=np.uint8)
    checkpoint = tmp_path / "best.safetensors"
    checkpoint.write_bytes(b"model")

    def compute():
        return np.ones((5, 2), dtype=np.float32)

    _, path, _ = cached_features(tmp_path, checkpoint, "1", images, compute)
    _, _, cached = cached_features(tmp_path, checkpoint, "1", images + 1, compute)
    assert not cached and "made for other images" in capsys.readouterr().err

    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0xFF  # a bit flip in the features
    path.write_bytes(bytes(raw))
    _, _, cached = cached_features(tmp_path, checkpoint, "1", images + 1, compute)
    assert not cached and "damaged feature cache" in capsys.readouterr().err


def test_an_unwritable_cache_still_gives_the_features(tmp_path, monkeypatch, capsys):
    checkpoint = tmp_path / "best.safetensors"
    checkpoint.write_bytes(b"model")

    def refuse(*_args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(features_module, "save_checkpoint", refuse)
    values, _, cached = cached_features(tmp_path, checkpoint, "1", np.zeros((2, 2), np.uint8),
                                        lambda: np.ones((2, 3), np.float32))
    assert values.shape == (2, 3) and not cached
    assert "could not cache the features" in capsys.readouterr().err


@pytest.fixture(scope="module")
def index(trained_run):
    return open_index(trained_run / "best.safetensors")[0]


def test_open_index_caches_features_in_the_run_folder(trained_run, index):
    assert len(index) == 400 and index.layer == "4" and index.feature_size == 32
    _, build = open_index(trained_run / "best.safetensors")
    assert build.from_cache and build.cache_path.parent == trained_run / "features"
    assert build.cache_path.name.startswith("4-")


def test_pixel_search_finds_a_training_image_itself_at_distance_zero(index, train_images):
    images, labels = train_images
    for row in (0, 123, 399):
        result = index.search(images[row], k=5, space="pixels")
        assert result.neighbors[0].index == row
        assert result.neighbors[0].distance == 0.0  # exact: computed directly, not expanded
        assert result.neighbors[0].label == labels[row]


def test_search_returns_the_k_nearest_sorted_as_brute_force_finds_them(index, train_images):
    images = train_images[0]
    query = np.random.default_rng(5).integers(0, 256, (28, 28), dtype=np.uint8)
    result = index.search(query, k=7, space="pixels")
    distances = np.linalg.norm(images.reshape(400, -1) / 255.0 - query.reshape(-1) / 255.0,
                               axis=1)
    expected = np.argsort(distances, kind="stable")[:7]
    assert [n.index for n in result.neighbors] == list(expected)
    np.testing.assert_allclose([n.distance for n in result.neighbors], distances[expected],
                               rtol=1e-5)
    found = [n.distance for n in result.neighbors]
    assert found == sorted(found)


def test_feature_search_finds_the_image_itself_and_its_class(index, train_images):
    images, labels = train_images
    result = index.search(images[42], k=8, space="features")
    # One image alone vs. batches of 500 in the cached features: BLAS may round differently.
    assert result.neighbors[0].index == 42 and result.neighbors[0].distance < 1e-4
    same_class = sum(n.label == labels[42] for n in result.neighbors)
    assert same_class >= 6  # the classes are easy: learned features group them
    assert result.probabilities.shape == (10,)
    assert result.probabilities.sum() == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("options", "error", "match"), [
    ({"k": 0}, ConfigError, "from 1 to 100"),
    ({"k": 101}, ConfigError, "from 1 to 100"),
    ({"k": 2.5}, ConfigError, "whole number"),
    ({"k": True}, ConfigError, "whole number"),
    ({"space": "voxels"}, ConfigError, r"\['features', 'pixels'\]"),
])
def test_search_rejects_bad_options(index, train_images, options, error, match):
    with pytest.raises(error, match=match):
        index.search(train_images[0][0], **options)


def test_search_rejects_an_image_of_the_wrong_shape(index):
    with pytest.raises(ShapeError, match=r"expected an image of shape \(28, 28\)"):
        index.search(np.zeros((32, 32), np.uint8))


def test_open_index_rejects_a_checkpoint_without_a_run(tmp_path):
    path = tmp_path / "model.safetensors"
    gn.save(models.mlp(784, [8], 10), path)
    with pytest.raises(ConfigError, match="records no dataset or preprocessing"):
        open_index(path)


def test_index_built_in_memory_matches_the_cached_one(trained_run, index, train_images):
    direct = SearchIndex.build(index.model, index.preprocessing, train_images, layer="4")
    np.testing.assert_allclose(
        direct._knn["features"].train_features, index._knn["features"].train_features,
        rtol=1e-5, atol=1e-6,
    )


def test_another_layer_gets_its_own_features_and_cache_file(trained_run):
    index, build = open_index(trained_run / "best.safetensors", layer="2")
    assert index.layer == "2" and index.feature_size == 64  # the ReLU after Linear(784, 64)
    assert build.cache_path.name.startswith("2-") and not build.from_cache
