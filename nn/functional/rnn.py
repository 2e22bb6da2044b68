"""Recurrent cells (Elman RNN, LSTM, GRU), one graph node per time step, and the loop over a sequence.

Each step op takes the input's share of the gates, ``x̃ = x W_ihᵀ + b`` (computed for all time steps at once, in
one matmul, by the layer), the previous state and ``W_hh``; it does the one matmul ``h W_hhᵀ`` for all the gates and
the pointwise gate arithmetic. The gate activations are an output of the op too (no one uses them): backward reads
them as a saved output, so with ``create_graph=True`` they are Tensors whose history is this very node, and the same
formula is differentiable again. Each step op also takes ``w_t``: W_hhᵀ made contiguous once per sequence (None:
W_hh.T), which only the forward product reads.

Why one op per step, measured (bench/rnn.py: LSTM, batch 32, seq 50, input 128, hidden 128, float32, forward +
backward, one thread, medians of one run on a busy 2-core machine): one node per step with the hand-written backward
below takes 55 ms, the same step composed of autograd's ops (matmul, add, chunk, sigmoid, tanh, mul: 15 nodes a step)
129 ms; torch 32 ms. Best of 60 runs, alternating: 22.6 ms (8.7 forward, 13.9 backward) against torch's 15.0. Of a
step's backward (~150 µs) two thirds are its two matmuls.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
from autograd import Tensor
from autograd.function import Op
from autograd.ops.shape import Cat

from .linear import Linear


def _sigmoid_(a: np.ndarray) -> None:
    """σ(a) = 1/(1 + e⁻ᵃ) = (1 + tanh(a/2))/2, in place (a is an array of ours). The tanh form takes a third less
    time and cannot overflow; its error is absolute, about an ulp of ½ (a σ below that loses its relative
    precision, which no gate notices)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


@functools.lru_cache(maxsize=64)
def _lstm_scales(n: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """Per gate column: (½, ½, 1, ½) and (½, ½, 0, ½), so that tanh(a·s)·s + t is σ on i, f, o and tanh on g."""
    s = np.repeat(np.array([0.5, 0.5, 1.0, 0.5], dtype=dtype), n)
    return s, np.where(s == 1, 0, s).astype(dtype)


def _plus(a: Any, b: Any) -> Any:
    """a + b where either may be None (an output that got no gradient)."""
    return a if b is None else b if a is None else a + b


class Steps(Op):
    """(x₀, …, x_{T−1}) = x cut along dim 0 into consecutive blocks of ``sizes`` rows.   x̄ = cat(x̄₀, …, x̄_{T−1}).

    One node for the whole sequence: slicing x step by step would make T nodes, and each one's backward would fill
    a zero array the size of x."""

    @staticmethod
    def forward(ctx, x, sizes):
        ctx.sizes = sizes
        return tuple(np.split(x, np.cumsum(sizes)[:-1]))

    @staticmethod
    def backward(ctx, *grads):  # (the engine gives zeros for a step that got no gradient)
        return Cat.apply(0, *grads), None

    @staticmethod
    def jvp(ctx, t, _):
        return Steps.apply(t, ctx.sizes)


class RNNStep(Op):
    """h' = φ(x̃ + h W_hhᵀ), φ = tanh or relu.   With δ = h̄' φ'(·) (1 − h'² for tanh, [h' > 0] for relu):
    x̃̄ = δ,  h̄ = δ W_hh,  W̄_hh = δᵀ h."""

    @staticmethod
    def forward(ctx, xg, h, w, nonlinearity, w_t=None):
        ctx.relu = nonlinearity == "relu"
        out = h @ (w.T if w_t is None else w_t)
        out += xg
        if ctx.relu:
            np.maximum(out, 0, out=out)
        else:
            np.tanh(out, out=out)
        ctx.save_for_backward(h, w, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        h, w, out = ctx.saved_tensors
        _, need_h, need_w, _, _ = ctx.needs_input_grad
        d = grad * (out > 0) if ctx.relu else grad * (1 - out * out)
        return d, d @ w if need_h else None, d.mT @ h if need_w else None, None, None

    @staticmethod
    def jvp(ctx, txg, th, tw, _, __):
        h, w, out = ctx.saved_tensors
        t = txg + th @ w.mT + h @ tw.mT
        return t * (out > 0) if ctx.relu else t * (1 - out * out)


class LSTMStep(Op):
    """One LSTM step. (i, f, g, o) = (σ, σ, tanh, σ) of the four blocks of x̃ + h W_hhᵀ;
    c' = f c + i g,  h' = o tanh c'.   Outputs h', c', and (for backward) a = [i f g o] and tanh c'.

    Backward, with ĉ = c̄' + h̄' o (1 − tanh² c'):  ō = h̄' tanh c',  ī = ĉ g,  ḡ = ĉ i,  f̄ = ĉ c,  c̄ = ĉ f;
    through the activations δ = [ī i(1−i), f̄ f(1−f), ḡ (1−g²), ō o(1−o)];  x̃̄ = δ,  h̄ = δ W_hh,  W̄_hh = δᵀ h.
    """

    materialize_grads = False  # four outputs, usually two with a gradient: no zeros for the others

    @staticmethod
    def forward(ctx, xg, h, c, w, w_t=None):
        n = c.shape[1]
        a = h @ (w.T if w_t is None else w_t)
        a += xg
        scale, shift = _lstm_scales(n, a.dtype)
        a *= scale  # the four activations in three passes over the whole array (as σ = (1 + tanh(·/2))/2): on
        np.tanh(a, out=a)  # the blocks one by one, as strided slices, NumPy takes twice as long
        a *= scale
        a += shift
        c2 = a[:, n:2 * n] * c
        c2 += a[:, :n] * a[:, 2 * n:3 * n]
        tc = np.tanh(c2)
        h2 = a[:, 3 * n:] * tc
        ctx.save_for_backward(h, c, w, a, tc)
        return h2, c2, a, tc

    @staticmethod
    def backward(ctx, gh, gc, ga, gt):
        h, c, w, a, tc = ctx.saved_tensors
        _, need_h, need_c, need_w, _ = ctx.needs_input_grad
        n = tc.shape[1]
        i, f, g, o = a[:, :n], a[:, n:2 * n], a[:, 2 * n:3 * n], a[:, 3 * n:]
        dtc = _plus(None if gh is None else gh * o, gt)
        dc2 = _plus(gc, None if dtc is None else dtc * (1 - tc * tc))
        do = tc * 0 if gh is None else gh * tc
        if dc2 is None:
            dc2 = tc * 0
        di, df, dg = dc2 * g, dc2 * c, dc2 * i
        if ga is not None:
            di, df, dg, do = di + ga[:, :n], df + ga[:, n:2 * n], dg + ga[:, 2 * n:3 * n], do + ga[:, 3 * n:]
        s = a * (1 - a)  # σ' for i, f, o (on the whole array: fewer, faster passes than three slices)
        d = Cat.apply(1, di * s[:, :n], df * s[:, n:2 * n], dg * (1 - g * g), do * s[:, 3 * n:])
        return d, d @ w if need_h else None, dc2 * f if need_c else None, d.mT @ h if need_w else None, None

    @staticmethod
    def jvp(ctx, txg, th, tc_in, tw, _):
        h, c, w, a, tc = ctx.saved_tensors
        n = tc.shape[1]
        i, f, g, o = a[:, :n], a[:, n:2 * n], a[:, 2 * n:3 * n], a[:, 3 * n:]
        t = txg + th @ w.mT + h @ tw.mT
        ti, tf, tg, to = (t[:, :n] * i * (1 - i), t[:, n:2 * n] * f * (1 - f), t[:, 2 * n:3 * n] * (1 - g * g),
                          t[:, 3 * n:] * o * (1 - o))
        tc2 = tf * c + f * tc_in + ti * g + i * tg
        ttc = tc2 * (1 - tc * tc)
        return to * tc + o * ttc, tc2, Cat.apply(1, ti, tf, tg, to), ttc


class GRUStep(Op):
    """One GRU step, torch's form. With (hr, hz, hn) the blocks of h W_hhᵀ + b_hh and (xr, xz, xn) those of x̃:
    r = σ(xr + hr),  z = σ(xz + hz),  n = tanh(xn + r·hn),  h' = (1 − z) n + z h.   Outputs h' and a = [r z n hn].

    Backward: n̄ = h̄'(1 − z),  z̄ = h̄'(h − n),  δn = n̄ (1 − n²),  r̄ = δn hn,  h̄n = δn r,  δr = r̄ r(1−r),
    δz = z̄ z(1−z);  x̃̄ = [δr δz δn],  with δh = [δr δz h̄n]:  h̄ = h̄' z + δh W_hh,  W̄_hh = δhᵀ h,  b̄_hh = Σ δh.
    """

    materialize_grads = False

    @staticmethod
    def forward(ctx, xg, h, w, b, w_t=None):
        k = h.shape[1]
        hg = h @ (w.T if w_t is None else w_t)
        if b is not None:
            hg += b
        rz = xg[:, :2 * k] + hg[:, :2 * k]
        _sigmoid_(rz)
        n = rz[:, :k] * hg[:, 2 * k:]
        n += xg[:, 2 * k:]
        np.tanh(n, out=n)
        h2 = h - n
        h2 *= rz[:, k:]
        h2 += n
        a = np.concatenate([rz, n, hg[:, 2 * k:]], axis=1)
        ctx.save_for_backward(h, w, a)
        return h2, a

    @staticmethod
    def backward(ctx, gh, ga):
        h, w, a = ctx.saved_tensors
        _, need_h, need_w, need_b, _ = ctx.needs_input_grad
        k = h.shape[1]
        r, z, n, hn = a[:, :k], a[:, k:2 * k], a[:, 2 * k:3 * k], a[:, 3 * k:]
        if gh is None:
            gh = h * 0
        dn, dz = gh * (1 - z), gh * (h - n)
        if ga is not None:
            dn, dz = dn + ga[:, 2 * k:3 * k], dz + ga[:, k:2 * k]
        dpn = dn * (1 - n * n)
        dr, dhn = dpn * hn, dpn * r
        if ga is not None:
            dr, dhn = dr + ga[:, :k], dhn + ga[:, 3 * k:]
        dpr, dpz = dr * r * (1 - r), dz * z * (1 - z)
        dxg = Cat.apply(1, dpr, dpz, dpn)
        dhg = Cat.apply(1, dpr, dpz, dhn)
        return (dxg, gh * z + dhg @ w if need_h else None, dhg.mT @ h if need_w else None,
                dhg.sum(0) if need_b else None, None)

    @staticmethod
    def jvp(ctx, txg, th, tw, tb, _):
        h, w, a = ctx.saved_tensors
        k = h.shape[1]
        r, z, n, hn = a[:, :k], a[:, k:2 * k], a[:, 2 * k:3 * k], a[:, 3 * k:]
        thg = th @ w.mT + h @ tw.mT
        if tb is not None:
            thg = thg + tb
        tr = (txg[:, :k] + thg[:, :k]) * r * (1 - r)
        tz = (txg[:, k:2 * k] + thg[:, k:2 * k]) * z * (1 - z)
        thn = thg[:, 2 * k:]
        tn = (txg[:, 2 * k:] + tr * hn + r * thn) * (1 - n * n)
        return tn + tz * (h - n) + z * (th - tn), Cat.apply(1, tr, tz, tn, thn)


# ---- cells: one step from the input x (torch's rnn_tanh_cell, rnn_relu_cell, lstm_cell, gru_cell) -----------------
def _check_cell(op: str, x: Tensor, hs: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor) -> None:
    """torch's checks of a cell's operands, 2-D each: sizes and dtypes."""
    if x.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"{op}: input has inconsistent input_size: got {x.shape[1]} expected {w_ih.shape[1]} "
                           f"(input shape {tuple(x.shape)}, weight_ih shape {tuple(w_ih.shape)})")
    for k, h in enumerate(hs):
        if h.shape[0] != x.shape[0]:
            raise RuntimeError(f"{op}: Input batch size {x.shape[0]} doesn't match hidden{k} batch size "
                               f"{h.shape[0]} (input shape {tuple(x.shape)}, hidden{k} shape {tuple(h.shape)})")
        want = w_hh.shape[1] if k == 0 else w_hh.shape[0] // 4
        if h.shape[1] != want:
            raise RuntimeError(f"{op}: hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected {want}")
    if any(t.dtype != x.dtype for t in (w_ih, w_hh, *hs)):
        raise RuntimeError(f"{op}: input dtype {x.dtype} must match the weights' and state's dtype "
                           f"{w_ih.dtype}; convert the input (input.to({w_ih.dtype})) or the module")


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), for a batch (N, input_size) and h (N, hidden_size)."""
    _check_cell("rnn_tanh_cell", input, (hx,), w_ih, w_hh)
    return RNNStep.apply(_input_gates(input, w_ih, b_ih, b_hh), hx, w_hh, "tanh", None)


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), for a batch (N, input_size) and h (N, hidden_size)."""
    _check_cell("rnn_relu_cell", input, (hx,), w_ih, w_hh)
    return RNNStep.apply(_input_gates(input, w_ih, b_ih, b_hh), hx, w_hh, "relu", None)


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """(h', c') of one LSTM step (see ``LSTMStep``), for a batch (N, input_size) and hx = (h, c)."""
    h, c = hx
    _check_cell("lstm_cell", input, (h, c), w_ih, w_hh)
    h2, c2, _, _ = LSTMStep.apply(_input_gates(input, w_ih, b_ih, b_hh), h, c, w_hh, None)
    return h2, c2


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """h' of one GRU step (see ``GRUStep``), for a batch (N, input_size) and h (N, hidden_size)."""
    _check_cell("gru_cell", input, (hx,), w_ih, w_hh)
    return GRUStep.apply(_input_gates(input, w_ih, b_ih, None), hx, w_hh, b_hh, None)[0]


def _input_gates(x: Tensor, w_ih: Tensor, b_ih: Tensor | None, b_hh: Tensor | None) -> Tensor:
    """x̃ = x W_ihᵀ + b_ih (+ b_hh, which LSTM and RNN add to the gates as they are: one bias fewer per step)."""
    b = b_ih if b_hh is None else b_hh if b_ih is None else b_ih + b_hh
    return Linear.apply(x, w_ih, b)


# ---- the loop over a sequence -------------------------------------------------------------------------------------
def recurrent_layer(mode: str, x: Tensor, batch_sizes: list[int], h0: Tensor, c0: Tensor | None,
                    weights: Sequence[Tensor | None], reverse: bool = False) -> tuple[Tensor, Tensor, Tensor | None]:
    """One layer in one direction over a time-major packed batch: ``x`` (Σ batch_sizes, input_size), the rows of step
    t after those of step t−1, ``batch_sizes`` non-increasing (a padded batch is the case of equal sizes).

    ``weights`` is (w_ih, w_hh, b_ih, b_hh, w_hr), absent ones None; ``mode`` 'RNN_TANH', 'RNN_RELU', 'LSTM' or
    'GRU'. Returns the output (Σ batch_sizes, hidden) in the same layout and the final h (and c, for LSTM) of each
    sequence, (batch_sizes[0], ·) in batch order. ``reverse`` runs from the last step to the first.
    """
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    gru = mode == "GRU"
    steps = Steps.apply(_input_gates(x, w_ih, b_ih, None if gru else b_hh), batch_sizes)
    order = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
    # W_hhᵀ laid out in memory for h W_hhᵀ: a third faster than NumPy's product with the transposed view, and
    # made once for all steps (the steps' backward uses W_hh itself)
    w_t = np.ascontiguousarray(w_hh.array.T) if len(batch_sizes) > 1 else None
    h, c = h0, c0
    if reverse and batch_sizes[-1] < h0.shape[0]:  # (packed) only the longest sequences reach the last step
        h, c = h0[:batch_sizes[-1]], None if c0 is None else c0[:batch_sizes[-1]]
    outs, done_h, done_c = [], [], []
    for t in order:
        rows = batch_sizes[t]
        if rows < h.shape[0]:  # (forward) the shortest sequences have ended: keep their final state
            done_h.append(h[rows:])
            h = h[:rows]
            if c is not None:
                done_c.append(c[rows:])
                c = c[:rows]
        elif rows > h.shape[0]:  # (reverse) longer sequences start here, from their initial state
            h = autograd.cat([h, h0[h.shape[0]:rows]])
            if c is not None:
                c = autograd.cat([c, c0[c.shape[0]:rows]])
        if mode == "LSTM":
            h, c, _, _ = LSTMStep.apply(steps[t], h, c, w_hh, w_t)
            if w_hr is not None:
                h = Linear.apply(h, w_hr, None)
        elif gru:
            h = GRUStep.apply(steps[t], h, w_hh, b_hh, w_t)[0]
        else:
            h = RNNStep.apply(steps[t], h, w_hh, "relu" if mode == "RNN_RELU" else "tanh", w_t)
        outs.append(h)
    if reverse:
        outs.reverse()
    h_n = autograd.cat([h, *done_h[::-1]]) if done_h else h
    c_n = autograd.cat([c, *done_c[::-1]]) if done_c else c
    return autograd.cat(outs) if len(outs) > 1 else outs[0], h_n, c_n
