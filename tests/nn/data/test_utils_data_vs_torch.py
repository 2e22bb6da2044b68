"""nn.data against torch.utils.data on the same inputs: batch structure, dtypes, values, lengths and error types.

Shuffled orders are not compared (the generators differ), only what does not depend on them.
"""

from collections import OrderedDict, namedtuple

import numpy as np
import pytest

torch = pytest.importorskip("torch")
tud = torch.utils.data

import autograd  # noqa: E402
import nn.data as ours  # noqa: E402

Point = namedtuple("Point", "x y")
# Both libraries warn when a test asks for more workers than this machine has CPUs.
pytestmark = pytest.mark.filterwarnings("ignore:This DataLoader will create")


def plain(batch):
    """A batch of either library as plain Python: tensors become (dtype name, nested lists)."""
    if isinstance(batch, autograd.Tensor):
        return ("tensor", batch.array.dtype.name, batch.array.tolist())
    if isinstance(batch, torch.Tensor):
        return ("tensor", str(batch.dtype).removeprefix("torch."), batch.tolist())
    if isinstance(batch, dict):
        return (type(batch).__name__, {k: plain(v) for k, v in batch.items()})
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return (type(batch).__name__, [plain(v) for v in batch])
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [plain(v) for v in batch])
    return batch


def both(fn):
    """fn run with each library's data module and tensor constructor: (ours, torch's), as plain Python."""
    return plain(fn(ours, autograd.tensor)), plain(fn(tud, torch.tensor))


def same_error(fn):
    """fn raises the same exception type with ours and with torch."""
    errors = []
    for lib, tensor in ((ours, autograd.tensor), (tud, torch.tensor)):
        with pytest.raises(Exception) as info:
            fn(lib, tensor)
        errors.append(info.type)
    return errors[0] is errors[1] or issubclass(errors[0], errors[1])


SAMPLE_BATCHES = {
    "ints": lambda t: [1, 2, 3],
    "floats": lambda t: [1.5, 2.0],
    "bools": lambda t: [True, False],
    "int then float": lambda t: [1, 2.5],
    "bool and int": lambda t: [True, 2],
    "numpy float32 scalars": lambda t: [np.float32(1), np.float32(2)],
    "numpy int16 scalars": lambda t: [np.int16(1), np.int16(2)],
    "numpy float64 and float": lambda t: [np.float64(1), 2.0],
    "float and numpy float32": lambda t: [1.0, np.float32(2)],
    "0-d arrays": lambda t: [np.array(3), np.array(4)],
    "uint8 arrays": lambda t: [np.zeros((2, 2), np.uint8), np.ones((2, 2), np.uint8)],
    "strings": lambda t: ["a", "b"],
    "bytes": lambda t: [b"a", b"b"],
    "numpy strings": lambda t: [np.str_("a"), np.str_("b")],
    "tensors": lambda t: [t([1, 2]), t([3, 4])],
    "float tensors": lambda t: [t([[1.0]]), t([[3.0]])],
    "tuples": lambda t: [(1, 2.0), (3, 4.0)],
    "lists": lambda t: [[1, 2], [3, 4]],
    "dicts": lambda t: [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    "ordered dicts": lambda t: [OrderedDict(b=1, a=2.0), OrderedDict(b=3, a=4.0)],
    "namedtuples": lambda t: [Point(1, np.ones(2)), Point(2, np.zeros(2))],
    "nested": lambda t: [
        {"img": np.ones((1, 2), np.float32), "meta": (1, [2.5, "s"]), "p": Point(t([1.0]), True)},
        {"img": np.zeros((1, 2), np.float32), "meta": (3, [4.5, "t"]), "p": Point(t([2.0]), False)},
    ],
}


@pytest.mark.parametrize("name", sorted(SAMPLE_BATCHES))
def test_default_collate_matches_torch(name):
    mine, theirs = both(lambda lib, t: lib.default_collate(SAMPLE_BATCHES[name](t)))
    assert mine == theirs


@pytest.mark.parametrize("name", sorted(SAMPLE_BATCHES))
def test_default_convert_matches_torch(name):
    mine, theirs = both(lambda lib, t: lib.default_convert(SAMPLE_BATCHES[name](t)))
    assert mine == theirs


@pytest.mark.parametrize(
    "batch",
    [
        lambda t: [np.zeros(2), np.zeros(3)],
        lambda t: [t([1.0, 2.0]), t([1.0])],
        lambda t: [[1, 2], [1]],
        lambda t: [(1, 2), (1, 2, 3)],
        lambda t: [object(), object()],
        lambda t: [None],
        lambda t: [np.array(["a"])],
        lambda t: [t([1]), 1],
        lambda t: [1, "a"],
        lambda t: [],
    ],
)
def test_default_collate_errors_have_torchs_types(batch):
    assert same_error(lambda lib, t: lib.default_collate(batch(t)))


class Records:
    """A map-style dataset as a plain class (no base class), the same for both libraries."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return {"x": np.full(3, i, dtype=np.float32), "y": i % 3, "w": i / 2, "name": f"s{i}", "pair": (i, [i, -i])}

    def __len__(self):
        return self.n


LOADER_OPTIONS = [
    dict(),
    dict(batch_size=4),
    dict(batch_size=4, drop_last=True),
    dict(batch_size=5),
    dict(batch_size=None),
    dict(batch_size=3, sampler=[9, 0, 4, 4, 1]),
    dict(batch_sampler=[[3, 1], [0], [2, 2, 2]]),
    dict(batch_size=3, collate_fn=lambda b: [s["y"] for s in b]),
    dict(batch_size=4, num_workers=2),
    dict(batch_size=4, num_workers=2, drop_last=True, prefetch_factor=1),
    dict(batch_size=None, num_workers=1),
]


@pytest.mark.parametrize("kwargs", LOADER_OPTIONS, ids=str)
def test_an_epoch_matches_torch(kwargs):
    mine, theirs = both(lambda lib, t: list(lib.DataLoader(Records(10), **kwargs)))
    assert mine == theirs
    assert len(ours.DataLoader(Records(10), **kwargs)) == len(tud.DataLoader(Records(10), **kwargs))


def shape_of(batch):
    """The structure, dtypes and shapes of a batch, not its values."""
    if isinstance(batch, tuple) and batch and batch[0] == "tensor":
        return ("tensor", batch[1], np.shape(batch[2]))
    if isinstance(batch, tuple):
        return (batch[0], shape_of(batch[1]))
    if isinstance(batch, dict):
        return {k: shape_of(v) for k, v in batch.items()}
    if isinstance(batch, list):
        return [shape_of(v) for v in batch]
    return type(batch).__name__


@pytest.mark.parametrize("drop_last", [False, True])
def test_a_shuffled_epoch_has_torchs_batch_structure_and_covers_the_same_samples(drop_last):
    mine, theirs = both(lambda lib, t: list(lib.DataLoader(Records(11), batch_size=4, shuffle=True,
                                                         drop_last=drop_last)))
    assert shape_of(mine) == shape_of(theirs)
    if not drop_last:
        ids = [sorted(v for b in batches[1] for v in b[1]["y"][2]) for batches in (mine, theirs)]
        assert ids[0] == ids[1]


def stream_class(lib, shard):
    class Stream(lib.IterableDataset):
        def __init__(self, start, end):
            self.start, self.end = start, end

        def __iter__(self):
            info = lib.get_worker_info()
            if info is None or not shard:
                return iter(range(self.start, self.end))
            per_worker = -(-(self.end - self.start) // info.num_workers)
            start = self.start + info.id * per_worker
            return iter(range(start, min(start + per_worker, self.end)))

        def __len__(self):
            return self.end - self.start

    return Stream


@pytest.mark.parametrize(
    "shard, kwargs",
    [
        (True, dict()),
        (True, dict(batch_size=2)),
        (True, dict(batch_size=2, drop_last=True)),
        (True, dict(batch_size=None)),
        (True, dict(batch_size=2, num_workers=2)),
        (True, dict(batch_size=2, num_workers=3, drop_last=True)),
        (False, dict(batch_size=3, num_workers=2)),
    ],
    ids=str,
)
def test_an_iterable_dataset_epoch_matches_torch(shard, kwargs):
    mine, theirs = both(lambda lib, t: list(lib.DataLoader(stream_class(lib, shard)(0, 11), **kwargs)))
    assert mine == theirs
    n = [len(lib.DataLoader(stream_class(lib, shard)(0, 11), **kwargs)) for lib in (ours, tud)]
    assert n[0] == n[1]


def test_chain_concat_stack_and_subset_match_torch():
    def build(lib, t):
        a, b = Records(3), Records(2)
        stream = stream_class(lib, True)
        return [
            [lib.ConcatDataset([a, b])[i]["y"] for i in range(-5, 5)],
            list(lib.ChainDataset([stream(0, 2), stream(5, 7)])),
            len(lib.ChainDataset([stream(0, 2), stream(5, 7)])),
            lib.StackDataset(a, Records(3))[1][1]["name"],
            lib.StackDataset(left=a, right=a).__getitems__([0, 2])[1]["right"]["name"],
            lib.Subset(a, [2, 0]).__getitems__([1, 0])[0]["name"],
            list(lib.DataLoader(lib.TensorDataset(t([1, 2, 3]), t([4.0, 5.0, 6.0])), batch_size=2)),
            list(lib.DataLoader(lib.Subset(lib.TensorDataset(t([1, 2, 3])), [2, 0]), batch_size=2)),
        ]

    mine, theirs = both(build)
    assert mine == theirs


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, t: lib.ConcatDataset([]),
        lambda lib, t: lib.ConcatDataset([stream_class(lib, True)(0, 1)]),
        lambda lib, t: lib.ConcatDataset([Records(2)])[-3],
        lambda lib, t: list(lib.ChainDataset([Records(2)])),
        lambda lib, t: lib.StackDataset(Records(2), Records(3)),
        lambda lib, t: lib.StackDataset(),
        lambda lib, t: lib.StackDataset(Records(2), b=Records(2)),
        lambda lib, t: lib.TensorDataset(t([1, 2]), t([1])),
        lambda lib, t: len(lib.Dataset()),
        lambda lib, t: lib.Dataset()[0],
    ],
)
def test_dataset_errors_have_torchs_types(make):
    assert same_error(make)


def test_samplers_match_torch():
    def build(lib, t):
        return [
            list(lib.SequentialSampler(range(4))),
            list(lib.BatchSampler(lib.SequentialSampler(range(10)), 3, False)),
            list(lib.BatchSampler(range(10), 3, True)),
            len(lib.BatchSampler(range(10), 4, False)),
            len(lib.RandomSampler(range(5))),
            len(lib.RandomSampler(range(5), replacement=True, num_samples=12)),
            len(list(lib.RandomSampler(range(5), num_samples=12))),
            sorted(lib.RandomSampler(range(5))),
            sorted(lib.SubsetRandomSampler([7, 3, 9])),
            sorted(lib.WeightedRandomSampler([0.0, 1.0, 2.0, 0.0], 4, replacement=False))[2:],
            len(lib.WeightedRandomSampler([1.0, 2.0], 7)),
            plain(lib.WeightedRandomSampler([1, 2], 2).weights),
        ]

    mine, theirs = both(build)
    assert mine == theirs


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.RandomSampler(range(3), replacement=1),
        lambda lib: lib.RandomSampler(range(3), num_samples=0),
        lambda lib: lib.RandomSampler([]),
        lambda lib: lib.WeightedRandomSampler([1.0], 0),
        lambda lib: lib.WeightedRandomSampler([1.0], 1, replacement=0),
        lambda lib: lib.WeightedRandomSampler([[1.0]], 1),
        lambda lib: list(lib.WeightedRandomSampler([1.0, -1.0], 1)),
        lambda lib: list(lib.WeightedRandomSampler([0.0, 0.0], 1)),
        lambda lib: list(lib.WeightedRandomSampler([1.0, 1.0], 3, replacement=False)),
        lambda lib: lib.BatchSampler(range(3), 0, False),
        lambda lib: lib.BatchSampler(range(3), 2, None),
        lambda lib: iter(lib.Sampler()),
    ],
)
def test_sampler_errors_have_torchs_types(make):
    assert same_error(lambda lib, t: make(lib))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(batch_sampler=[[0]], batch_size=2),
        dict(batch_sampler=[[0]], shuffle=True),
        dict(batch_sampler=[[0]], sampler=[0]),
        dict(batch_sampler=[[0]], drop_last=True),
        dict(sampler=[0], shuffle=True),
        dict(batch_size=None, drop_last=True),
        dict(num_workers=-1),
        dict(timeout=-1),
        dict(prefetch_factor=2),
        dict(persistent_workers=True),
        dict(multiprocessing_context="fork"),
        dict(num_workers=1, multiprocessing_context="nope"),
        dict(num_workers=1, multiprocessing_context=3),
        dict(batch_size=0),
        dict(batch_size=2.5),
        dict(drop_last=1),
    ],
    ids=str,
)
def test_loader_option_errors_have_torchs_types(kwargs):
    assert same_error(lambda lib, t: lib.DataLoader(Records(4), **kwargs))


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])], ids=str)
def test_iterable_dataset_option_errors_have_torchs_types(kwargs):
    assert same_error(lambda lib, t: lib.DataLoader(stream_class(lib, True)(0, 3), **kwargs))


def test_len_errors_and_frozen_attributes_have_torchs_types():
    class Unsized:
        def __getitem__(self, i):
            return i

    assert same_error(lambda lib, t: len(lib.DataLoader(Unsized())))
    assert same_error(lambda lib, t: iter(lib.DataLoader(Records(3), timeout=1)))
    assert same_error(lambda lib, t: setattr(lib.DataLoader(Records(3)), "batch_size", 2))


class Faulty(Records):
    def __getitem__(self, i):
        if i == 5:
            raise KeyError("missing")
        return super().__getitem__(i)


def test_a_worker_error_reaches_the_main_process_as_in_torch():
    messages = []
    for lib in (ours, tud):
        with pytest.raises(KeyError) as info:
            list(lib.DataLoader(Faulty(8), batch_size=2, num_workers=2))
        messages.append(str(info.value))
    for message in messages:
        assert "Caught KeyError in DataLoader worker process 0" in message and "'missing'" in message


def worker_view(lib):
    class View:
        def __getitem__(self, i):
            info = lib.get_worker_info()
            return [info.id, info.num_workers, info.seed, type(info.dataset).__name__]

        def __len__(self):
            return 4

    return View


def test_worker_info_fields_match_torch():
    for lib in (ours, tud):
        assert lib.get_worker_info() is None
    mine, theirs = both(lambda lib, t: list(lib.DataLoader(worker_view(lib)(), batch_size=2, num_workers=2)))
    for _, batches in (mine, theirs):
        # Each batch collates [id, num_workers, seed, dataset type] per sample into a list of four fields.
        ids, workers, seeds, names = ([b[1][k][2] if k < 3 else b[1][k] for b in batches] for k in range(4))
        assert ids == [[0, 0], [1, 1]] and workers == [[2, 2], [2, 2]]
        assert seeds[1][0] == seeds[0][0] + 1
        assert names[0] == ("tuple", ["View", "View"])  # strings in a field stay the tuple zip made, as torch
