"""DataLoader and default_collate against torch.utils.data's contract."""

from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd.random import Generator
from nn.data import DataLoader, Dataset, TensorDataset, default_collate, random_split


class Rows(Dataset):
    """Samples (float32 row of 3, int label) with no fetch_batch, so the loader goes sample by sample."""

    def __init__(self, n):
        self.X = np.arange(3 * n, dtype=np.float32).reshape(n, 3)
        self.calls = 0

    def __getitem__(self, i):
        self.calls += 1
        return self.X[i], int(i)

    def __len__(self):
        return len(self.X)


class Wrapped(Dataset):
    """Forwards __getitem__ to a TensorDataset but hides its fetch_batch: the per-sample path."""

    def __init__(self, inner):
        self.inner = inner

    def __getitem__(self, i):
        return self.inner[i]

    def __len__(self):
        return len(self.inner)


def epoch_indices(loader):
    """The sample indices an epoch visits, read from an index-valued TensorDataset."""
    return [int(i) for (batch,) in loader for i in batch.array]


@pytest.mark.parametrize(
    "n, batch_size, drop_last, expected",
    [
        (10, 3, False, 4),
        (10, 3, True, 3),
        (9, 3, False, 3),
        (9, 3, True, 3),
        (2, 5, True, 0),
        (0, 4, False, 0),
    ],
)
def test_len_counts_batches_with_and_without_drop_last(n, batch_size, drop_last, expected):
    loader = DataLoader(TensorDataset(np.arange(n)), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    fast=st.booleans(),
)
def test_an_epoch_visits_every_index_once_in_full_batches(n, batch_size, shuffle, drop_last, fast):
    ds = TensorDataset(np.arange(n))
    shuffle = shuffle and n > 0  # as torch, RandomSampler refuses an empty dataset
    loader = DataLoader(ds if fast else Wrapped(ds), batch_size, shuffle=shuffle, drop_last=drop_last)
    sizes = [len(batch.array) for (batch,) in loader]
    seen = epoch_indices(loader)
    assert len(sizes) == len(loader)
    assert all(s == batch_size for s in sizes[:-1])
    if drop_last:
        assert len(seen) == n - n % batch_size and len(set(seen)) == len(seen)
    else:
        assert sorted(seen) == list(range(n))
    if not shuffle:
        assert seen == list(range(len(seen)))


def test_len_matches_torch():
    torch = pytest.importorskip("torch")
    for n, bs, drop in [(10, 3, False), (10, 3, True), (1797, 64, False), (1797, 64, True)]:
        ours = DataLoader(TensorDataset(np.zeros(n)), batch_size=bs, drop_last=drop)
        assert len(ours) == len(torch.utils.data.DataLoader(range(n), batch_size=bs, drop_last=drop))


def test_shuffle_draws_a_new_order_each_epoch_reproducibly_under_manual_seed():
    ds = TensorDataset(np.arange(100))
    autograd.random.manual_seed(7)
    loader = DataLoader(ds, batch_size=16, shuffle=True)
    first, second = epoch_indices(loader), epoch_indices(loader)
    assert first != second and sorted(first) == sorted(second) == list(range(100))
    autograd.random.manual_seed(7)
    assert [epoch_indices(loader), epoch_indices(loader)] == [first, second]


def test_an_explicit_generator_ignores_the_shared_generator():
    ds = TensorDataset(np.arange(50))
    autograd.random.manual_seed(1)
    a = epoch_indices(DataLoader(ds, batch_size=8, shuffle=True, generator=Generator(42)))
    autograd.random.manual_seed(2)
    b = epoch_indices(DataLoader(ds, batch_size=8, shuffle=True, generator=Generator(42)))
    c = epoch_indices(DataLoader(ds, batch_size=8, shuffle=True, generator=42))  # int seed shorthand
    assert a == b == c


def test_fast_path_never_calls_getitem_and_matches_the_per_sample_path(monkeypatch):
    X = np.random.default_rng(0).normal(size=(37, 4)).astype(np.float32)
    y = np.arange(37, dtype=np.int64) % 5
    ds = TensorDataset(X, y)
    slow = list(DataLoader(Wrapped(ds), batch_size=8, shuffle=True, generator=Generator(3)))

    def no_getitem(self, i):
        raise AssertionError("the fast path must not index samples one at a time")

    monkeypatch.setattr(TensorDataset, "__getitem__", no_getitem)
    fast = list(DataLoader(ds, batch_size=8, shuffle=True, generator=Generator(3)))
    # Through random_split's Subset too.
    (sub,) = random_split(ds, [1.0], generator=Generator(0))
    assert sum(len(xb.array) for xb, _ in DataLoader(sub, batch_size=10)) == 37

    assert len(fast) == len(slow) == 5
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        assert isinstance(xf, autograd.Tensor) and isinstance(yf, autograd.Tensor)
        assert xf.array.dtype == xs.array.dtype == np.float32 and yf.array.dtype == ys.array.dtype == np.int64
        np.testing.assert_array_equal(xf.array, xs.array)
        np.testing.assert_array_equal(yf.array, ys.array)


def test_custom_dataset_of_array_and_int_collates_into_a_list_of_tensors():
    ds = Rows(10)
    batches = list(DataLoader(ds, batch_size=4))
    assert ds.calls == 10
    xb, yb = batches[0]
    assert isinstance(batches[0], list)  # as torch's default_collate: tuple samples give a list of fields
    assert tuple(xb.shape) == (4, 3) and xb.array.dtype == np.float32
    assert yb.array.dtype == np.int64
    np.testing.assert_array_equal(yb.array, [0, 1, 2, 3])
    np.testing.assert_array_equal(batches[-1][0].array, ds.X[8:])


def test_a_collate_fn_gets_the_list_of_samples_even_for_a_tensor_dataset():
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return samples

    batches = list(DataLoader(TensorDataset(np.arange(7)), batch_size=3, collate_fn=collate))
    assert seen == [3, 3, 1]
    assert int(batches[2][0][0].array) == 6


def test_default_collate_handles_nested_structures():
    Pair = namedtuple("Pair", "image label")
    out = default_collate([Pair(np.ones(2, np.float32), 1), Pair(np.zeros(2, np.float32), 0)])
    assert isinstance(out, Pair) and tuple(out.image.shape) == (2, 2)
    np.testing.assert_array_equal(out.label.array, [1, 0])

    out = default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}])
    assert out["name"] == ["a", "b"] and out["x"].array.dtype == np.float64  # Python floats: float64, as torch

    out = default_collate([[np.float32(1), True], [np.float32(2), False]])
    assert isinstance(out, list) and out[0].array.dtype == np.float32 and out[1].array.dtype == np.bool_

    t = default_collate([autograd.Tensor(np.ones((2, 3))), autograd.Tensor(np.zeros((2, 3)))])
    assert isinstance(t, autograd.Tensor) and tuple(t.shape) == (2, 2, 3)
    np.testing.assert_array_equal(t.array[0], np.ones((2, 3)))


def test_default_collate_explains_what_it_cannot_batch():
    with pytest.raises(ValueError, match=r"different shapes \[\(2,\), \(3,\)\]"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="different numbers of fields"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(TypeError, match="don't know how to batch samples of type object"):
        default_collate([object(), object()])


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])  # None is valid: it turns automatic batching off
def test_batch_size_must_be_a_positive_integer(bad):
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(TensorDataset(np.arange(3)), batch_size=bad)


def test_default_collate_keeps_the_graph_of_tensors_that_require_grad():
    a = autograd.Tensor(np.ones(3), requires_grad=True)
    b = autograd.Tensor(np.zeros(3), requires_grad=True)
    batch = default_collate([a, b])
    assert batch.requires_grad
    (batch * autograd.Tensor(np.array([[1.0], [2.0]]))).sum().backward()
    np.testing.assert_array_equal(a.grad.array, [1, 1, 1])
    np.testing.assert_array_equal(b.grad.array, [2, 2, 2])


def test_tensor_dataset_items_and_batches_are_data_not_graph():
    ds = TensorDataset(autograd.Tensor(np.ones((4, 2)), requires_grad=True), np.arange(4))
    assert not ds[0][0].requires_grad
    assert not next(iter(DataLoader(ds, batch_size=2)))[0].requires_grad
