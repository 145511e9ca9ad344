"""The search index behind the image-search page: a run's training images, their features
under the trained model, and exact nearest neighbours in two spaces.

- ``"features"``: the activations of one layer (by default the one the classifier reads),
  where a trained network puts images of one class close together;
- ``"pixels"``: the raw pixels scaled to [0, 1], the kNN lecture's space, where a shirt is
  close to whatever has the same brightness in the same places.

Both are searched exactly, by Euclidean (L2) distance over every training image, with
glassnet's ``KNearestNeighbors`` (one matrix–vector product and a partial sort per query:
60,000 × 128 features are 31 MB). ``open_index`` builds an index from a checkpoint written
by ``glassnet train``; ``SearchIndex.search`` answers one query image.

The index can be searched from several threads at once: the model's forward pass (whose
hooks and ``no_grad`` switch are not thread-safe) runs under a lock, the rest is read-only.
"""

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassnet.classic.knn import KNearestNeighbors
from glassnet.creation import as_tensor
from glassnet.errors import ConfigError, ShapeError
from glassnet.serve.features import cached_features, default_layer, embed, extract_features

SPACES = ("features", "pixels")
DEFAULT_K = 8
MAX_K = 100


@dataclass(frozen=True)
class Neighbor:
    """One training image found by a search."""

    index: int
    """Its row in the training set."""
    label: int
    """Its class."""
    distance: float
    """Its L2 distance to the query in the searched space."""


@dataclass(frozen=True)
class SearchResult:
    """The model's class probabilities for the query and its nearest training images."""

    probabilities: np.ndarray
    """(C,) softmax of the model's scores."""
    neighbors: tuple
    """``Neighbor``s, nearest first (equal distances: smaller index first)."""
    query: np.ndarray
    """The query image as the model received it (uint8, the dataset's layout)."""

    @property
    def label(self) -> int:
        return int(self.probabilities.argmax())


@dataclass(frozen=True)
class IndexBuild:
    """How the features were obtained, for the command to report."""

    seconds: float
    cache_path: Path
    from_cache: bool


class SearchIndex:
    """Exact k-nearest-neighbour search over a training set, by learned features or pixels.

    Args:
        model: the trained model (put in eval mode).
        preprocessing: the run's preprocessing record (``model.metadata["preprocessing"]``
            of a checkpoint written by ``glassnet train``): the scaler and the input shape.
        layer: the name of the layer whose output ``features`` holds.
        train: ``(images, labels)``: the uint8 training images as the dataset stores them
            and their integer labels.
        features: (N, D) float32: ``layer``'s output for every training image.
        test: ``(images, labels)`` of the test set, offered as example queries (optional).
        dataset: the dataset's name (for class names).

    Example:
        >>> from glassnet import models
        >>> from glassnet.data import Standardize
        >>> rng = np.random.default_rng(0)
        >>> images = rng.integers(0, 256, (20, 4, 4), dtype=np.uint8)
        >>> labels = np.arange(20) % 2
        >>> record = {"scaler": Standardize(per="global").fit(images).state_dict(),
        ...           "input_shape": [1, 4, 4]}
        >>> index = SearchIndex.build(models.mlp(16, [8], 2), record, (images, labels))
        >>> result = index.search(images[3], k=2, space="pixels")
        >>> result.neighbors[0]
        Neighbor(index=3, label=1, distance=0.0)
    """

    def __init__(self, model, preprocessing: dict, layer: str, train: tuple,
                 features: np.ndarray, *, test: tuple | None = None, dataset: str = ""):
        self.model = model.eval()
        self.preprocessing = preprocessing
        self.layer = layer
        self.train_images, self.train_labels = train
        self.test_images, self.test_labels = test if test is not None else train
        self.dataset = dataset
        self.input_shape = tuple(preprocessing["input_shape"])
        channels, *size = self.input_shape
        self.image_shape = tuple(size) if channels == 1 else self.input_shape
        self._knn = {
            "features": KNearestNeighbors(metric="l2").fit(features, self.train_labels),
            "pixels": KNearestNeighbors(metric="l2").fit(_pixels(self.train_images),
                                                         self.train_labels),
        }
        self._lock = threading.Lock()
        self.num_classes = int(self._embed(self.train_images[:1])[0].shape[1])

    @classmethod
    def build(cls, model, preprocessing: dict, train: tuple, *, layer: str | None = None,
              **options) -> "SearchIndex":
        """An index whose features are computed now, without a cache (for small sets)."""
        input_shape = tuple(preprocessing["input_shape"])
        layer = layer if layer is not None else default_layer(model.eval(), input_shape)
        features = extract_features(model, train[0], layer,
                                    prepare=lambda batch: _prepare(batch, preprocessing))
        return cls(model, preprocessing, layer, train, features, **options)

    @property
    def feature_size(self) -> int:
        """D, the number of values per image in the features space."""
        return self._knn["features"].train_features.shape[1]

    def __len__(self) -> int:
        return len(self.train_images)

    def check_k(self, k) -> int:
        """``k`` as an int if 1 ≤ k ≤ min(MAX_K, N), else a ConfigError."""
        largest = min(MAX_K, len(self))
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= largest:
            raise ConfigError(
                f"search: expected k to be a whole number from 1 to {largest}, but got {k!r}. "
                "Ask for fewer neighbours."
            )
        return int(k)

    def search(self, image: np.ndarray, *, k: int = DEFAULT_K,
               space: str = "features") -> SearchResult:
        """The model's prediction for ``image`` and its ``k`` nearest training images.

        Args:
            image: uint8, in the dataset's layout ((H, W) or (C, H, W)), e.g. from
                ``glassnet.data.images.read_image(..., resize=True)``.
            k: how many neighbours (1 ≤ k ≤ min(MAX_K, number of training images)).
            space: ``"features"`` or ``"pixels"``.

        Raises:
            ConfigError: k out of range or an unknown space.
            ShapeError: the image has the wrong shape.
        """
        k = self.check_k(k)
        if np.shape(image) != self.image_shape:
            raise ShapeError(f"search: expected an image of shape {self.image_shape}, but got "
                             f"{np.shape(image)}. Read it with read_image(..., resize=True).")
        if space not in SPACES:
            raise ConfigError(f"search: expected space to be one of {list(SPACES)}, but got "
                              f"{space!r}.")
        scores, features = self._embed(image[None])
        query = features if space == "features" else _pixels(image[None])
        knn = self._knn[space]
        found = knn.kneighbors(query, k=k).indices[0]
        # NOTE: kNN ranks by ‖a‖² + ‖b‖² − 2a·b, whose float32 rounding can leave an image
        # 0.05 away from an identical one. The k distances shown are computed directly.
        difference = knn.train_features[found] - query
        distances = np.sqrt(np.einsum("ij,ij->i", difference, difference))
        order = np.argsort(distances, kind="stable")
        neighbors = tuple(
            Neighbor(int(found[i]), int(self.train_labels[found[i]]), float(distances[i]))
            for i in order
        )
        return SearchResult(_softmax(scores)[0], neighbors, image)

    def _embed(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Class scores and features of raw images (uint8, the dataset's layout)."""
        inputs = _prepare(images, self.preprocessing)
        with self._lock:
            return embed(self.model, inputs, self.layer)


def open_index(checkpoint, *, layer: str | None = None, data_dir=None,
               stream=None) -> tuple[SearchIndex, IndexBuild]:
    """The search index of a checkpoint written by ``glassnet train``.

    Loads the model, the training and test images of its dataset (the first ``train_limit``
    training images when the run used only those), and the features of ``layer`` (default:
    the classifier's input) for every training image: from the cache in the checkpoint's
    folder, or computed now with a progress bar and cached.

    Args:
        checkpoint: the checkpoint file (a run's best.safetensors or last.safetensors).
        layer: the feature layer's name, as ``glassnet summary`` prints it.
        data_dir: where the dataset is (default: as recorded by the run).
        stream: where progress and notes go (default: standard error).

    Raises:
        ConfigError: the checkpoint was not written by ``glassnet train``, or a bad layer.
        CheckpointError, DatasetError: unreadable checkpoint or dataset files.
    """
    from glassnet.data import load_dataset
    from glassnet.serialization import load

    checkpoint = Path(checkpoint)
    model = load(checkpoint)
    config = model.metadata.get("config", {})
    record = model.metadata.get("preprocessing")
    if record is None or "dataset" not in config:
        raise ConfigError(
            f"serve: expected a checkpoint written by glassnet train, but {checkpoint} records "
            "no dataset or preprocessing. Pass a run folder of glassnet train."
        )
    root = data_dir if data_dir is not None else config.get("data_dir")
    X, y = load_dataset(config["dataset"], split="train", root=root)
    if config.get("train_limit") is not None:
        X, y = X[: config["train_limit"]], y[: config["train_limit"]]
    test = load_dataset(config["dataset"], split="test", root=root)
    layer = layer if layer is not None else default_layer(model, tuple(record["input_shape"]))

    def compute():
        return extract_features(model, X, layer, prepare=lambda batch: _prepare(batch, record),
                                stream=stream)

    started = time.perf_counter()
    features, path, from_cache = cached_features(checkpoint.parent, checkpoint, layer, X,
                                                 compute, stream=stream)
    build = IndexBuild(time.perf_counter() - started, path, from_cache)
    index = SearchIndex(model, record, layer, (X, y), features, test=test,
                        dataset=config["dataset"])
    return index, build


def _prepare(images: np.ndarray, record: dict) -> np.ndarray:
    from glassnet.train.run import preprocess

    return preprocess(images, record).astype(np.float32, copy=False)


def _pixels(images: np.ndarray) -> np.ndarray:
    """Raw images → rows of pixels in [0, 1], float32 (scaled in place: no second copy)."""
    pixels = images.reshape(len(images), -1).astype(np.float32)
    pixels *= np.float32(1 / 255)
    return pixels


def _softmax(scores: np.ndarray) -> np.ndarray:
    from glassnet.ops import softmax

    return softmax(as_tensor(scores), axis=1).data
