"""``default_collate`` and ``default_convert``: torch's rules for turning samples into batches.

``collate`` walks the structure of the first sample and calls, for each leaf type, the function registered in
``default_collate_fn_map`` (torch's extension point: add ``{MyType: fn}`` to handle your own type, where ``fn(batch,
*, collate_fn_map)``). Containers are handled by ``collate`` itself: mappings per key, namedtuples per field,
other sequences per position (a tuple becomes a *list*, as in torch).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, from_numpy, stack

# numpy dtypes that hold no numbers: bytes (S), unicode (U), object (O); torch cannot make tensors of them.
_np_str_obj_array_pattern = re.compile(r"[SaUO]")
_err_msg_format = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"

CollateFnMap = dict[type | tuple[type, ...], Callable[..., Any]]


class CollateError(RuntimeError, ValueError):
    """Samples that cannot be stacked: a RuntimeError as torch's, and a ValueError as pathgrad's first edition."""


def _equal_shapes(shapes: list[tuple[int, ...]], what: str) -> None:
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise CollateError(
                f"default_collate: cannot stack {what} of different shapes: {list(shapes[0])} at entry 0 and "
                f"{list(shape)} at entry {i} (different shapes {sorted(set(shapes))}); give every sample the same "
                "shape, or pass a collate_fn (e.g. one that pads)"
            )


def collate_tensor_fn(batch: list[Tensor], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    for i, t in enumerate(batch):
        if not isinstance(t, Tensor):
            raise TypeError(f"default_collate: expected Tensor as element {i} of the batch, got {type(t).__name__}")
    _equal_shapes([tuple(t.shape) for t in batch], "Tensors")
    # autograd.stack, as torch.stack in torch: a sample that requires grad keeps its graph.
    return stack(batch)


def collate_numpy_array_fn(batch: list[np.ndarray], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    elem = batch[0]
    if _np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(_err_msg_format.format(elem.dtype))
    arrays = [np.asarray(b) for b in batch]
    _equal_shapes([a.shape for a in arrays], "arrays")
    return from_numpy(np.stack(arrays))  # np.stack made a fresh array: share it rather than copy it again


def collate_numpy_scalar_fn(batch: list[np.generic], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    return from_numpy(np.array(batch))


def _check_numbers(batch: list[Any]) -> None:
    for i, b in enumerate(batch):
        if not isinstance(b, (int, float, np.bool_, np.number)):
            raise TypeError(
                f"default_collate: element {i} of a batch of numbers is a {type(b).__name__}; "
                "every sample must have the same structure"
            )


def collate_float_fn(batch: list[float], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    _check_numbers(batch)
    return Tensor(batch, dtype=np.float64)


def collate_int_fn(batch: list[int], *, collate_fn_map: CollateFnMap | None = None) -> Tensor:
    # As torch.tensor(batch): ints give int64, bools bool, and a float anywhere the default float dtype.
    _check_numbers(batch)
    return Tensor(batch)


def collate_str_fn(batch: list[str | bytes], *, collate_fn_map: CollateFnMap | None = None) -> list[str | bytes]:
    return batch


default_collate_fn_map: CollateFnMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def _rebuild(elem: Any, values: list[Any]) -> Any:
    """A sequence like ``elem`` holding ``values``: mutable ones are copied and filled, others rebuilt."""
    try:
        if isinstance(elem, MutableSequence):
            clone = copy.copy(elem)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(elem)(values)
    except TypeError:  # a sequence type that cannot be rebuilt this way
        return values


def _rebuild_mapping(elem: Mapping, values: dict[Any, Any]) -> Any:
    try:
        if isinstance(elem, MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def collate(batch: Sequence[Any], *, collate_fn_map: CollateFnMap | None = None) -> Any:
    """Collate ``batch`` (a list of samples of the same structure), dispatching leaves through ``collate_fn_map``."""
    if len(batch) == 0:
        raise IndexError("default_collate: the batch is empty; it needs at least one sample")
    elem = batch[0]
    if collate_fn_map is not None:
        if type(elem) in collate_fn_map:
            return collate_fn_map[type(elem)](batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, Mapping):
        for i, d in enumerate(batch):
            if not isinstance(d, Mapping):
                raise TypeError(f"default_collate: sample 0 is a mapping but sample {i} is a {type(d).__name__}")
        return _rebuild_mapping(elem, {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                                       for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple keeps its type and field names
        return type(elem)(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch, strict=False)))
    if isinstance(elem, Sequence):
        sizes = [len(sample) for sample in batch]
        if any(size != sizes[0] for size in sizes):
            raise CollateError(
                "default_collate: each element in list of batch should be of equal size; samples have different "
                f"numbers of fields {sorted(set(sizes))}"
            )
        # Each field's values go on as the tuple zip makes (so nested strings come back as a tuple, as in torch).
        fields = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch, strict=True)]
        return fields if isinstance(elem, tuple) else _rebuild(elem, fields)
    raise TypeError(
        _err_msg_format.format(type(elem))
        + f" (don't know how to batch samples of type {type(elem).__name__}; pass a collate_fn)"
    )


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as ``torch.utils.data.default_collate``.

    Tensors and numpy arrays are stacked on a new first axis (dtype kept; numpy scalars too); Python ints become
    an int64 tensor, floats float64, bools bool; strings and bytes stay a list. Mappings collate per key,
    namedtuples per field, other sequences per position, and a tuple gives a list: ``[(x0, y0), (x1, y1)]`` becomes
    ``[stack([x0, x1]), stack([y0, y1])]``.
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """Turn numpy arrays and scalars in ``data`` into Tensors, keeping the structure (``batch_size=None``'s collate).

    As ``torch.utils.data.default_convert``: Tensors and other leaves are returned as they are (numpy arrays of
    strings or objects too), containers are rebuilt around their converted contents, and a tuple gives a list.
    """
    if isinstance(data, Tensor):
        return data
    if type(data).__module__ == "numpy" and not isinstance(data, (np.str_, np.bytes_)):
        if isinstance(data, np.ndarray) and _np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(np.asarray(data))  # as torch.as_tensor: an array's memory is shared, not copied
    if isinstance(data, Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data
