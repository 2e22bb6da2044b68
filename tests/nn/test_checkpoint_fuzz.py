"""Fuzzing nn.load with damaged and crafted checkpoints: it raises CheckpointError (or loads the very object that
was saved), never a raw RecursionError, MemoryError, TypeError, KeyError, zipfile.BadZipFile or numpy's ValueError.

Each strategy mutates a valid checkpoint: truncation, flipped bytes, rewritten .npy headers (other dtypes, huge,
negative or malformed shapes, garbage), and replaced metadata (random and deeply nested JSON, non-JSON bytes).
4,800 cases in all (CASES; truncations and flips of a stored and of a deflated copy); about 10 s on 2 cores.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
import nn
from nn.serialization import META_KEY, CheckpointError

CASES = {"truncate": 300, "flip": 2000, "dtype": 500, "shape": 500, "metadata": 1500}


def fuzz_settings(name: str):
    return settings(max_examples=CASES[name], deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _original():
    autograd.manual_seed(0)
    return {
        "model": OrderedDict([("fc.weight", autograd.randn(4, 3)), ("fc.bias", autograd.zeros(4)),
                              ("w", nn.Parameter(autograd.randn(2, 2)))]),
        "optim": {"state": {0: {"step": autograd.tensor(3.0), "exp_avg": np.arange(6, dtype=np.int16).reshape(2, 3),
                                "f": np.asfortranarray(np.ones((2, 3)))}},
                  "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0], "count": np.int64(5),
                                    "name": None, "flag": True}]},
    }


ORIGINAL = _original()


def _checkpoint_bytes(obj) -> bytes:
    buf = io.BytesIO()
    nn.save(obj, buf)
    return buf.getvalue()


VALID = _checkpoint_bytes(ORIGINAL)
with zipfile.ZipFile(io.BytesIO(VALID)) as _z:
    ENTRIES = {name: _z.read(name) for name in _z.namelist()}
ARRAY_ENTRIES = sorted(ENTRIES)


def same(a, b) -> bool:
    """Equal values, types, dtypes and container kinds (and key order)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, autograd.Tensor):
        return (a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
                and np.array_equal(a.array, b.array))
    if isinstance(a, np.ndarray | np.generic):
        return a.dtype == b.dtype and np.shape(a) == np.shape(b) and np.array_equal(a, b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_the_valid_checkpoints_load():
    assert same(nn.load(io.BytesIO(VALID)), ORIGINAL)
    assert same(nn.load(io.BytesIO(DEFLATED)), ORIGINAL)


def zip_with(replaced: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in ENTRIES.items():
            z.writestr(name, replaced.get(name, data))
    return buf.getvalue()


DEFLATED = zip_with({}, zipfile.ZIP_DEFLATED)  # np.savez_compressed's way: nn.save does not write it, load reads it
VALID_FILES = st.sampled_from([VALID, DEFLATED])


def npy(header: str, data: bytes, version: int = 1) -> bytes:
    """A .npy entry with this header text (a dict literal, or anything) and these data bytes."""
    text = header.encode("latin1", "replace")
    if version == 1:
        return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text + data
    return b"\x93NUMPY\x02\x00" + len(text).to_bytes(4, "little") + text + data


def data_of(name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(VALID)) as z, z.open(name) as e:
        assert np.lib.format.read_magic(e) == (1, 0)
        np.lib.format.read_array_header_1_0(e)
        return e.read()


def load_checked(blob: bytes) -> object:
    """Only CheckpointError may come out; a file that loads must give back exactly the saved object (or, for a
    consistent crafted file, something, but never a crash)."""
    try:
        return nn.load(io.BytesIO(blob))
    except CheckpointError as e:
        msg = str(e)
        assert msg.startswith("nn.load: file object") and "\n" not in msg, msg
        return CheckpointError


@fuzz_settings("truncate")
@given(VALID_FILES, st.data())
def test_truncated(valid, data):
    assert load_checked(valid[: data.draw(st.integers(0, len(valid) - 1))]) is CheckpointError


@fuzz_settings("flip")
@given(VALID_FILES, st.data())
def test_flipped_bytes_are_caught_or_harmless(valid, data):
    blob = bytearray(valid)
    for pos, mask in data.draw(st.lists(st.tuples(st.integers(0, len(blob) - 1), st.integers(1, 255)), min_size=1,
                                        max_size=4)):
        blob[pos] ^= mask
    got = load_checked(bytes(blob))
    # A flip in the data or the metadata is caught by the entries' CRCs; one that loads hit a field that does not
    # matter (a timestamp, say), so it must give back exactly what was saved: never a silently different weight.
    assert got is CheckpointError or same(got, ORIGINAL)


def _itemsize(descr: str) -> int:
    try:
        return np.dtype(descr.strip("'")).itemsize
    except (TypeError, ValueError):
        return 1


ITEMSIZE = {"[('a', '<f4')]": 4, "('<f4', (2,))": 8}
DESCRS = ["<f4", "<f8", ">f4", "<i8", "|u1", "|b1", "<c16", "<f2", "|O", "<U3", "|S4", "|V8", "<M8[s]", "<m8[D]",
          "[('a', '<f4')]", "('<f4', (2,))", "'<f4'", "12", "None", "[]", "{}", "'O'"]


@fuzz_settings("dtype")
@given(st.sampled_from(ARRAY_ENTRIES), st.sampled_from(DESCRS), st.booleans(),
       st.sampled_from(["keep", "match", "empty"]))
def test_wrong_dtypes(name, descr, fortran, shape_kind):
    data = data_of(name)
    if shape_kind == "match":  # a shape that fits the bytes when the dtype's itemsize divides them
        size = ITEMSIZE.get(descr) or _itemsize(descr)
        shape = (len(data) // size,) if size and len(data) % size == 0 else (len(data),)
    elif shape_kind == "empty":
        shape, data = (0,), b""
    else:
        shape = (len(data),)
    header = f"{{'descr': {descr if descr[0] in '[(' or descr in ('12', 'None') else repr(descr)}, " \
             f"'fortran_order': {fortran}, 'shape': {shape}, }}\n"
    load_checked(zip_with({name: npy(header, data)}))


SHAPE_DIMS = st.one_of(st.integers(-3, 8), st.integers(2**31, 2**80), st.just(True), st.just(1.5), st.just("3"))


@fuzz_settings("shape")
@given(st.sampled_from(ARRAY_ENTRIES),
       st.one_of(st.lists(SHAPE_DIMS, max_size=4), st.lists(st.integers(0, 3), min_size=60, max_size=80),
                 st.lists(st.integers(2**20, 2**40), min_size=1, max_size=3)),
       st.booleans(), st.sampled_from([1, 2]), st.one_of(st.none(), st.text(max_size=60)))
def test_huge_and_malformed_shapes(name, dims, fortran, version, garbage):
    shape = "(" + "".join(f"{d!r}, " for d in dims) + ")"
    header = garbage if garbage is not None else \
        f"{{'descr': '<f8', 'fortran_order': {fortran}, 'shape': {shape}, }}\n"
    load_checked(zip_with({name: npy(header, data_of(name), version)}))


KEYS = [n[:-4] for n in ARRAY_ENTRIES] + ["missing", ""]
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=5))
NODE = st.recursive(
    st.one_of(LEAF, st.fixed_dictionaries({"T": st.sampled_from(["tensor", "parameter", "ndarray", "npscalar"]),
                                           "k": st.one_of(st.sampled_from(KEYS), LEAF)},
                                          optional={"rg": st.one_of(st.booleans(), LEAF)})),
    lambda inner: st.one_of(
        st.fixed_dictionaries({"T": st.sampled_from(["list", "tuple", "set", "bogus", 3])},
                              optional={"v": st.one_of(st.lists(inner, max_size=4), inner)}),
        st.fixed_dictionaries({"T": st.sampled_from(["dict", "odict"])},
                              optional={"items": st.one_of(st.lists(st.one_of(st.lists(inner, max_size=3), inner),
                                                                    max_size=4), inner)}),
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
    ),
    max_leaves=20,
)


def deep(depth: int, style: str) -> str:
    if style == "json":
        return "[" * depth + "]" * depth
    if style == "list":
        return '{"T": "list", "v": [' * depth + "null" + "]}" * depth
    return '{"T": "dict", "items": [["k", ' * depth + "1" + "]]}" * depth


META_TEXT = st.one_of(
    NODE.map(lambda root: json.dumps({"format": "pathgrad.nn.save", "version": 1, "root": root})),
    st.builds(lambda d, s: '{"format": "pathgrad.nn.save", "version": 1, "root": ' + deep(d, s) + "}",
              st.integers(1, 200_000), st.sampled_from(["json", "list", "dict"])),
    st.builds(lambda v: json.dumps({"format": "pathgrad.nn.save", "version": v, "root": None}),
              st.one_of(LEAF, st.lists(LEAF, max_size=2))),
    st.text(max_size=40),
    st.just('{"format": "pathgrad.nn.save", "root": 1, "version": 1' + "1" * 5000 + "}"),
)


@fuzz_settings("metadata")
@given(st.one_of(META_TEXT.map(str.encode), st.binary(max_size=40)))
def test_crafted_metadata(meta):
    header = f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({len(meta)},), }}\n"
    load_checked(zip_with({META_KEY + ".npy": npy(header, meta)}))


def test_declared_sizes_are_checked_before_allocating():
    # a 2**40-element float64 shape would need 8 TiB: refused from the header, nothing allocated
    name = "model/fc.weight.npy"
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }\n"
    with pytest.raises(CheckpointError, match=r"declares shape \(1099511627776,\).*but holds 48 bytes"):
        nn.load(io.BytesIO(zip_with({name: npy(header, data_of(name))})))


def test_deep_metadata_is_refused_by_depth():
    meta = ('{"format": "pathgrad.nn.save", "version": 1, "root": ' + deep(150, "list") + "}").encode()
    header = f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({len(meta)},), }}\n"
    with pytest.raises(CheckpointError, match="nests containers more than 100 deep"):
        nn.load(io.BytesIO(zip_with({META_KEY + ".npy": npy(header, meta)})))
