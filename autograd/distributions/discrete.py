"""Distributions over categories: Bernoulli, Categorical, OneHotCategorical. Each takes ``probs`` or ``logits``
(exactly one); the other is computed when first used. There is no ``rsample``: a draw of a category is not a
differentiable function of the probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..size import Size
from ..tensor import Tensor
from . import constraints
from .distribution import Distribution, broadcast_all, draw, lazy_property


def _one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _clamp_probs(p: Tensor) -> Tensor:
    eps = float(np.finfo(p.dtype).eps)
    return p.clamp(eps, 1 - eps)


def softplus(x: Tensor) -> Tensor:
    """log(1 + eˣ), without overflow."""
    return ops.relu(x) + (-x.abs()).exp().log1p()


class Bernoulli(Distribution):
    """1 with probability ``probs`` (= sigmoid(logits)), else 0."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        self._given = "probs" if probs is not None else "logits"
        (self.__dict__[self._given],) = broadcast_all(probs if probs is not None else logits)
        super().__init__(self.__dict__[self._given].shape, (), validate_args)

    def _param_names(self) -> list[str]:
        return [self._given]

    @lazy_property
    def probs(self) -> Tensor:
        return self.logits.sigmoid()

    @lazy_property
    def logits(self) -> Tensor:
        p = _clamp_probs(self.probs)
        return p.log() - (-p).log1p()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        probs = self.probs.detach()
        return Tensor._make((draw("random", shape, probs.dtype).array < probs.array).astype(probs.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return value * self.logits - softplus(self.logits)  # −BCE(logits, value)

    def entropy(self) -> Tensor:
        return softplus(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand: bool = True) -> Tensor:
        values = Tensor._make(np.arange(2, dtype=self.probs.dtype).reshape((2,) + (1,) * len(self.batch_shape)))
        return values.expand((2,) + tuple(self.batch_shape)) if expand else values

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        p = self.probs.detach().array
        return Tensor._make(np.where(p == 0.5, np.nan, p > 0.5).astype(p.dtype))

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)


class Categorical(Distribution):
    """One of K categories 0 … K−1, with probabilities ``probs`` (normalised to sum to 1 over the last dim) or
    softmax(``logits``). The last dim of the parameter lists the categories; the dims before it are the batch."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        self._given = "probs" if probs is not None else "logits"
        param = probs if probs is not None else logits
        param = param if isinstance(param, Tensor) else broadcast_all(param)[0]
        if param.ndim < 1:
            raise ValueError(f"`{self._given}` parameter must be at least one-dimensional.")
        if probs is not None:
            self.__dict__["probs"] = param / param.sum(-1, keepdim=True)
        else:
            self.__dict__["logits"] = param - param.logsumexp(-1, keepdim=True)
        self._num_events = param.shape[-1]
        super().__init__(param.shape[:-1], (), validate_args)

    def _param_names(self) -> list[str]:
        return [self._given]

    @lazy_property
    def probs(self) -> Tensor:
        return self.logits.softmax(-1)

    @lazy_property
    def logits(self) -> Tensor:
        return _clamp_probs(self.probs).log()

    @property
    def support(self) -> constraints.Constraint:
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def param_shape(self) -> Size:
        return self.__dict__[self._given].shape

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Inverse-CDF sampling: the first category whose cumulative probability exceeds a uniform draw."""
        shape = self._extended_shape(sample_shape)
        cdf = np.cumsum(self.probs.detach().array, axis=-1)
        u = draw("random", shape, cdf.dtype).array[..., None]
        idx = np.sum(cdf < u * cdf[..., -1:], axis=-1)
        return Tensor._make(np.minimum(idx, self._num_events - 1).astype(np.int64))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        index = value.long().unsqueeze(-1)
        shape = np.broadcast_shapes(tuple(index.shape), tuple(self.logits.shape))
        logits = self.logits.expand(shape)
        return logits.gather(-1, index.expand(shape[:-1] + (1,))).squeeze(-1)

    def entropy(self) -> Tensor:
        # 0 · log 0 counts as 0: the logits of impossible categories (−inf) are clamped to the lowest float first
        logits = self.logits.clamp(min=float(np.finfo(self.logits.dtype).min))
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        n = self._num_events
        values = Tensor._make(np.arange(n, dtype=np.int64).reshape((n,) + (1,) * len(self.batch_shape)))
        return values.expand((n,) + tuple(self.batch_shape)) if expand else values

    @property
    def mean(self) -> Tensor:
        return Tensor._make(np.full(self.batch_shape, np.nan, dtype=self.probs.dtype))

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(-1)

    @property
    def variance(self) -> Tensor:
        return Tensor._make(np.full(self.batch_shape, np.nan, dtype=self.probs.dtype))


class OneHotCategorical(Distribution):
    """A Categorical whose draws are one-hot vectors of length K (the event shape) instead of indices."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits, validate_args)
        param = self._categorical.param_shape
        super().__init__(param[:-1], param[-1:], validate_args=False)  # (the Categorical checked the parameters)
        if validate_args is not None:
            self._validate_args = validate_args

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        cat = self._categorical.expand(batch_shape)
        return OneHotCategorical(**{cat._given: cat.__dict__[cat._given]}, validate_args=False)

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    def _param_names(self) -> list[str]:
        return []

    def sample(self, sample_shape: Any = ()) -> Tensor:
        index = self._categorical.sample(sample_shape).array
        return Tensor._make(np.eye(self.event_shape[0], dtype=self.probs.dtype)[index])

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        n = self.event_shape[0]
        values = Tensor._make(np.eye(n, dtype=self.probs.dtype).reshape((n,) + (1,) * len(self.batch_shape) + (n,)))
        return values.expand((n,) + tuple(self.batch_shape) + (n,)) if expand else values

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        return Tensor._make(np.eye(self.event_shape[0], dtype=self.probs.dtype)[self._categorical.mode.array])

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def __repr__(self) -> str:
        given = self._categorical._given
        return f"OneHotCategorical({given}: {self._categorical.__dict__[given].shape})"
