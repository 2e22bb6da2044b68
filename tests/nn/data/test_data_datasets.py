"""The bundled digits and the generated toy datasets."""

import hashlib
from importlib import resources

import numpy as np
import pytest

import autograd
from autograd.random import Generator
from nn.data import DataLoader, Digits, load_digits, make_blobs, make_circles, make_moons, make_spirals

# The SHA-256 of scikit-learn 1.9.1's copy, which we ship unchanged.
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
DIGITS_CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # from the UCI description


def one_nn_accuracy(X, y):
    """Leave-one-out 1-nearest-neighbour accuracy: near 1 when the classes are separable."""
    d = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return float((y[d.argmin(1)] == y).mean())


# --- digits -------------------------------------------------------------------------------------------------


def test_bundled_digits_file_is_the_published_one_with_its_attribution():
    files = resources.files("nn.data") / "_files"
    assert hashlib.sha256((files / "digits.csv.gz").read_bytes()).hexdigest() == DIGITS_SHA256
    readme = (files / "README.md").read_text()
    assert "CC BY 4.0" in readme and "Alpaydin" in readme and "UCI" in readme


def test_load_digits_shapes_dtypes_range_and_class_counts():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    assert np.bincount(y).tolist() == DIGITS_CLASS_COUNTS
    # The file starts 0, 1, 2, ... and its first image is a 0: a ring of ink, empty in the middle.
    assert y[:10].tolist() == list(range(10))
    np.testing.assert_array_equal(X[0, :8], [0, 0, 5, 13, 9, 1, 0, 0])
    image = X[0].reshape(8, 8)
    assert image[3:5, 3:5].max() == 0 and image[3:5, 1].min() > 0


def test_load_digits_returns_fresh_arrays():
    X, y = load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0 and y2.min() == 0


def test_digits_dataset_vectors_and_images():
    flat, images = Digits(), Digits(as_images=True)
    assert len(flat) == len(images) == 1797
    x, y = flat[5]
    assert tuple(x.shape) == (64,) and int(y.array) == 5
    img, _ = images[5]
    assert tuple(img.shape) == (1, 8, 8) and img.array.dtype == np.float32
    np.testing.assert_array_equal(img.array.reshape(64), x.array)
    xb, yb = next(iter(DataLoader(images, batch_size=32, shuffle=True, generator=Generator(0))))
    assert tuple(xb.shape) == (32, 1, 8, 8) and tuple(yb.shape) == (32,) and yb.array.dtype == np.int64


# --- generators ---------------------------------------------------------------------------------------------

GENERATORS = [
    lambda **kw: make_moons(101, noise=0.1, **kw),
    lambda **kw: make_circles(101, noise=0.1, **kw),
    lambda **kw: make_spirals(101, n_classes=3, **kw),
    lambda **kw: make_blobs(101, n_features=3, **kw),
]
GENERATOR_IDS = ["moons", "circles", "spirals", "blobs"]


@pytest.mark.parametrize("make", GENERATORS, ids=GENERATOR_IDS)
def test_generators_return_float32_x_and_int64_y(make):
    X, y = make(random_state=0)
    assert X.dtype == np.float32 and y.dtype == np.int64
    assert X.ndim == 2 and X.shape[0] == y.shape[0] == 101


@pytest.mark.parametrize("make", GENERATORS, ids=GENERATOR_IDS)
def test_generators_are_reproducible_by_seed_generator_and_manual_seed(make):
    X1, y1 = make(random_state=3)
    X2, y2 = make(random_state=Generator(3))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(make(random_state=4)[0], X1)
    autograd.random.manual_seed(11)
    X3, _ = make()
    X4, _ = make()
    autograd.random.manual_seed(11)
    np.testing.assert_array_equal(make()[0], X3)
    assert not np.array_equal(X3, X4)  # the shared generator moves on between calls


def test_moons_without_noise_lie_on_their_two_half_circles():
    X, y = make_moons(51, random_state=0)
    assert np.bincount(y).tolist() == [25, 26]  # the lower moon gets the odd sample, as sklearn
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1, atol=1e-6)
    assert upper[:, 1].min() >= -1e-6
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-6)
    assert lower[:, 1].max() <= 0.5 + 1e-6
    assert np.bincount(make_moons((10, 30), random_state=0)[1]).tolist() == [10, 30]


def test_moons_with_noise_stay_separable():
    X, y = make_moons(300, noise=0.1, random_state=0)
    assert one_nn_accuracy(X, y) > 0.95
    clean, _ = make_moons(300, random_state=0)  # same seed, same shuffle: the difference is the noise
    assert 0.05 < np.abs(X - clean).mean() < 0.15


def test_circles_without_noise_have_radius_one_and_factor():
    X, y = make_circles(41, factor=0.3, random_state=0)
    assert np.bincount(y).tolist() == [20, 21]
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1, atol=1e-6)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-6)
    Xn, yn = make_circles(300, noise=0.05, factor=0.5, random_state=0)
    assert one_nn_accuracy(Xn, yn) > 0.95


def test_circles_factor_must_be_below_one():
    with pytest.raises(ValueError, match=r"factor must be in \[0, 1\), got 1.5"):
        make_circles(10, factor=1.5)


def test_spirals_without_noise_follow_the_cs231n_arms():
    X, y = make_spirals(100, n_classes=4, noise=0.0, shuffle=False, random_state=0)
    assert np.bincount(y).tolist() == [25, 25, 25, 25]
    for k in range(4):
        arm = X[y == k].astype(np.float64)
        r = np.hypot(arm[:, 0], arm[:, 1])
        np.testing.assert_allclose(r, np.linspace(0, 1, 25), atol=1e-6)
        theta = np.arctan2(arm[:, 0], arm[:, 1])  # points are (r sin t, r cos t)
        expected = np.linspace(4 * k, 4 * (k + 1), 25)
        # Compare angles modulo 2 pi, skipping r = 0 where the angle is undefined.
        wrapped = np.angle(np.exp(1j * (theta[1:] - expected[1:])))
        np.testing.assert_allclose(wrapped, 0, atol=1e-5)


def test_spirals_with_the_classic_noise_are_separable_but_not_linearly():
    X, y = make_spirals(300, n_classes=3, random_state=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.abs(X).max() <= 1 + 1e-6
    assert one_nn_accuracy(X, y) > 0.9
    # Least-squares linear classifier on one-hot targets: the spiral defeats it.
    A = np.c_[X, np.ones(len(X))]
    W, *_ = np.linalg.lstsq(A, np.eye(3)[y], rcond=None)
    assert ((A @ W).argmax(1) == y).mean() < 0.7


def test_spirals_split_uneven_totals_like_sklearn():
    assert np.bincount(make_spirals(10, n_classes=3, random_state=0)[1]).tolist() == [4, 3, 3]


def test_blobs_centres_spreads_and_counts():
    stds = [0.5, 1.0, 2.0]
    X, y, centers = make_blobs(3000, centers=3, cluster_std=stds, random_state=0, return_centers=True)
    assert centers.shape == (3, 2) and centers.dtype == np.float32
    assert np.all((centers >= -10) & (centers <= 10))
    assert np.bincount(y).tolist() == [1000, 1000, 1000]
    for k, std in enumerate(stds):
        np.testing.assert_allclose(X[y == k].mean(0), centers[k], atol=0.2)
        np.testing.assert_allclose(X[y == k].std(0), std, rtol=0.1)


def test_blobs_with_given_centres_and_per_blob_counts():
    X, y = make_blobs([5, 10], centers=[[0, 0, 0], [50, 50, 50]], cluster_std=0.1, random_state=0)
    assert X.shape == (15, 3) and np.bincount(y).tolist() == [5, 10]
    assert np.all(X[y == 1] > 40) and np.all(np.abs(X[y == 0]) < 1)
    assert np.bincount(make_blobs(10, centers=3, random_state=0)[1]).tolist() == [4, 3, 3]


def test_blobs_mismatched_arguments_are_named():
    with pytest.raises(ValueError, match="2 sample counts for 3 centers"):
        make_blobs([5, 5], centers=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="2 cluster_std values for 3 centers"):
        make_blobs(30, centers=3, cluster_std=[1.0, 2.0])
