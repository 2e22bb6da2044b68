"""``nn.save`` / ``nn.load``: state dicts and nested structures in a NumPy ``.npz`` file, never a pickle.

Each array is stored as its own ``.npy`` entry; a flat dict of tensors (a model's ``state_dict``) keeps its keys as
entry names, so ``numpy.load(path)["fc.weight"]`` works in any NumPy program (and ``torch.from_numpy`` on it). One
more entry, ``__pathgrad__``, holds JSON (as uint8 bytes) describing the structure: which entries are Tensors or
arrays, and the Python containers and scalars around them, so that ``load`` rebuilds the same object. Loading never
executes code from the file (no pickle, not even ``numpy.load``'s), unlike ``torch.load`` of an untrusted pickle.

Saving to a path is atomic: the file is written under a temporary name in the destination's folder, flushed and
``fsync``-ed, then renamed onto the destination, so an interrupted save (a crash, SIGKILL, a full disk) leaves the
previous checkpoint there intact.

Errors from ``load``:

* ``FileNotFoundError`` when the path does not exist (and the other ``OSError`` s of opening a file, such as
  ``PermissionError`` or ``IsADirectoryError``, as ``open`` raises them);
* :class:`CheckpointError` (a ``ValueError``) for everything wrong with the file's contents: not an ``.npz`` written
  by ``nn.save``, truncated or damaged (every entry is CRC-checked, so flipped bytes are caught, never loaded), a
  declared array shape that does not match the bytes stored, a non-numeric dtype, metadata that is malformed or
  nests containers more than ``MAX_DEPTH`` deep, or a newer format version. Its message names the file and what is
  wrong. Sizes are checked against the file before anything is allocated, so a crafted header cannot make ``load``
  allocate more memory than the file's own data.
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import secrets
import stat
import zipfile
import zlib
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from autograd import Size, Tensor
from autograd.device import check_device, device

from .module import Module
from .parameter import Parameter

META_KEY = "__pathgrad__"
FORMAT = "pathgrad.nn.save"
VERSION = 1
MAX_DEPTH = 100  # containers (dicts, lists, tuples) inside each other, for save and load alike
MAX_NDIM = 64  # numpy's own limit on an array's dimensions
_NUMERIC = "biufc"  # the dtype kinds nn.save writes: bool, int, uint, float, complex
_DEFLATE_MAX_RATIO = 1100  # deflate cannot expand data by more than ~1032:1; more is a lie about the size
_CHUNK = 1 << 24

PathOrFile = str | os.PathLike | IO[bytes]


class CheckpointError(ValueError):
    """``nn.load`` cannot read the file as a checkpoint written by ``nn.save``: it is not one, or it is truncated,
    damaged or crafted. The message names the file and what is wrong. (A ``ValueError``, so ``except ValueError``
    also catches it.)"""


# ---- save -------------------------------------------------------------------------------------------------------

class _Encoder:
    """Turns an object into a JSON-able tree plus a dict of named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.open: set[int] = set()  # ids of the containers being encoded: a cycle comes back to one of them

    def array(self, arr: np.ndarray, name: str, where: str) -> str:
        if arr.dtype.kind not in _NUMERIC or arr.dtype.fields is not None:
            raise TypeError(f"nn.save: cannot save an array of dtype {arr.dtype} at {where}; only numeric arrays")
        key, n = name, 1
        while key in self.arrays or key == META_KEY or not key:
            key, n = f"{name}#{n}", n + 1
        self.arrays[key] = arr
        return key

    def encode(self, obj: Any, name: str, where: str, depth: int = 0) -> Any:
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
        if isinstance(obj, device):
            return {"T": "device", "v": str(obj)}
        if isinstance(obj, np.dtype) and obj.kind in _NUMERIC and obj.fields is None:
            return {"T": "dtype", "v": obj.name}
        if isinstance(obj, Module):
            raise TypeError(f"nn.save: cannot save the module {type(obj).__name__} itself at {where}: save its "
                            "state_dict() and load it into a new instance (saving a whole module needs pickle, and "
                            "loading a pickle can run any code)")
        if not isinstance(obj, list | tuple | dict):
            raise TypeError(f"nn.save: cannot save an object of type {type(obj).__name__} at {where}; supported are "
                            "Tensors, numpy arrays, dicts, lists, tuples, str, int, float, bool, None, devices and "
                            "dtypes")
        if id(obj) in self.open:
            raise ValueError(f"nn.save: {where} contains itself (a cycle of containers); nn.save writes trees, so "
                             "break the cycle before saving")
        if depth >= MAX_DEPTH:
            raise ValueError(f"nn.save: {where[:120]}... nests containers more than {MAX_DEPTH} deep, more than "
                             "nn.load reads; flatten the structure")
        self.open.add(id(obj))
        try:
            return self._container(obj, name, where, depth + 1)
        finally:
            self.open.discard(id(obj))

    def _container(self, obj: list | tuple | dict, name: str, where: str, depth: int) -> Any:
        if isinstance(obj, list | tuple):
            kind = "list" if isinstance(obj, list) else "size" if isinstance(obj, Size) else "tuple"
            return {"T": kind, "v": [self.encode(v, f"{name}/{i}", f"{where}[{i}]", depth)
                                     for i, v in enumerate(obj)]}
        items = []
        for k, v in obj.items():
            if not isinstance(k, str | int | float | bool | tuple) and k is not None:
                raise TypeError(f"nn.save: dict key {k!r} at {where} has type {type(k).__name__}; keys must be "
                                "str, int, float, bool, None or tuples of those")
            items.append([self.encode(k, "", where, depth),
                          self.encode(v, f"{name}/{k}" if name else str(k), f"{where}[{k!r}]", depth)])
        return {"T": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}


def save(obj: Any, f: PathOrFile) -> None:
    """Write ``obj`` (a state_dict, an optimiser's state_dict, or any nesting of dicts, lists, tuples, Tensors,
    arrays and Python scalars) to ``f``, a path (written exactly there, atomically) or a binary file object.

    A path is written to a temporary file in the same folder, flushed and fsync-ed, then renamed onto it: a save that
    is interrupted never destroys the file that was there. Raises TypeError for an object it cannot save, ValueError
    for a cycle or nesting deeper than ``MAX_DEPTH``, and OSError naming ``f`` when the file cannot be written.
    """
    enc = _Encoder()
    tree = enc.encode(obj, "", "obj")
    meta = json.dumps({"format": FORMAT, "version": VERSION, "root": tree}).encode()
    arrays = dict(enc.arrays)
    arrays[META_KEY] = np.frombuffer(meta, dtype=np.uint8)
    if not isinstance(f, str | os.PathLike):
        np.savez(f, **arrays)
        return
    _save_to_path(arrays, os.fspath(f))


def _save_to_path(arrays: dict[str, np.ndarray], path: str | bytes) -> None:
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    target = os.path.realpath(path) if os.path.islink(path) else path  # write through a symlink, as open() does
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, f"nn.save: cannot write {path!r}: it is a folder; give a file name, "
                                f"e.g. {os.path.join(path, 'model.npz')!r}")
    folder = os.path.dirname(os.path.abspath(target))
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)  # replacing a file keeps its permissions, as writing it would
    except OSError:
        mode = None
    tmp, fd = _create_temporary(folder, os.path.basename(target), path)
    try:
        with os.fdopen(fd, "wb") as fh:
            # a file object, because np.savez would append ".npz" to a path that lacks it
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        if isinstance(e, OSError):
            raise _cannot_write(e, path, folder) from e
        raise
    _fsync_folder(folder)  # make the rename itself durable


def _create_temporary(folder: str, base: str, path: str) -> tuple[str, int]:
    """A new file in ``folder``, created with mode 0o666 so that the umask applies as for any new file."""
    for _ in range(100):
        tmp = os.path.join(folder, f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as e:
            raise _cannot_write(e, path, folder) from e
    raise FileExistsError(errno.EEXIST, f"nn.save: cannot write {path!r}: no free temporary name in {folder!r}")


_HINTS = {
    errno.EACCES: "no permission to write in its folder",
    errno.EPERM: "no permission to write in its folder",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full; the file that was there, if any, is unchanged",
}


def _cannot_write(e: OSError, path: str, folder: str) -> OSError:
    """The same kind of OSError (FileNotFoundError, PermissionError, ...), naming the destination, not the
    temporary file."""
    if e.errno in (errno.ENOENT, errno.ENOTDIR) and not os.path.isdir(folder):
        reason = f"its folder {folder!r} does not exist; create it first"
    else:
        reason = _HINTS.get(e.errno) or e.strerror or _one_line(e)
    if e.errno is None:
        return OSError(f"nn.save: cannot write {path!r}: {reason}")
    return OSError(e.errno, f"nn.save: cannot write {path!r}: {reason}")


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows, where folders cannot be opened (nor need to be synced)
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- load -------------------------------------------------------------------------------------------------------

def _one_line(text: Any, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


class _Reader:
    """Reads one checkpoint from an open binary file, checking every size before allocating."""

    def __init__(self, fh: IO[bytes], where: str) -> None:
        self.fh = fh
        self.where = where
        self.used: set[str] = set()

    def fail(self, what: str) -> CheckpointError:
        return CheckpointError(f"nn.load: {self.where} is corrupt: {what}")

    def load(self) -> Any:
        fh = self.fh
        seekable = getattr(fh, "seekable", None)
        if seekable is None or not seekable():
            raise CheckpointError(f"nn.load: {self.where} cannot seek, and a .npz (zip) file is read by seeking; "
                                  "read its bytes into io.BytesIO and pass that")
        start = fh.tell()
        magic = fh.read(6)
        size = fh.seek(0, os.SEEK_END) - start
        fh.seek(start)
        if magic.startswith(np.lib.format.MAGIC_PREFIX):
            raise CheckpointError(f"nn.load: {self.where} holds a single .npy array, not a file written by nn.save; "
                                  "read it with numpy.load")
        if not (magic.startswith(b"PK\x03\x04") or magic.startswith(b"PK\x05\x06")):
            what = "it is empty" if not magic else "it is not a .npz (zip) archive"
            raise CheckpointError(f"nn.load: {self.where} is not a file written by nn.save ({what})")
        self.size = size
        try:
            self.zip = zipfile.ZipFile(fh)
        except Exception as e:  # BadZipFile mostly; NotImplementedError for an unknown zip version, EOFError, ...
            raise CheckpointError(f"nn.load: {self.where} is not a file written by nn.save, or it is truncated or "
                                  f"damaged (not a readable .npz archive: {_one_line(e)})") from e
        with self.zip:
            return self._load()

    def _load(self) -> Any:
        names = self.zip.namelist()
        if META_KEY + ".npy" not in names:
            entries = [n[:-4] if n.endswith(".npy") else n for n in names[:5]]
            hint = ("; it looks like a torch.save checkpoint: load it with torch.load" if
                    any(n.endswith("data.pkl") for n in names) else "; read it with numpy.load")
            raise CheckpointError(f"nn.load: {self.where} is an .npz file without the {META_KEY!r} entry, so it was "
                                  f"not written by nn.save (its entries: {entries}){hint}")
        raw = self.entry(META_KEY)
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise self.fail(f"its {META_KEY!r} entry is {raw.dtype} of shape {raw.shape}, not the uint8 bytes of "
                            "JSON metadata")
        try:
            meta = json.loads(raw.tobytes().decode("utf-8"))
        except RecursionError as e:
            raise self.fail(f"its {META_KEY!r} metadata is nested too deeply") from e
        except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise self.fail(f"its {META_KEY!r} entry is not valid JSON metadata ({_one_line(e)})") from e
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or "root" not in meta:
            raise self.fail(f"its {META_KEY!r} entry does not describe a {FORMAT} file")
        version = meta.get("version", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail(f"its format version {_one_line(repr(version), 40)} is not a positive integer")
        if version > VERSION:
            raise CheckpointError(f"nn.load: {self.where} was written by a newer format version ({version}) than "
                                  f"this pathgrad reads ({VERSION}); upgrade pathgrad")
        return self.decode(meta["root"], 0)

    # -- arrays --

    def entry(self, key: str) -> np.ndarray:
        """The array in entry ``key``: header, dtype and shape checked against the stored size, then read."""
        try:
            info = self.zip.getinfo(key + ".npy")
        except KeyError:
            raise self.fail(f"the metadata names an array entry {key!r} that the file does not contain") from None
        if info.flag_bits & 0x1:
            raise self.fail(f"its entry {key!r} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.fail(f"its entry {key!r} uses zip compression method {info.compress_type}; nn.save writes "
                            "stored (uncompressed) entries")
        if info.compress_size > self.size or (
                info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size) or (
                info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024):
            raise self.fail(f"its entry {key!r} declares {info.file_size:,} bytes ({info.compress_size:,} stored), "
                            f"more than the file's {self.size:,} bytes can hold: truncated or damaged")
        try:
            with self.zip.open(info) as e:
                shape, fortran, dtype, header = self._header(key, e)
                count = math.prod(shape)
                nbytes = count * dtype.itemsize
                if nbytes != info.file_size - header:
                    raise self.fail(f"its entry {key!r} declares shape {shape} of {dtype} ({nbytes:,} bytes) but "
                                    f"holds {max(info.file_size - header, 0):,} bytes")
                arr = np.empty(shape, dtype=dtype, order="F" if fortran else "C")  # owns its memory, as np.load's
                view, pos = memoryview(arr.ravel(order="K").view(np.uint8)), 0  # that memory, as bytes
                while pos < nbytes:
                    chunk = e.read(min(nbytes - pos, _CHUNK))
                    if not chunk:
                        raise self.fail(f"its entry {key!r} ends after {pos:,} of {nbytes:,} bytes: truncated")
                    view[pos:pos + len(chunk)] = chunk
                    pos += len(chunk)
                if e.read(1):  # reading to the end also checks the entry's CRC
                    raise self.fail(f"its entry {key!r} holds more bytes than its shape {shape} of {dtype}")
        except CheckpointError:
            raise
        except Exception as ex:  # BadZipFile (a CRC mismatch), zlib.error, EOFError, OSError, ...
            raise self.fail(f"its entry {key!r} cannot be read ({type(ex).__name__}: {_one_line(ex)})") from ex
        return arr

    def _header(self, key: str, e: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype, int]:
        try:
            version = np.lib.format.read_magic(e)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(e)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(e)
            else:
                raise ValueError(f".npy format version {version} (nn.save writes 1.0 or 2.0)")
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            raise  # the entry cannot be read (a CRC mismatch, say): not the header's fault
        except Exception as ex:  # ValueError mostly; a crafted header can also end ast.literal_eval in others
            raise self.fail(f"its entry {key!r} has no valid .npy header ({_one_line(ex)})") from ex
        if dtype.kind not in _NUMERIC or dtype.fields is not None or dtype.subdtype is not None:
            raise self.fail(f"its entry {key!r} has dtype {_one_line(dtype, 60)}; nn.save writes only numeric arrays")
        if (not isinstance(shape, tuple) or len(shape) > MAX_NDIM
                or not all(type(n) is int and n >= 0 for n in shape)):
            raise self.fail(f"its entry {key!r} declares an invalid shape {_one_line(shape, 80)}")
        return shape, bool(fortran), dtype, e.tell()

    # -- structure --

    def decode(self, node: Any, depth: int) -> Any:
        if node is None or isinstance(node, bool | int | float | str):
            return node
        kind = node.get("T") if isinstance(node, dict) else None
        if not isinstance(kind, str):
            raise self.fail(f"unexpected metadata node {_one_line(node, 80)!r}")
        if kind in ("tensor", "parameter", "ndarray", "npscalar"):
            return self.leaf(kind, node)
        if kind in ("device", "dtype"):
            return self.named(kind, node.get("v"))
        if kind not in ("list", "tuple", "size", "dict", "odict"):
            raise self.fail(f"unknown metadata node type {_one_line(kind, 40)!r}")
        if depth >= MAX_DEPTH:
            raise self.fail(f"its metadata nests containers more than {MAX_DEPTH} deep")
        if kind in ("list", "tuple", "size"):
            values = node.get("v", [])
            if not isinstance(values, list):
                raise self.fail(f"a {kind} in the metadata has no list of values: {_one_line(node, 80)!r}")
            out = [self.decode(v, depth + 1) for v in values]
            if kind == "size" and not all(isinstance(v, int) and not isinstance(v, bool) for v in out):
                raise self.fail(f"a Size in the metadata holds something other than ints: {_one_line(node, 80)!r}")
            return out if kind == "list" else Size(out) if kind == "size" else tuple(out)
        items = node.get("items", [])
        if not isinstance(items, list):
            raise self.fail(f"a dict in the metadata has no list of items: {_one_line(node, 80)!r}")
        result = OrderedDict() if kind == "odict" else {}
        for item in items:
            if not isinstance(item, list) or len(item) != 2:
                raise self.fail(f"a dict item in the metadata is malformed: {_one_line(item, 80)!r}")
            key = self.decode(item[0], depth + 1)
            try:
                hash(key)
            except TypeError:
                raise self.fail(f"a dict key in the metadata is a {type(key).__name__}, which cannot be a key: "
                                f"{_one_line(item[0], 80)!r}") from None
            result[key] = self.decode(item[1], depth + 1)
        return result

    def named(self, kind: str, value: Any) -> Any:
        """A device or a dtype, from its name (a device other than the CPU loads as the CPU, as map_location would
        have to send it there)."""
        try:
            if kind == "device":
                return device(value) if device(value).type == "cpu" else device("cpu")
            dtype = np.dtype(value) if isinstance(value, str) and value.isidentifier() else None
            if dtype is not None and dtype.kind in _NUMERIC and dtype.fields is None:
                return dtype
        except (TypeError, RuntimeError):
            pass
        raise self.fail(f"the metadata names a {kind} {_one_line(value, 40)!r} that is not one")

    def leaf(self, kind: str, node: dict) -> Any:
        key, rg = node.get("k"), node.get("rg", False)
        if not isinstance(key, str):
            raise self.fail(f"the metadata names an array entry {_one_line(key, 60)!r} that the file does not "
                            "contain")
        if not isinstance(rg, bool):
            raise self.fail(f"the requires_grad flag of {key!r} is {_one_line(rg, 40)!r}, not true or false")
        if key in self.used:  # nn.save never writes two references to one entry; a crafted file could, many times
            raise self.fail(f"the metadata refers to the array entry {key!r} more than once")
        self.used.add(key)
        arr = self.entry(key)
        if kind == "ndarray":
            return arr
        if kind == "npscalar":
            if arr.ndim != 0:
                raise self.fail(f"the numpy scalar {key!r} is an array of shape {arr.shape}")
            return arr[()]
        if rg and arr.dtype.kind != "f":
            raise self.fail(f"the Tensor {key!r} requires grad but has dtype {arr.dtype}; only floating point "
                            "Tensors can")
        if kind == "parameter":
            return Parameter(Tensor._make(arr), requires_grad=rg)
        t = Tensor._make(arr)
        return t.requires_grad_(True) if rg else t


def load(f: PathOrFile, map_location: Any = None, weights_only: bool = True) -> Any:
    """Read an object written by ``nn.save``. Tensors come back as Tensors (Parameters as Parameters), arrays keep
    their dtype, and tuples, ints and None come back as themselves. ``map_location`` and ``weights_only`` exist for
    torch compatibility: everything loads on the CPU (a ``map_location`` naming another device raises
    ``DeviceError``; a function is not called), and no code is ever loaded, whatever ``weights_only`` says.

    Raises FileNotFoundError if the path does not exist (other OSErrors of opening it as ``open`` does), and
    :class:`CheckpointError`, a ValueError naming the file and the problem, for any file that is not an intact
    checkpoint written by ``nn.save``; never anything else for a bad file.
    """
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if isinstance(target, str | device):
            check_device(target, "load(map_location=...)")
    if isinstance(f, str | os.PathLike):
        path = os.fspath(f)
        with open(path, "rb") as fh:
            return _load(fh, repr(os.fsdecode(path)))
    return _load(f, f"file object {f!r}")


def _load(fh: IO[bytes], where: str) -> Any:
    try:
        return _Reader(fh, where).load()
    except CheckpointError:
        raise
    except Exception as e:  # a check missed something: still one error type, naming the file
        raise CheckpointError(f"nn.load: {where} is not a readable nn.save checkpoint ({type(e).__name__}: "
                              f"{_one_line(e)})") from e
