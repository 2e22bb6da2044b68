"""torch.utils.data's contract in nn.data: samplers, datasets, DataLoader options, collation and worker processes."""

import collections
import gc
import multiprocessing
import os
import pickle
import time
from collections import OrderedDict, namedtuple

import numpy as np
import pytest

import autograd
from autograd.random import Generator
from nn.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
    random_split,
)
from nn.data.worker import ExceptionWrapper, _generate_state

Point = namedtuple("Point", "x y")


def values(batch):
    """A batch as plain Python: tensors become (dtype name, nested lists); containers keep their type."""
    if isinstance(batch, autograd.Tensor):
        return (batch.array.dtype.name, batch.array.tolist())
    if isinstance(batch, dict):
        return {k: values(v) for k, v in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(values(v) for v in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(values(v) for v in batch)
    return batch


def epoch(loader):
    return [values(b) for b in loader]


# ---- samplers ----


def test_sequential_sampler_yields_the_indices_in_order():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5
    assert list(SequentialSampler([])) == []


def test_base_sampler_needs_iter():
    with pytest.raises(NotImplementedError, match="must define __iter__"):
        iter(Sampler())


def test_random_sampler_draws_a_new_permutation_each_epoch_reproducibly():
    autograd.manual_seed(0)
    s = RandomSampler(range(20))
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(20)) and first != second
    autograd.manual_seed(0)
    assert [list(s), list(s)] == [first, second]
    assert list(RandomSampler(range(20), generator=Generator(5))) == list(RandomSampler(range(20), generator=5))


def test_random_sampler_num_samples_with_and_without_replacement():
    s = RandomSampler(range(4), num_samples=10, generator=Generator(1))
    drawn = list(s)
    assert len(s) == 10 and len(drawn) == 10
    assert sorted(drawn[:4]) == sorted(drawn[4:8]) == [0, 1, 2, 3]  # whole permutations, then part of one
    assert len(set(drawn[8:])) == 2
    s = RandomSampler(range(3), replacement=True, num_samples=300, generator=Generator(1))
    drawn = list(s)
    assert len(drawn) == 300 and set(drawn) == {0, 1, 2}


def test_random_sampler_rejects_bad_options_as_torch():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])  # an empty dataset, as torch


def test_subset_random_sampler_permutes_the_given_indices():
    s = SubsetRandomSampler([10, 20, 30, 40], generator=Generator(2))
    drawn = list(s)
    assert sorted(drawn) == [10, 20, 30, 40] and len(s) == 4


def test_weighted_random_sampler_with_replacement_follows_the_weights():
    s = WeightedRandomSampler([1.0, 0.0, 3.0], num_samples=20000, generator=Generator(0))
    counts = np.bincount(list(s), minlength=3)
    assert counts[1] == 0
    assert abs(counts[2] / counts.sum() - 0.75) < 0.02
    assert len(s) == 20000
    assert s.weights.dtype == np.float64 and s.weights.array.tolist() == [1.0, 0.0, 3.0]


def test_weighted_random_sampler_without_replacement_draws_each_index_once_zero_weights_last():
    for seed in range(20):
        drawn = list(WeightedRandomSampler([0.0, 5.0, 1.0, 0.0, 2.0], 4, replacement=False, generator=seed))
        assert len(set(drawn)) == 4
        assert sorted(drawn[:3]) == [1, 2, 4] and drawn[3] in (0, 3)
    # Heavier weights come first more often: index 1 (weight 5 of 8) leads about 5/8 of the time.
    firsts = [next(iter(WeightedRandomSampler([0, 5, 1, 0, 2], 1, replacement=False, generator=s))) for s in range(800)]
    assert abs(firsts.count(1) / 800 - 5 / 8) < 0.06


def test_weighted_random_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        WeightedRandomSampler([1.0], 0)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        WeightedRandomSampler([1.0], 1, replacement=1)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 1)
    # torch.multinomial's errors come when drawing.
    with pytest.raises(RuntimeError, match=r"weights\[1\] = -1.0"):
        list(WeightedRandomSampler([1.0, -1.0], 1))
    with pytest.raises(RuntimeError, match="sum of probabilities <= 0"):
        list(WeightedRandomSampler([0.0, 0.0], 1))
    with pytest.raises(RuntimeError, match="cannot draw 3 samples without replacement from 2 weights"):
        list(WeightedRandomSampler([1.0, 1.0], 3, replacement=False))


def test_batch_sampler_groups_indices_as_torch_documents():
    assert list(BatchSampler(SequentialSampler(range(10)), 3, False)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert list(BatchSampler(SequentialSampler(range(10)), 3, True)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert list(BatchSampler([5, 1, 4], 2, False)) == [[5, 1], [4]]  # any iterable of indices
    assert len(BatchSampler(range(10), 3, False)) == 4 and len(BatchSampler(range(10), 3, True)) == 3
    assert list(BatchSampler([], 3, False)) == [] and len(BatchSampler([], 3, True)) == 0


@pytest.mark.parametrize("batch_size", [0, -2, 2.0, True, np.int64(2), None])
def test_batch_sampler_batch_size_must_be_a_positive_int(batch_size):
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size="):
        BatchSampler(range(4), batch_size, False)


def test_batch_sampler_drop_last_must_be_a_bool():
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        BatchSampler(range(4), 2, 1)


# ---- datasets ----


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i * i

    def __len__(self):
        return self.n


class Stream(IterableDataset):
    """range(start, end); sharded between workers with get_worker_info, as torch's IterableDataset example 1."""

    def __init__(self, start, end, shard=True):
        self.start, self.end, self.shard = start, end, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.start, self.end))
        per_worker = -(-(self.end - self.start) // info.num_workers)
        start = self.start + info.id * per_worker
        return iter(range(start, min(start + per_worker, self.end)))


class SizedStream(Stream):
    def __len__(self):
        return self.end - self.start


def test_dataset_base_class_has_getitem_to_override_and_no_len():
    with pytest.raises(NotImplementedError, match="must define __getitem__"):
        Dataset()[0]
    with pytest.raises(TypeError, match="has no len"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="must define __iter__"):
        iter(IterableDataset())


def test_concat_dataset_indexes_across_its_parts():
    ds = Squares(3) + Squares(2) + Squares(4)
    assert isinstance(ds, ConcatDataset) and len(ds) == 9
    assert [ds[i] for i in range(9)] == [0, 1, 4, 0, 1, 0, 1, 4, 9]
    assert ds[-1] == 9 and ds[-9] == 0
    flat = ConcatDataset([Squares(3), Squares(2)])
    assert flat.cumulative_sizes == [3, 5] and ConcatDataset.cumsum([Squares(1), Squares(2)]) == [1, 3]
    with pytest.raises(ValueError, match="absolute value of index -6 should not exceed dataset length 5"):
        flat[-6]
    with pytest.raises(IndexError, match="index 5 is out of range for a dataset of length 5"):
        flat[5]
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Squares(2), Stream(0, 2)])


def test_chain_dataset_chains_streams():
    chained = Stream(0, 3) + Stream(10, 12)
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [0, 1, 2, 10, 11]
    assert len(ChainDataset([SizedStream(0, 3), SizedStream(5, 6)])) == 4
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([Stream(0, 1), Squares(2)]))
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        len(ChainDataset([Squares(2)]))


class Batched(Dataset):
    """A dataset with __getitems__ that records the calls."""

    def __init__(self, n):
        self.n, self.calls = n, []

    def __getitem__(self, i):
        raise AssertionError("a batch is fetched through __getitems__")

    def __getitems__(self, indices):
        self.calls.append(list(indices))
        return [-i for i in indices]

    def __len__(self):
        return self.n


def test_stack_dataset_as_tuple_and_as_dict():
    a, b = Squares(4), TensorDataset(np.arange(4) * 10)
    t = StackDataset(a, b)
    assert len(t) == 4 and t[2][0] == 4 and int(t[2][1][0].array) == 20
    d = StackDataset(sq=a, neg=Batched(4))
    assert d.__getitems__([1, 3]) == [{"sq": 1, "neg": -1}, {"sq": 9, "neg": -3}]
    assert StackDataset(a, Batched(4)).__getitems__([2]) == [(4, -2)]
    batch = next(iter(DataLoader(d, batch_size=2)))
    assert values(batch) == {"sq": ("int64", [0, 1]), "neg": ("int64", [0, -1])}
    with pytest.raises(ValueError, match="both types are given"):
        StackDataset(a, x=a)
    with pytest.raises(ValueError, match="at least one dataset"):
        StackDataset()
    with pytest.raises(ValueError, match=r"size mismatch between datasets: lengths \[4, 3\]"):
        StackDataset(a, Squares(3))


def test_stack_dataset_checks_a_parts_getitems_output_size():
    class Short(Batched):
        def __getitems__(self, indices):
            return [0]

    with pytest.raises(ValueError, match="output size mismatch. Expected 2, got 1"):
        StackDataset(Short(3)).__getitems__([0, 1])


def test_loader_fetches_batches_through_getitems():
    ds = Batched(5)
    assert epoch(DataLoader(ds, batch_size=2)) == [("int64", [0, -1]), ("int64", [-2, -3]), ("int64", [-4])]
    assert ds.calls == [[0, 1], [2, 3], [4]]


def test_subset_getitems_and_list_index():
    sub = Subset(Batched(10), [9, 3, 5])
    assert sub.__getitems__([2, 0]) == [-5, -9]
    plain = Subset(Squares(10), [9, 3, 5])
    assert plain.__getitems__([2, 0]) == [25, 81]
    tds = Subset(TensorDataset(np.arange(10) * 2), [9, 3, 5])
    assert tds[[0, 2]][0].array.tolist() == [18, 10]


def test_subset_subclass_overriding_getitem_must_override_getitems():
    class Doubled(Subset):
        def __getitem__(self, i):
            return 2 * super().__getitem__(i)

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Doubled(Squares(3), [0, 1])

    class Fixed(Doubled):
        def __getitems__(self, indices):
            return [self[i] for i in indices]

    assert epoch(DataLoader(Fixed(Squares(3), [2, 1]), batch_size=2)) == [("int64", [8, 2])]


def test_tensor_dataset_size_mismatch_is_torch_assertion_error():
    with pytest.raises(AssertionError, match="size mismatch"):
        TensorDataset(np.zeros(3), np.zeros(4))


def test_random_split_warns_about_an_empty_split():
    with pytest.warns(UserWarning, match="length of split at index 1 is 0"):
        a, b = random_split(Squares(2), [0.9, 0.1], generator=0)
    assert (len(a), len(b)) == (2, 0)


# ---- DataLoader options ----

MUTUALLY_EXCLUSIVE = [
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(num_workers=1, prefetch_factor=0), "prefetch_factor option should be a positive integer"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used with multi-process loading"),
    (dict(num_workers=1, multiprocessing_context="nope"), "should specify a valid start method"),
    (dict(batch_size=0), "batch_size should be a positive integer value"),
    (dict(drop_last=1), "drop_last should be a boolean value"),
]


@pytest.mark.parametrize("kwargs, message", MUTUALLY_EXCLUSIVE)
def test_invalid_option_combinations_raise_torchs_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Squares(4), **kwargs)


def test_a_multiprocessing_context_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="should be a valid context object"):
        DataLoader(Squares(4), num_workers=1, multiprocessing_context=3)
    with pytest.raises(TypeError, match="num_workers should be an int"):
        DataLoader(Squares(4), num_workers=1.5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(shuffle=True), "expected unspecified shuffle option, but got shuffle=True"),
        (dict(sampler=[0]), "expected unspecified sampler option"),
        (dict(batch_sampler=[[0]]), "expected unspecified batch_sampler option"),
    ],
)
def test_iterable_dataset_takes_no_order_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Stream(0, 4), **kwargs)
    DataLoader(Stream(0, 4), shuffle=False)  # an explicit False is accepted, as torch


def test_options_cannot_be_changed_after_construction():
    loader = DataLoader(Squares(4))
    for attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after DataLoader is initialized"):
            setattr(loader, attr, None)
    loader.num_workers = 0  # not frozen in torch either


def test_timeout_without_workers_fails_when_iterated_as_torch():
    loader = DataLoader(Squares(4), timeout=1)
    with pytest.raises(AssertionError, match="timeout=1 needs num_workers > 0"):
        iter(loader)


def test_pin_memory_warns_that_there_is_no_accelerator():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        assert epoch(DataLoader(Squares(2), pin_memory=True)) == [("int64", [0]), ("int64", [1])]


def test_defaults_attributes_and_samplers_as_torch():
    loader = DataLoader(Squares(5))
    assert loader.batch_size == 1 and loader.drop_last is False and loader.num_workers == 0
    assert isinstance(loader.sampler, SequentialSampler) and isinstance(loader.batch_sampler, BatchSampler)
    assert loader.collate_fn is default_collate and loader.prefetch_factor is None and loader.timeout == 0
    assert isinstance(DataLoader(Squares(5), shuffle=True).sampler, RandomSampler)
    assert DataLoader(Squares(5), num_workers=1).prefetch_factor == 2
    custom = DataLoader(Squares(5), batch_sampler=[[0, 1]])
    assert custom.batch_size is None and custom.drop_last is False
    assert DataLoader(Squares(5), batch_size=None).collate_fn is default_convert


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(batch_size=2), 3),
        (dict(batch_size=2, drop_last=True), 2),
        (dict(batch_size=None), 5),
        (dict(batch_sampler=[[0, 1, 2], [3]]), 2),
        (dict(sampler=[4, 3], batch_size=3), 1),
    ],
)
def test_len_of_a_map_style_loader(kwargs, expected):
    loader = DataLoader(Squares(5), **kwargs)
    assert len(loader) == expected == len(list(loader)) == len(iter(loader))


def test_len_of_an_iterable_dataset_loader_uses_the_datasets_len():
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(Stream(0, 7), batch_size=2))
    assert len(DataLoader(SizedStream(0, 7), batch_size=2)) == 4
    assert len(DataLoader(SizedStream(0, 7), batch_size=2, drop_last=True)) == 3
    assert len(DataLoader(SizedStream(0, 7), batch_size=None)) == 7
    assert epoch(DataLoader(SizedStream(0, 7), batch_size=3, drop_last=True)) == [
        ("int64", [0, 1, 2]),
        ("int64", [3, 4, 5]),
    ]


def test_an_iterable_dataset_longer_than_its_len_warns():
    class Liar(Stream):
        def __len__(self):
            return 2

    loader = DataLoader(Liar(0, 3), batch_size=None)
    len(loader)
    with pytest.warns(UserWarning, match="was reported to be 2"):
        assert len(list(loader)) == 3


def test_batch_size_none_converts_each_sample_without_batching():
    class Pairs(Dataset):
        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32), i

        def __len__(self):
            return 3

    out = list(DataLoader(Pairs(), batch_size=None))
    assert len(out) == 3 and isinstance(out[0], list)  # default_convert: a tuple becomes a list
    assert values(out[2]) == [("float32", [2.0, 2.0]), 2]


def test_a_sampler_and_a_batch_sampler_choose_the_order():
    assert epoch(DataLoader(Squares(5), sampler=[4, 0, 2], batch_size=2)) == [("int64", [16, 0]), ("int64", [4])]
    assert epoch(DataLoader(Squares(5), batch_sampler=[[3], [1, 2]])) == [("int64", [9]), ("int64", [1, 4])]


def test_shuffle_draws_from_the_loaders_generator():
    a = epoch(DataLoader(Squares(30), batch_size=7, shuffle=True, generator=Generator(4)))
    b = epoch(DataLoader(Squares(30), batch_size=7, shuffle=True, generator=Generator(4)))
    assert a == b and sorted(sum((v for _, v in a), [])) == [i * i for i in range(30)]


# ---- collation ----


def test_default_collate_numbers_follow_torch_tensor_inference():
    assert values(default_collate([1, 2])) == ("int64", [1, 2])
    assert values(default_collate([1.5, 2.0])) == ("float64", [1.5, 2.0])
    assert values(default_collate([True, False])) == ("bool", [True, False])
    assert values(default_collate([1, 2.5])) == ("float32", [1.0, 2.5])  # torch.tensor([1, 2.5]): default float
    assert values(default_collate([np.float32(1), np.float32(2)])) == ("float32", [1.0, 2.0])
    assert values(default_collate([np.int16(1), np.int16(2)])) == ("int16", [1, 2])
    assert values(default_collate([np.float64(1), 2.0])) == ("float64", [1.0, 2.0])
    assert values(default_collate([np.bool_(True)])) == ("bool", [True])
    assert values(default_collate([np.array(3), np.array(4)])) == ("int64", [3, 4])


def test_default_collate_nested_structures():
    batch = [
        {"p": Point(np.ones(2, np.float32), [1, 2.0]), "name": "a", "raw": b"x"},
        {"p": Point(np.zeros(2, np.float32), [3, 4.0]), "name": "b", "raw": b"y"},
    ]
    out = default_collate(batch)
    assert isinstance(out["p"], Point) and isinstance(out["p"].y, list)
    assert values(out) == {
        "p": Point(("float32", [[1.0, 1.0], [0.0, 0.0]]), [("int64", [1, 3]), ("float64", [2.0, 4.0])]),
        "name": ["a", "b"],
        "raw": [b"x", b"y"],
    }
    # A tuple sample gives a list (torch's "backwards compatibility"); a mapping type is kept.
    assert values(default_collate([(1, 2.0), (3, 4.0)])) == [("int64", [1, 3]), ("float64", [2.0, 4.0])]
    ordered = default_collate([OrderedDict(b=1, a=2), OrderedDict(b=3, a=4)])
    assert isinstance(ordered, OrderedDict) and list(ordered) == ["b", "a"]
    dd = default_collate([collections.defaultdict(int, k=1)])
    assert isinstance(dd, collections.defaultdict) and values(dd["k"]) == ("int64", [1])


def test_default_collate_rebuilds_immutable_sequence_types_it_can():
    class Pair(collections.abc.Sequence):
        def __init__(self, items):
            self.items = list(items)

        def __getitem__(self, i):
            return self.items[i]

        def __len__(self):
            return len(self.items)

    out = default_collate([Pair([1, 2]), Pair([3, 4])])
    assert isinstance(out, Pair) and values(out.items) == [("int64", [1, 3]), ("int64", [2, 4])]


def test_default_collate_stacks_tensors_and_keeps_their_dtype():
    t = default_collate([autograd.tensor([1, 2], dtype=np.int32), autograd.tensor([3, 4], dtype=np.int32)])
    assert values(t) == ("int32", [[1, 2], [3, 4]])


def test_default_collate_errors_have_torchs_types():
    with pytest.raises(RuntimeError, match=r"different shapes: \[2\] at entry 0 and \[3\] at entry 1"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(RuntimeError, match="different shapes"):
        default_collate([autograd.zeros(2), autograd.zeros(3)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(TypeError, match="batch must contain tensors, numpy arrays, numbers, dicts or lists; found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        default_collate([None, None])
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        default_collate([autograd.zeros(2), 1])
    with pytest.raises(TypeError, match="element 1 of a batch of numbers is a str"):
        default_collate([1, "a"])
    with pytest.raises(IndexError, match="the batch is empty"):
        default_collate([])


def test_default_convert_turns_numpy_into_tensors_and_keeps_the_rest():
    a = np.arange(3)
    t = default_convert(a)
    assert isinstance(t, autograd.Tensor) and np.shares_memory(t.array, a)  # as torch.as_tensor: no copy
    assert values(default_convert(np.float32(2))) == ("float32", 2.0)
    assert default_convert(3) == 3 and default_convert("s") == "s"
    strings = np.array(["a"])
    assert default_convert(strings) is strings
    tensor = autograd.zeros(2)
    assert default_convert(tensor) is tensor
    assert values(default_convert(Point(np.array(0), 1))) == Point(("int64", 0), 1)
    assert values(default_convert((np.array([1]), [np.array(2.0)]))) == [("int64", [1]), [("float64", 2.0)]]
    assert values(default_convert({"k": np.array([True])})) == {"k": ("bool", [True])}


# ---- worker processes ----


class Noisy(Dataset):
    """Sample i: (i, a draw from each global generator the worker seeds, the worker's id and seed)."""

    def __len__(self):
        return 23

    def __getitem__(self, i):
        info = get_worker_info()
        return {
            "i": i,
            "autograd": float(autograd.random.get_rng().random()),
            "numpy": float(np.random.rand()),
            "worker": -1 if info is None else info.id,
            "seed": -1 if info is None else info.seed,
        }


@pytest.mark.parametrize("fast", [True, False])
def test_workers_give_the_same_batches_in_the_same_order_as_the_main_process(fast):
    X = np.random.default_rng(0).normal(size=(37, 3)).astype(np.float32)
    ds = TensorDataset(X, np.arange(37))
    ds = ds if fast else Subset(StackDataset(Squares(37), ds), range(37))  # the per-sample path

    def two_epochs(workers):
        autograd.manual_seed(11)
        loader = DataLoader(ds, batch_size=5, shuffle=True, num_workers=workers)
        return [epoch(loader), epoch(loader)]

    reference = two_epochs(0)
    assert reference[0] != reference[1]
    assert two_epochs(1) == reference
    assert two_epochs(2) == reference


def test_worker_seeds_are_base_seed_plus_id_and_reproducible():
    def run():
        autograd.manual_seed(5)
        return [b for b in epoch(DataLoader(Noisy(), batch_size=4, num_workers=2))]

    first, second = run(), run()
    assert first == second  # the same draws in every worker, for the same manual_seed
    workers = [b["worker"][1] for b in first]
    assert workers == [[0] * 4, [1] * 4, [0] * 4, [1] * 4, [0] * 4, [1] * 3]  # batches go to the workers in turn
    seeds = {b["worker"][1][0]: b["seed"][1][0] for b in first}
    assert seeds[1] == seeds[0] + 1
    autograd.manual_seed(5)
    assert seeds[0] == int(autograd.random.get_rng().integers(0, 2**63 - 1))  # the base seed the loader draws
    draws = [v for b in first for v in b["numpy"][1] + b["autograd"][1]]
    assert len(set(draws)) == len(draws)  # the workers' streams differ
    autograd.manual_seed(6)
    assert epoch(DataLoader(Noisy(), batch_size=4, num_workers=2)) != first


def test_generate_state_matches_torchs_numpy_seed_for_known_values():
    # Values printed by torch.utils.data._utils.worker._generate_state (torch 2.13).
    assert _generate_state(0, 0) == [2968811710, 3677149159, 745650761, 2884920346]
    assert _generate_state(2**40 + 7, 3) == [400740237, 3779043709, 3128233089, 477537302]
    assert _generate_state(123456789012345, 1) == [470203773, 4173466889, 748208948, 3177297813]


def test_get_worker_info_is_none_in_the_main_process():
    assert get_worker_info() is None
    assert all(w == -1 for b in epoch(DataLoader(Noisy(), batch_size=8)) for w in b["worker"][1])


class Stamped(Dataset):
    """Samples report what worker_init_fn did to this worker's copy of the dataset."""

    def __init__(self):
        self.stamp, self.inits = None, 0

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return [i, self.stamp, self.inits, info.dataset is self, info.num_workers]


def stamp_worker(worker_id):
    info = get_worker_info()
    info.dataset.stamp = worker_id * 100
    info.dataset.inits += 1


def test_worker_init_fn_runs_once_in_each_worker_on_its_copy_of_the_dataset():
    ds = Stamped()
    batches = [values(b) for b in DataLoader(ds, batch_size=2, num_workers=2, worker_init_fn=stamp_worker)]
    assert [b[1][1] for b in batches] == [[0, 0], [100, 100]] * 2
    assert all(b[2][1] == [1, 1] and b[3][1] == [True, True] and b[4][1] == [2, 2] for b in batches)
    assert ds.stamp is None and ds.inits == 0  # the main process's dataset is untouched


def test_persistent_workers_keep_their_dataset_copies_across_epochs():
    loader = DataLoader(Stamped(), batch_size=2, num_workers=2, worker_init_fn=stamp_worker, persistent_workers=True)
    for _ in range(3):
        batches = epoch(loader)
        assert [b[0][1] for b in batches] == [[0, 1], [2, 3], [4, 5], [6, 7]]
        assert all(b[2][1] == [1, 1] for b in batches)  # worker_init_fn ran once, not once per epoch
    first = next(iter(loader))  # an epoch abandoned after one batch; the next starts cleanly
    assert values(first)[0] == ("int64", [0, 1])
    assert len(epoch(loader)) == 4


@pytest.mark.filterwarnings("ignore:This DataLoader will create")  # on machines with fewer CPUs than workers
def test_iterable_dataset_sharded_with_get_worker_info_as_torch_documents():
    assert epoch(DataLoader(Stream(3, 7), num_workers=0)) == [("int64", [i]) for i in (3, 4, 5, 6)]
    # Worker 0 reads [3, 4], worker 1 [5, 6]; batches come from the workers in turn.
    assert epoch(DataLoader(Stream(3, 7), num_workers=2)) == [("int64", [i]) for i in (3, 5, 4, 6)]
    assert epoch(DataLoader(Stream(3, 7), num_workers=12)) == [("int64", [i]) for i in (3, 4, 5, 6)]
    batches = epoch(DataLoader(Stream(0, 11), batch_size=2, num_workers=3))
    assert [v for _, v in batches] == [[0, 1], [4, 5], [8, 9], [2, 3], [6, 7], [10]]
    dropped = epoch(DataLoader(Stream(0, 11), batch_size=2, num_workers=3, drop_last=True))
    assert [v for _, v in dropped] == [[0, 1], [4, 5], [8, 9], [2, 3], [6, 7]]  # each worker drops its own


def shard_in_init(worker_id):
    info = get_worker_info()
    ds = info.dataset
    per_worker = -(-(ds.end - ds.start) // info.num_workers)
    ds.start = ds.start + worker_id * per_worker
    ds.end = min(ds.start + per_worker, ds.end)


def test_more_workers_than_cpus_warns_as_torch(monkeypatch):
    import nn.data.dataloader as dataloader

    monkeypatch.setattr(dataloader, "_suggested_max_workers", lambda: 2)
    with pytest.warns(UserWarning, match="create 3 worker processes in total. Our suggested max number of worker"):
        DataLoader(Squares(3), num_workers=3)


def test_iterable_dataset_unsharded_repeats_and_sharded_in_worker_init_fn_does_not():
    unsharded = Stream(3, 7, shard=False)
    assert [v[0] for _, v in epoch(DataLoader(unsharded, num_workers=2))] == [3, 3, 4, 4, 5, 5, 6, 6]
    loader = DataLoader(unsharded, num_workers=2, worker_init_fn=shard_in_init)
    assert [v[0] for _, v in epoch(loader)] == [3, 5, 4, 6]


def test_iterable_dataset_with_persistent_workers_restarts_each_epoch():
    loader = DataLoader(Stream(0, 9), batch_size=2, num_workers=2, persistent_workers=True)
    assert epoch(loader) == epoch(loader) == epoch(DataLoader(Stream(0, 9), batch_size=2, num_workers=2))


def test_in_order_false_yields_every_batch():
    class Slow(Squares):
        def __getitem__(self, i):
            time.sleep(0.5 if i < 2 else 0)  # worker 0's first batch is slow
            return i

    batches = epoch(DataLoader(Slow(8), batch_size=2, num_workers=2, in_order=False))
    assert sorted(v for _, b in batches for v in b) == list(range(8))
    assert batches[0][1] == [2, 3]  # the slow first batch did not hold the others back


def test_spawn_context_works_with_an_importable_dataset():
    ds = TensorDataset(np.arange(6.0))
    loader = DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn")
    assert epoch(loader) == [[("float64", [0.0, 1.0, 2.0, 3.0])], [("float64", [4.0, 5.0])]]


def test_the_fast_path_runs_in_the_workers_too(monkeypatch):
    def no_getitem(self, i):
        raise AssertionError("the fast path must not index samples one at a time")

    monkeypatch.setattr(TensorDataset, "__getitem__", no_getitem)  # inherited by the forked workers
    ds = TensorDataset(np.arange(10), np.arange(10) * 2.0)
    batches = epoch(DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context="fork"))
    assert batches[2] == [("int64", [8, 9]), ("float64", [16.0, 18.0])]


class Faulty(Dataset):
    def __init__(self, exc):
        self.exc = exc

    def __len__(self):
        return 12

    def __getitem__(self, i):
        if i == 7:
            raise self.exc
        return i


class NeedsTwoArgs(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a} {b}")


def test_a_worker_exception_is_raised_again_naming_the_worker_and_the_indices():
    it = iter(DataLoader(Faulty(ValueError("sample 7 is corrupt")), batch_size=3, num_workers=2))
    assert values(next(it)) == ("int64", [0, 1, 2])
    assert values(next(it)) == ("int64", [3, 4, 5])
    with pytest.raises(ValueError) as info:
        next(it)
    message = str(info.value)
    # Batches go to the workers in turn: batch 2 (indices 6, 7, 8) is worker 0's.
    assert message.startswith("Caught ValueError in DataLoader worker process 0 while fetching batch 2")
    assert "(dataset indices [6, 7, 8])" in message
    assert "sample 7 is corrupt" in message and "Original Traceback" in message
    assert values(next(it)) == ("int64", [9, 10, 11])  # as torch, the epoch can go on past a bad batch


def test_worker_exceptions_keep_their_type_or_become_runtime_errors():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        list(DataLoader(Faulty(KeyError("k")), batch_size=4, num_workers=1))
    with pytest.raises(RuntimeError, match="Caught NeedsTwoArgs in DataLoader worker process 1"):
        list(DataLoader(Faulty(NeedsTwoArgs(1, 2)), batch_size=4, num_workers=2))


def test_a_failing_worker_init_fn_is_reported():
    def bad_init(worker_id):
        raise OSError(f"cannot open shard {worker_id}")

    with pytest.raises(OSError, match=r"worker process 0 \(in worker_init_fn\)(.|\n)*cannot open shard 0"):
        list(DataLoader(Squares(4), num_workers=1, worker_init_fn=bad_init))


def test_a_batch_that_cannot_be_pickled_is_an_error_not_a_hang():
    with pytest.raises(Exception, match="sending batch 0 back"):
        list(DataLoader(Squares(4), batch_size=2, num_workers=1, collate_fn=lambda b: (lambda: b)))


def test_timeout_bounds_the_wait_for_a_batch():
    class Sleepy(Squares):
        def __getitem__(self, i):
            time.sleep(1.0)
            return i

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(DataLoader(Sleepy(2), num_workers=1, timeout=0.2))


def test_a_worker_that_dies_is_reported():
    class Crashing(Squares):
        def __getitem__(self, i):
            os._exit(3)

    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly \(exit code"):
        list(DataLoader(Crashing(2), num_workers=1))


def test_exception_wrapper_round_trips_through_pickle():
    try:
        raise ValueError("boom")
    except ValueError:
        wrapped = ExceptionWrapper(where="in test")
    again = pickle.loads(pickle.dumps(wrapped))
    with pytest.raises(ValueError, match="Caught ValueError in test.\nOriginal Traceback(.|\n)*boom"):
        again.reraise()


def test_worker_loaders_leave_no_processes_behind():
    before = set(multiprocessing.active_children())
    loader = DataLoader(Squares(10), batch_size=3, num_workers=2)
    assert len(list(loader)) == 4
    it = iter(loader)
    next(it)
    del it  # abandoned mid-epoch
    cyclic = iter(loader)
    next(cyclic)
    cyclic.me = cyclic  # freed by the garbage collector, which closes its queues before calling __del__
    del cyclic
    gc.collect()
    deadline = time.monotonic() + 3
    while set(multiprocessing.active_children()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(multiprocessing.active_children()) - before
