"""Checks for notebook 15 (a one-layer Transformer): multi-head attention weights, the causal mask of
``nn.MultiheadAttention``, and sinusoidal positional encodings. The references are the formulas, in NumPy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd

from .feedback import Hint, ask, exercise


def _array(value: Any, what: str) -> np.ndarray:
    if isinstance(value, autograd.Tensor):
        value = value.detach().numpy()
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        raise Hint(f"return {what} as an array") from None


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _heads(x: np.ndarray, w: np.ndarray, b: np.ndarray, h: int, scale: float | None = None) -> np.ndarray:
    """(h, L, L): one softmax(q kᵀ · scale) per head; scale 1/√(d/h) unless given."""
    d = x.shape[1]
    q, k = x @ w[:d].T + b[:d], x @ w[d:2 * d].T + b[d:2 * d]
    q, k = (a.reshape(len(x), h, d // h).transpose(1, 0, 2) for a in (q, k))
    return _softmax(q @ k.transpose(0, 2, 1) * (scale if scale is not None else 1 / np.sqrt(d // h)))


def _mha_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray, int]]:
    rng = np.random.default_rng(15)
    cases = []
    for length, d, h in [(5, 8, 2), (4, 12, 3), (6, 8, 1), (3, 16, 4)]:
        cases.append((rng.normal(size=(length, d)), rng.normal(size=(3 * d, d)) / np.sqrt(d),
                      rng.normal(size=3 * d) * 0.5, h))
    return cases


@exercise("15.1", "define attention_weights(x, in_proj_weight, in_proj_bias, num_heads)")
def check_15_1(attention_weights: Callable[..., Any]) -> str:
    """``attention_weights(x, W, b, h)``: (L, L), the mean over h heads of softmax(q_h k_hᵀ/√(d/h))."""
    for x, w, b, h in _mha_cases():
        got = _array(ask(attention_weights, x.copy(), w.copy(), b.copy(), h), "the weights")
        per_head = _heads(x, w, b, h)
        want = per_head.mean(0)
        if got.shape == want.shape and np.allclose(got, want, atol=1e-9):
            continue
        n = len(x)
        if got.shape == per_head.shape and np.allclose(got, per_head, atol=1e-9):
            raise Hint("these are the weights of each head: return their mean over the heads, shape (L, L)")
        if got.shape != want.shape:
            raise Hint(f"return an (L, L) array, here ({n}, {n}); you returned shape {got.shape}")
        d = x.shape[1]
        if np.allclose(got, _heads(x, w, b, h, 1 / np.sqrt(d)).mean(0), atol=1e-9) and h > 1:
            raise Hint("each head's dot products are of size d/h vectors: scale by 1/√(d/h), not 1/√d")
        if np.allclose(got, _heads(x, w, b, h, 1.0).mean(0), atol=1e-9):
            raise Hint("scale the dot products by 1/√(d/h) before the softmax")
        if np.allclose(got.sum(0), 1) and not np.allclose(got.sum(1), 1):
            raise Hint("each query's weights sum to 1: take the softmax over the keys (the last axis)")
        if h > 1 and np.allclose(got, _heads(x, w, b, 1, 1 / np.sqrt(d // h))[0], atol=1e-9):
            raise Hint("split q and k into h parts of d/h columns each and take one softmax per head, then average")
        if np.allclose(got, _heads(x, w, np.zeros_like(b), h).mean(0), atol=1e-9):
            raise Hint("add the biases: q = x W_qᵀ + b_q with b_q = in_proj_bias[:d], and so for k")
        raise Hint(f"with L = {n}, d = {d}, h = {h} the weights are off. W_q is in_proj_weight[:d], W_k the next "
                   "d rows; per head take d/h columns of q and k, softmax(q kᵀ/√(d/h)) over the keys, then "
                   "average the heads")
    return "the weights nn.MultiheadAttention returns with need_weights=True (averaged over heads)"


@exercise("15.2", "define causal_mask(n) returning an (n, n) bool array")
def check_15_2(causal_mask: Callable[[int], Any]) -> str:
    """``causal_mask(n)``: bool, True above the diagonal (query i may not attend to key j > i)."""
    for n in (4, 7, 1):
        got = _array(ask(causal_mask, n), "the mask")
        if got.shape != (n, n):
            raise Hint(f"causal_mask({n}) must have shape ({n}, {n}); yours has {got.shape}")
        if got.dtype != np.bool_:
            if np.issubdtype(got.dtype, np.floating) and np.array_equal(np.isneginf(got), np.triu(np.ones((n, n)), 1)):
                raise Hint("that is the float form (-inf where masked, as generate_square_subsequent_mask); "
                           "return the bool form: True where masked")
            raise Hint(f"return a bool array (yours is {got.dtype})")
        want = np.triu(np.ones((n, n), dtype=bool), 1)
        if np.array_equal(got, want):
            continue
        if np.array_equal(got, ~want):
            raise Hint("that is F.scaled_dot_product_attention's convention (True = may attend); for "
                       "nn.MultiheadAttention a True means may NOT attend")
        if np.array_equal(got, np.triu(np.ones((n, n), dtype=bool))):
            raise Hint("every position may attend to itself: leave the diagonal False")
        if np.array_equal(got, np.tril(np.ones((n, n), dtype=bool), -1)):
            raise Hint("you masked the past: row i is query position i; mask its columns j > i, the future")
        raise Hint(f"causal_mask({n}) is off: row i (the query) must be True exactly in the columns j > i")
    return "the bool twin of nn.Transformer.generate_square_subsequent_mask(n)"


def _pe(n: int, d: int) -> np.ndarray:
    p = np.arange(n)[:, None]
    angle = p / 10000 ** (np.arange(0, d, 2)[None, :] / d)
    pe = np.zeros((n, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    return pe


@exercise("15.3", "define sinusoidal(n_positions, d_model) returning an (n_positions, d_model) array")
def check_15_3(sinusoidal: Callable[[int, int], Any]) -> str:
    """``sinusoidal(n, d)``: PE[p, 2i] = sin(p/10000^(2i/d)), PE[p, 2i+1] = cos(p/10000^(2i/d))."""
    for n, d in [(10, 32), (7, 6), (50, 16)]:
        got = _array(ask(sinusoidal, n, d), "the encodings")
        want = _pe(n, d)
        if got.shape != want.shape:
            raise Hint(f"sinusoidal({n}, {d}) must have shape ({n}, {d}); yours has {got.shape}")
        try:
            got = got.astype(np.float64)
        except (TypeError, ValueError):
            raise Hint("return numbers") from None
        if np.allclose(got, want, atol=1e-6):
            continue
        swapped = want.copy()
        swapped[:, 0::2], swapped[:, 1::2] = want[:, 1::2], want[:, 0::2]
        if np.allclose(got, swapped, atol=1e-6):
            raise Hint("sin goes in the even columns 2i, cos in the odd ones 2i + 1")
        i = np.arange(d // 2)
        per_column = np.arange(n)[:, None] / 10000 ** (np.arange(d)[None, :] / d)
        if np.allclose(got, np.where(np.arange(d) % 2 == 0, np.sin(per_column), np.cos(per_column)), atol=1e-6):
            raise Hint("columns 2i and 2i + 1 share one frequency, 1/10000^(2i/d): use the pair's index i, not the "
                       "column's")
        if np.allclose(got[:, 0::2], np.sin(np.arange(n)[:, None] / 10000 ** (i / d)), atol=1e-6):
            raise Hint("the exponent is 2i/d, with i = 0 .. d/2 − 1 the index of the (sin, cos) pair")
        raise Hint(f"sinusoidal({n}, {d}) is off; row p is position p (from 0), and column 0 is sin(p), column 1 "
                   "cos(p), then slower and slower frequencies")
    return "every position gets a distinct vector, and PE_{p+k} is a rotation of PE_p for every k"
