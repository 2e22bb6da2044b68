"""``nn.save`` / ``nn.load``: state dicts and nested structures in a NumPy ``.npz`` file, never a pickle.

Each array is stored as its own ``.npy`` entry; a flat dict of tensors (a model's ``state_dict``) keeps its keys as
entry names, so ``numpy.load(path)["fc.weight"]`` works in any NumPy program (and ``torch.from_numpy`` on it). One
more entry, ``__pathgrad__``, holds JSON (as uint8 bytes) describing the structure: which entries are Tensors or
arrays, and the Python containers and scalars around them, so that ``load`` rebuilds the same object. Loading never
executes code from the file (``allow_pickle=False``), unlike ``torch.load`` of an untrusted pickle.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from autograd import Tensor

from .parameter import Parameter

META_KEY = "__pathgrad__"
FORMAT = "pathgrad.nn.save"
VERSION = 1

PathOrFile = str | os.PathLike | IO[bytes]


class _Encoder:
    """Turns an object into a JSON-able tree plus a dict of named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, arr: np.ndarray, name: str, where: str) -> str:
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"nn.save: cannot save an array of dtype {arr.dtype} at {where}; only numeric arrays")
        key, n = name, 1
        while key in self.arrays or key == META_KEY or not key:
            key, n = f"{name}#{n}", n + 1
        self.arrays[key] = arr
        return key

    def encode(self, obj: Any, name: str, where: str) -> Any:
        if obj is None or isinstance(obj, bool | int | str):
            return obj
        if isinstance(obj, float):
            return obj  # json keeps floats as floats (1.0 stays 1.0), and writes nan/inf as NaN/Infinity
        if isinstance(obj, Tensor):
            node = {"T": "parameter" if isinstance(obj, Parameter) else "tensor",
                    "k": self.array(obj.array, name, where)}
            if obj.requires_grad:
                node["rg"] = True
            return node
        if isinstance(obj, np.ndarray):
            return {"T": "ndarray", "k": self.array(obj, name, where)}
        if isinstance(obj, np.generic):
            return {"T": "npscalar", "k": self.array(np.asarray(obj), name, where)}
        if isinstance(obj, list | tuple):
            kind = "list" if isinstance(obj, list) else "tuple"
            return {"T": kind, "v": [self.encode(v, f"{name}/{i}", f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            items = []
            for k, v in obj.items():
                if not isinstance(k, str | int | float | bool | tuple) and k is not None:
                    raise TypeError(f"nn.save: dict key {k!r} at {where} has type {type(k).__name__}; keys must be "
                                    "str, int, float, bool, None or tuples of those")
                items.append([self.encode(k, "", where), self.encode(v, f"{name}/{k}" if name else str(k),
                                                                      f"{where}[{k!r}]")])
            return {"T": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}
        raise TypeError(f"nn.save: cannot save an object of type {type(obj).__name__} at {where}; supported are "
                        "Tensors, numpy arrays, dicts, lists, tuples, str, int, float, bool and None")


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` (a state_dict, an optimiser's state_dict, or any nesting of dicts, lists, tuples, Tensors,
    arrays and Python scalars) to ``f``, a path (written exactly there, atomically) or a binary file object."""
    enc = _Encoder()
    tree = enc.encode(obj, "", "obj")
    meta = json.dumps({"format": FORMAT, "version": VERSION, "root": tree}).encode()
    arrays = dict(enc.arrays)
    arrays[META_KEY] = np.frombuffer(meta, dtype=np.uint8)
    if not isinstance(f, str | os.PathLike):
        np.savez(f, **arrays)
        return
    path = os.fspath(f)
    # write a temporary file and rename it, so an interrupted save never leaves a truncated checkpoint behind;
    # and pass a file object, because np.savez would append ".npz" to a path that lacks it
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".pathgrad-save-")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; give it the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


class _Decoder:
    def __init__(self, npz: Any, where: str) -> None:
        self.npz = npz
        self.where = where

    def fail(self, what: str) -> ValueError:
        return ValueError(f"nn.load: {self.where} is corrupt: {what}")

    def array(self, node: dict) -> np.ndarray:
        key = node.get("k")
        if not isinstance(key, str) or key not in self.npz.files:
            raise self.fail(f"the metadata names an array entry {key!r} that the file does not contain")
        try:
            arr = self.npz[key]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
            raise self.fail(f"its array entry {key!r} cannot be read ({e})") from e
        return arr if arr.flags.writeable else arr.copy()

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        if not isinstance(node, dict) or "T" not in node:
            raise self.fail(f"unexpected metadata node {str(node)[:80]!r}")
        kind = node["T"]
        if kind in ("tensor", "parameter"):
            arr = self.array(node)
            if kind == "parameter":
                return Parameter(Tensor._make(arr), requires_grad=bool(node.get("rg")))
            t = Tensor._make(arr)
            return t.requires_grad_(True) if node.get("rg") else t
        if kind == "ndarray":
            return self.array(node)
        if kind == "npscalar":
            return self.array(node)[()]
        if kind in ("list", "tuple"):
            values = [self.decode(v) for v in node.get("v", [])]
            return values if kind == "list" else tuple(values)
        if kind in ("dict", "odict"):
            out = OrderedDict() if kind == "odict" else {}
            for item in node.get("items", []):
                if not isinstance(item, list) or len(item) != 2:
                    raise self.fail(f"a dict item in the metadata is malformed: {str(item)[:80]!r}")
                out[self.decode(item[0])] = self.decode(item[1])
            return out
        raise self.fail(f"unknown metadata node type {kind!r}")


def load(f: PathOrFile, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read an object written by ``nn.save``. Tensors come back as Tensors (Parameters as Parameters), arrays keep
    their dtype, and tuples, ints and None come back as themselves. ``map_location`` and ``weights_only`` exist for
    torch compatibility: everything is on the CPU, and no code is ever loaded."""
    where = repr(os.fspath(f)) if isinstance(f, str | os.PathLike) else f"file object {f!r}"
    try:
        npz = np.load(f, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ValueError(f"nn.load: {where} is not a file written by nn.save (numpy cannot read it as .npz: "
                         f"{e})") from e
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"nn.load: {where} holds a single .npy array, not a file written by nn.save; read it "
                         "with numpy.load")
    with npz:
        if META_KEY not in npz.files:
            raise ValueError(f"nn.load: {where} is an .npz file without the {META_KEY!r} entry, so it was not "
                             f"written by nn.save (its entries: {npz.files[:5]}); read it with numpy.load")
        dec = _Decoder(npz, where)
        try:
            raw = npz[META_KEY]
            meta = json.loads(raw.tobytes().decode())
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError, EOFError) as e:
            raise dec.fail(f"its {META_KEY!r} entry is not valid JSON metadata ({e})") from e
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or "root" not in meta:
            raise dec.fail(f"its {META_KEY!r} entry does not describe a {FORMAT} file")
        if meta.get("version", 0) > VERSION:
            raise ValueError(f"nn.load: {where} was written by a newer format version ({meta['version']}) than "
                             f"this pathgrad reads ({VERSION})")
        return dec.decode(meta["root"])


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
