"""TensorDataset, Subset and random_split against torch.utils.data's contract."""

import numpy as np
import pytest

import autograd
from autograd.random import Generator
from nn.data import Dataset, Subset, TensorDataset, random_split


class Squares(Dataset):
    """A dataset with no fetch_batch: sample i is (i, i*i)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i, i * i

    def __len__(self):
        return self.n


def covered_indices(splits):
    return [list(s.indices) for s in splits]


def test_tensor_dataset_items_are_rows_of_every_tensor_with_dtypes_kept():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    y = np.array([3, 1, 4, 1], dtype=np.int64)
    ds = TensorDataset(autograd.Tensor(X), y)  # a Tensor and a bare array are both accepted
    assert len(ds) == 4
    x2, y2 = ds[2]
    assert isinstance(x2, autograd.Tensor) and isinstance(y2, autograd.Tensor)
    np.testing.assert_array_equal(x2.array, [6.0, 7.0, 8.0])
    assert x2.array.dtype == np.float32 and tuple(x2.shape) == (3,)
    assert y2.array.dtype == np.int64 and tuple(y2.shape) == () and int(y2.array) == 4
    assert len(ds.tensors) == 2 and all(isinstance(t, autograd.Tensor) for t in ds.tensors)


def test_tensor_dataset_mismatched_first_dimensions_names_the_sizes():
    with pytest.raises(ValueError, match=r"size mismatch.*\(5, 4\)"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))


def test_tensor_dataset_rejects_no_tensors_and_scalars():
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="first .sample. dimension"):
        TensorDataset(np.zeros(3), np.float32(1.0))


def test_fetch_batch_gathers_the_requested_rows_in_order():
    X = np.arange(20).reshape(10, 2)
    ds = TensorDataset(X, np.arange(10) * 10)
    xb, yb = ds.fetch_batch(np.array([7, 0, 3]))
    np.testing.assert_array_equal(xb, [[14, 15], [0, 1], [6, 7]])
    np.testing.assert_array_equal(yb, [70, 0, 30])


def test_subset_maps_indices_and_keeps_the_fast_path_only_when_available():
    base = TensorDataset(np.arange(10) * 2)
    sub = Subset(base, [9, 2, 5])
    assert len(sub) == 3
    assert int(sub[0][0].array) == 18 and int(sub[2][0].array) == 10
    np.testing.assert_array_equal(sub.fetch_batch(np.array([2, 0]))[0], [10, 18])
    assert not hasattr(Subset(Squares(5), [1, 2]), "fetch_batch")
    assert Subset(Squares(5), [4, 1])[0] == (4, 16)


def test_random_split_integer_lengths_are_disjoint_and_complete():
    splits = random_split(Squares(50), [30, 15, 5], generator=Generator(1))
    assert [len(s) for s in splits] == [30, 15, 5]
    every = sum(covered_indices(splits), [])
    assert sorted(every) == list(range(50))  # complete, and no index twice
    assert every != list(range(50))  # and actually shuffled


@pytest.mark.parametrize(
    "n, fractions, expected",
    [
        (10, [0.33, 0.33, 0.34], [4, 3, 3]),  # floors 3+3+3, the one left over goes to the first split
        (10, [0.5, 0.5], [5, 5]),
        (7, [0.2, 0.8], [2, 5]),  # floors 1+5, the leftover goes to the first
        (1797, [0.8, 0.1, 0.1], [1438, 180, 179]),  # two left over: one each to the first two
    ],
)
def test_random_split_fractions_follow_torch_rounding(n, fractions, expected):
    splits = random_split(Squares(n), fractions, generator=Generator(0))
    assert [len(s) for s in splits] == expected
    assert sorted(sum(covered_indices(splits), [])) == list(range(n))


@pytest.mark.parametrize(
    "n, fractions",
    [(10, [0.33, 0.33, 0.34]), (7, [0.2, 0.8]), (23, [0.7, 0.2, 0.1]), (1797, [0.8, 0.1, 0.1])],
)
def test_random_split_fraction_lengths_match_torch(n, fractions):
    torch = pytest.importorskip("torch")
    ours = [len(s) for s in random_split(Squares(n), fractions, generator=Generator(0))]
    theirs = [len(s) for s in torch.utils.data.random_split(range(n), fractions)]
    assert ours == theirs


def test_random_split_wrong_total_says_both_numbers():
    with pytest.raises(ValueError, match=r"sum to 9.*has 10 samples"):
        random_split(Squares(10), [4, 5])


def test_random_split_fraction_out_of_range_is_rejected():
    with pytest.raises(ValueError, match="fraction at index 0 is 1.5"):
        random_split(Squares(10), [1.5, -0.5])


def test_random_split_is_reproducible_with_manual_seed_and_with_a_generator():
    autograd.random.manual_seed(123)
    a = covered_indices(random_split(Squares(20), [10, 10]))
    autograd.random.manual_seed(123)
    b = covered_indices(random_split(Squares(20), [10, 10]))
    assert a == b
    # An explicit generator ignores the shared one's state; an int seed is shorthand for Generator(seed).
    autograd.random.manual_seed(999)
    c = covered_indices(random_split(Squares(20), [10, 10], generator=Generator(5)))
    d = covered_indices(random_split(Squares(20), [10, 10], generator=5))
    assert c == d
    assert covered_indices(random_split(Squares(20), [10, 10], generator=6)) != c


def test_random_split_of_a_tensor_dataset_keeps_the_values_together():
    X = np.arange(30).reshape(15, 2)
    train, test = random_split(TensorDataset(X, X[:, 0] * 100), [0.6, 0.4], generator=Generator(3))
    assert (len(train), len(test)) == (9, 6)
    for sub in (train, test):
        xs, ys = sub.fetch_batch(np.arange(len(sub)))
        np.testing.assert_array_equal(ys, xs[:, 0] * 100)
