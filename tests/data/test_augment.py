import numpy as np
import pytest

from glassnet.data import DataLoader
from glassnet.data.augment import Augment, HorizontalFlip, RandomCrop, RandomErasing
from glassnet.errors import ConfigError, ShapeError


def images(n=64, size=8, channels=2, seed=0):
    return np.random.default_rng(seed).normal(size=(n, channels, size, size)).astype(np.float32)


def shifted(image: np.ndarray, rows: int, cols: int, fill: float) -> np.ndarray:
    """``image`` moved down by ``rows`` and right by ``cols``, the uncovered border filled."""
    out = np.full_like(image, fill)
    h, w = image.shape[-2:]
    out[..., max(rows, 0):h + min(rows, 0), max(cols, 0):w + min(cols, 0)] = \
        image[..., max(-rows, 0):h - max(rows, 0), max(-cols, 0):w - max(cols, 0)]
    return out


def test_random_crop_shifts_each_image_by_at_most_the_padding():
    batch, p = images(), 2
    out = RandomCrop(p, fill=-9.0)(batch, np.random.default_rng(1))
    seen = set()
    for original, cropped in zip(batch, out):
        shifts = [(r, c) for r in range(-p, p + 1) for c in range(-p, p + 1)
                  if np.array_equal(cropped, shifted(original, r, c, -9.0))]
        assert len(shifts) == 1
        seen.add(shifts[0])
    assert len(seen) > 10  # the offsets vary over the batch (25 possible)


def test_horizontal_flip_mirrors_a_share_p_of_the_images():
    batch = images(n=400)
    out = HorizontalFlip(0.3)(batch, np.random.default_rng(2))
    mirrored = [np.array_equal(o, b[..., ::-1]) for o, b in zip(out, batch)]
    kept = [np.array_equal(o, b) for o, b in zip(out, batch)]
    assert all(m != k for m, k in zip(mirrored, kept))  # each image one or the other
    assert 0.22 < np.mean(mirrored) < 0.38
    assert np.array_equal(HorizontalFlip(0.0)(batch, np.random.default_rng(0)), batch)


def test_random_erasing_blanks_one_rectangle_of_the_asked_area():
    batch = images(n=300, size=16, channels=1) + 100  # no pixel equals the fill by chance
    out = RandomErasing(1.0, scale=(0.1, 0.2), ratio=(0.5, 2.0), fill=0.0)(
        batch, np.random.default_rng(3))
    for erased, original in zip(out[:, 0], batch[:, 0]):
        rows, cols = np.nonzero(erased == 0)
        box = erased[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        assert np.all(box == 0)  # a filled rectangle ...
        untouched = erased != 0
        assert np.array_equal(erased[untouched], original[untouched])  # ... and nothing else
        assert 0.1 * 256 - 8 <= box.size <= 0.2 * 256 + 8  # rounding to whole pixels
    assert np.array_equal(RandomErasing(0.0)(batch, np.random.default_rng(0)), batch)


def test_augment_depends_only_on_seed_epoch_and_batch():
    batch = images()
    augment = Augment(RandomCrop(1), HorizontalFlip(), RandomErasing(), seed=5)
    first = augment(batch, epoch=3, batch=7)
    assert np.array_equal(first, Augment(*augment.transforms, seed=5)(batch, epoch=3, batch=7))
    assert not np.array_equal(first, augment(batch, epoch=4, batch=7))
    assert not np.array_equal(first, augment(batch, epoch=3, batch=8))
    assert not np.array_equal(first, Augment(*augment.transforms, seed=6)(batch, epoch=3,
                                                                           batch=7))
    assert first.dtype == batch.dtype and first.flags.c_contiguous


def test_a_loader_resumed_mid_epoch_gives_the_same_augmented_batches():
    X, y = images(n=40), np.arange(40)
    augment = Augment(RandomCrop(2), HorizontalFlip(), seed=0)

    def loader():
        return DataLoader((X, y), batch_size=8, shuffle=True,
                          generator=np.random.default_rng(0), augment=augment)

    uninterrupted = loader()
    epochs = [list(uninterrupted) for _ in range(2)]
    interrupted = loader()
    list(interrupted)
    iterator = iter(interrupted)
    next(iterator), next(iterator)  # two batches of the second epoch, then "killed"
    resumed = loader()
    resumed.load_state_dict(interrupted.state_dict())
    rest = list(resumed)
    for (xa, ya), (xb, yb) in zip(epochs[1][2:], rest, strict=True):
        assert np.array_equal(xa, xb) and np.array_equal(ya, yb)
    assert not np.array_equal(epochs[0][0][0], X[epochs[0][0][1]])  # inputs were augmented


@pytest.mark.parametrize(("make", "words"), [
    (lambda: RandomCrop(0), "padding"),
    (lambda: RandomCrop(2.5), "padding"),
    (lambda: HorizontalFlip(1.5), "probability"),
    (lambda: RandomErasing(scale=(0.5, 0.1)), "scale"),
    (lambda: RandomErasing(scale=(0.1, 2.0)), "scale"),
    (lambda: RandomErasing(ratio=(0.0, 1.0)), "ratio"),
    (lambda: Augment(seed=0), "at least one transform"),
])
def test_bad_augmentation_settings_are_refused(make, words):
    with pytest.raises(ConfigError, match=words):
        make()


def test_augment_refuses_inputs_that_are_not_image_batches():
    with pytest.raises(ShapeError, match=r"\(N, C, H, W\)"):
        Augment(HorizontalFlip(), seed=0)(np.zeros((4, 784)), epoch=0, batch=0)
