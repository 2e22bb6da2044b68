"""Batches of sequences of different lengths: padding, and packing for the recurrent layers (torch.nn.utils.rnn).

A packed batch (``PackedSequence``) lists the sequences' elements time step by time step, longest sequences first:
``data`` holds step 0 of every sequence, then step 1 of those at least 2 long, ...; ``batch_sizes[t]`` is how many
sequences reach step t. ``sorted_indices`` says which original sequence each position is (None: already sorted).
Packing, unpacking and padding move rows without changing them, differentiably (``_Rows``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

import autograd
from autograd import Tensor
from autograd.function import Op


class _Rows(Op):
    """z = fill everywhere, then z[dst] = x[src] (rows: indices into dim 0; None means all rows, in order; no row
    repeats).   x̄ = zeros with x̄[src] = z̄[dst]: the same move, backwards."""

    @staticmethod
    def forward(ctx, x, src, dst, rows, fill):
        ctx.moves = (src, dst, rows, x.shape[0])
        picked = x if src is None else x[src]
        if dst is None:
            return np.ascontiguousarray(picked)
        out = np.full((rows,) + x.shape[1:], fill, dtype=x.dtype)
        out[dst] = picked
        return out

    @staticmethod
    def backward(ctx, grad):
        src, dst, _, n = ctx.moves
        return _Rows.apply(grad, dst, src, n, 0), None, None, None, None

    @staticmethod
    def jvp(ctx, t, *_):
        src, dst, rows, _ = ctx.moves
        return _Rows.apply(t, src, dst, rows, 0)


class _PackedSequenceBase(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceBase):
    """A packed batch: ``(data, batch_sizes, sorted_indices, unsorted_indices)``, a named tuple as in torch. Make one
    with ``pack_padded_sequence`` or ``pack_sequence``; the recurrent layers take and return them."""

    def __new__(cls, data: Any, batch_sizes: Tensor | None = None, sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # torch's other form: PackedSequence((data, batch_sizes))
            if not (isinstance(data, list | tuple) and len(data) == 2):
                raise AssertionError("PackedSequence: pass data and batch_sizes, or one (data, batch_sizes) pair")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """``data.to(...)``; self when that changes nothing, as torch."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                         self.unsorted_indices)

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtype=autograd.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=autograd.float32)

    def half(self) -> PackedSequence:
        return self.to(dtype=autograd.float16)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation (a 1-D int64 tensor): out[permutation[i]] = i."""
    if permutation is None:
        return None
    perm = np.asarray(permutation)
    out = np.empty_like(perm)
    out[perm] = np.arange(perm.size, dtype=perm.dtype)
    return autograd.tensor(out)


def _lengths(op: str, lengths: Any) -> np.ndarray:
    arr = np.asarray(lengths.array if isinstance(lengths, Tensor) else lengths)
    if arr.ndim != 1:
        raise RuntimeError(f"{op}: lengths must be 1-D (one length per sequence), got shape {arr.shape}")
    return arr.astype(np.int64)


def pack_padded_sequence(input: Tensor, lengths: Tensor | list[int], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) ((B, T, *) if ``batch_first``) of sequences of the given lengths.

    With ``enforce_sorted`` the lengths must be non-increasing; otherwise the batch is sorted here and the
    permutation kept in the result (``sorted_indices``)."""
    lens = _lengths("pack_padded_sequence", lengths)
    if input.ndim < 2:
        raise IndexError(f"pack_padded_sequence: input must have at least 2 dims, (T, B, *) or (B, T, *) with "
                         f"batch_first=True; got shape {tuple(input.shape)}")
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else input.shape[:2]
    if lens.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} "
                           f"(batch_size={batch}; input shape {tuple(input.shape)}, batch_first={batch_first})")
    if enforce_sorted and np.any(lens[1:] > lens[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                           "sidestep this requirement if you do not need ONNX exportability. "
                           f"(lengths: {lens.tolist()})")
    if np.any(lens <= 0):
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           f"is <= 0 (lengths: {lens.tolist()})")
    if lens.max(initial=0) > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({lens.max()}) exceeds the {steps} time steps of the "
                           f"padded input (shape {tuple(input.shape)}, batch_first={batch_first})")
    order = None if enforce_sorted else np.argsort(-lens, kind="stable")
    sorted_lens = lens if order is None else lens[order]
    batch_sizes = (sorted_lens[None, :] > np.arange(sorted_lens[0])[:, None]).sum(1)
    t, j = _packed_positions(batch_sizes)
    b = j if order is None else order[j]
    src = b * steps + t if batch_first else t * batch + b
    data = _Rows.apply(input.reshape(steps * batch, *input.shape[2:]), src, None, src.size, 0)
    return PackedSequence(data, autograd.tensor(batch_sizes.astype(np.int64)),
                          None if order is None else autograd.tensor(order.astype(np.int64)), None)


def _packed_positions(batch_sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(time step, position in the sorted batch) of each row of packed data."""
    t = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    j = np.arange(t.size) - np.repeat(np.cumsum(batch_sizes) - batch_sizes, batch_sizes)
    return t, j


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: (padded batch (T, B, *) or (B, T, *), lengths), in the original batch order;
    T is the longest length, or ``total_length``."""
    batch_sizes = np.asarray(sequence.batch_sizes.array, dtype=np.int64)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    t, j = _packed_positions(batch_sizes)
    b = j if sequence.sorted_indices is None else np.asarray(sequence.sorted_indices.array)[j]
    dst = b * steps + t if batch_first else t * batch + b
    data = sequence.data
    out = _Rows.apply(data, None, dst, steps * batch, padding_value)
    out = out.reshape(*((batch, steps) if batch_first else (steps, batch)), *data.shape[1:])
    lengths = np.zeros(batch, dtype=np.int64)
    np.add.at(lengths, b, 1)
    return out, autograd.tensor(lengths)


def pad_sequence(sequences: Tensor | Iterable[Tensor], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (Lᵢ, *) into (T, B, *) ((B, T, *) if ``batch_first``), T = max Lᵢ, filling the
    rest with ``padding_value`` after each sequence (``padding_side='right'``) or before it ('left'). The result
    has the first sequence's dtype, as torch."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    seqs = tuple(sequences)
    if not seqs:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    for i, s in enumerate(seqs):
        if s.ndim == 0 or s.shape[1:] != seqs[0].shape[1:]:
            raise RuntimeError(f"pad_sequence: each sequence must have shape (L, *) with the same trailing dims; "
                               f"sequence 0 has shape {tuple(seqs[0].shape)} and sequence {i} {tuple(s.shape)}")
    dtype = seqs[0].dtype
    lens = np.array([s.shape[0] for s in seqs], dtype=np.int64)
    steps, batch = int(lens.max()), len(seqs)
    b = np.repeat(np.arange(batch), lens)
    t = np.arange(b.size) - np.repeat(np.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t = t + np.repeat(steps - lens, lens)
    dst = b * steps + t if batch_first else t * batch + b
    joined = autograd.cat([s.to(dtype) for s in seqs])
    out = _Rows.apply(joined, None, dst, steps * batch, padding_value)
    return out.reshape(*((batch, steps) if batch_first else (steps, batch)), *seqs[0].shape[1:])


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list[Tensor]:
    """Undo ``pad_sequence``: the list of sequences (Lᵢ, *), each a new tensor (a copy, as in torch).

    Unlike torch's, it leaves ``padded_sequences`` as it is (torch's transposes it in place when not batch_first)."""
    lens = _lengths("unpad_sequence", lengths)
    bdim = 0 if batch_first else 1
    if lens.size != padded_sequences.shape[bdim]:
        raise ValueError(f"unpad_sequence: {lens.size} lengths for a batch of {padded_sequences.shape[bdim]} "
                         f"(padded shape {tuple(padded_sequences.shape)}, batch_first={batch_first})")
    return [autograd.select(padded_sequences, bdim, b)[np.arange(n)] for b, n in enumerate(lens.tolist())]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (Lᵢ, *): ``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """Undo ``pack_sequence``: the list of sequences, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
