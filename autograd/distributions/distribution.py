"""``Distribution``: the base class, with torch.distributions' API and argument validation."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..grad_mode import no_grad
from ..random import get_rng
from ..size import Size
from ..tensor import Tensor
from . import constraints


class Distribution:
    """A (batch of) probability distribution(s). ``batch_shape``: independent distributions of possibly different
    parameters; ``event_shape``: the shape of one draw of one of them. A sample has shape
    ``sample_shape + batch_shape + event_shape``; ``log_prob`` gives one number per batch element.

    With validation on (the default, as in torch; see ``set_default_validate_args``), parameters outside
    ``arg_constraints`` and values outside ``support`` raise ValueError."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict[str, constraints.Constraint] = {}
    support: Any = None
    _validate_args = True

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape: tuple = (), event_shape: tuple = (), validate_args: bool | None = None) -> None:
        self._batch_shape, self._event_shape = Size(batch_shape), Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                if name not in self.__dict__:
                    continue  # a parameter the user did not give (probs when logits were given)
                value = self.__dict__[name]
                if not bool(constraint.check(value).array.all()):
                    raise ValueError(f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)})"
                                     f" of distribution {self!r} to satisfy the constraint {constraint!r}, but found "
                                     f"invalid values:\n{_show(value)}")

    # ---- shapes ---------------------------------------------------------------------------------------------------
    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        if not isinstance(sample_shape, tuple | list | Size):
            raise TypeError(f"sample_shape must be a tuple or a Size (e.g. ({sample_shape},)), got "
                            f"{type(sample_shape).__name__}")
        return Size(tuple(sample_shape)) + self._batch_shape + self._event_shape

    # ---- the API a distribution fills in --------------------------------------------------------------------------
    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape ``sample_shape + batch_shape + event_shape``, not differentiable."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw: a differentiable function of the parameters (where ``has_rsample``)."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample (has_rsample is False): its samples are not "
                                  "differentiable in its parameters; use sample(), or a score-function estimator")

    def sample_n(self, n: int) -> Tensor:
        return self.sample((n,))

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement log_prob")

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement cdf")

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement icdf")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement entropy")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement enumerate_support")

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mean")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement variance")

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """The same distribution repeated over a larger ``batch_shape`` (parameters broadcast, not copied)."""
        batch_shape, old = Size(tuple(batch_shape)), len(self._batch_shape)
        params = {}
        for name in self._param_names():
            value = self.__dict__[name]
            try:
                params[name] = value.expand(tuple(batch_shape) + tuple(value.shape[old:]))
            except RuntimeError:
                raise RuntimeError(f"{type(self).__name__}.expand: batch shape {tuple(self._batch_shape)} cannot be "
                                   f"expanded to {tuple(batch_shape)}; each dim must match or be 1") from None
        return type(self)(**params, validate_args=False)

    def _param_names(self) -> list[str]:
        """The parameters given to the constructor (of probs and logits, the one that was given)."""
        return [k for k in self.arg_constraints if k in self.__dict__]

    # ---- validation -----------------------------------------------------------------------------------------------
    def _validate_sample(self, value: Any) -> None:
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event = len(self._event_shape)
        if event and tuple(value.shape[-event:]) != tuple(self._event_shape):
            raise ValueError(f"The right-most size of value must match event_shape: {tuple(value.shape)} vs "
                             f"{tuple(self._event_shape)}.")
        try:
            np.broadcast_shapes(tuple(value.shape), tuple(self._batch_shape + self._event_shape))
        except ValueError:
            raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {value.shape} vs "
                             f"{self._batch_shape + self._event_shape}.") from None
        if self.support is not None and not bool(self.support.check(value).array.all()):
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape {tuple(value.shape)}) to be "
                             f"within the support ({self.support!r}) of the distribution {self!r}, but found invalid "
                             f"values:\n{_show(value)}")

    def __repr__(self) -> str:
        params = ", ".join(f"{k}: {_brief(self.__dict__[k])}" for k in self._param_names())
        return f"{type(self).__name__}({params})"


class lazy_property:
    """A parameter computed from another on first use, then kept (probs from logits, or logits from probs)."""

    def __init__(self, fn: Any) -> None:
        self.fn, self.__doc__, self.__name__ = fn, fn.__doc__, fn.__name__

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.__name__] = self.fn(obj)
        return value


def _show(value: Tensor) -> Any:
    return value.item() if value.ndim == 0 else value


def _brief(value: Tensor) -> Any:
    return value.item() if value.numel() == 1 else value.shape


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """The arguments as tensors of one broadcast shape (numbers become tensors of the tensors' float dtype, or of
    the default dtype), as torch.distributions.utils.broadcast_all."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    dtype = next((t.dtype for t in tensors if t.dtype.kind == "f"), dtypes.get_default_dtype())
    values = [v if isinstance(v, Tensor) and v.dtype.kind == "f" else Tensor._make(np.asarray(_array(v), dtype))
              for v in values]
    try:
        shape = np.broadcast_shapes(*[tuple(v.shape) for v in values])
    except ValueError:
        raise RuntimeError("the parameters' shapes " + " and ".join(str(tuple(v.shape)) for v in values) +
                           " cannot be broadcast together; each dim must match or be 1") from None
    return tuple(v if tuple(v.shape) == shape else v.expand(shape) for v in values)


def _array(v: Any) -> Any:
    return v.array if isinstance(v, Tensor) else v


def draw(kind: str, shape: tuple, dtype: np.dtype, **kw: Any) -> Tensor:
    """A tensor of standard draws from the project's generator (so that ``manual_seed`` makes them reproducible):
    kind is a numpy Generator method, e.g. 'standard_normal', 'random', 'standard_exponential'."""
    return Tensor._make(np.asarray(getattr(get_rng(), kind)(size=tuple(shape), **kw), dtype=dtype))
