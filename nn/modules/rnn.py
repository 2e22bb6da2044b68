"""Recurrent layers ``RNN``, ``LSTM``, ``GRU`` (multi-layer, bidirectional, packed batches) and their cells.

Parameter names, shapes, gate order (LSTM i, f, g, o; GRU r, z, n) and initialisation U(−1/√hidden, 1/√hidden) are
torch's, so a torch ``state_dict`` loads unchanged and gives the same outputs. The time loop and the step ops are in
``nn/functional/rnn.py``.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import autograd
from autograd import Tensor
from autograd.device import check_device
from autograd.dtypes import to_dtype

from .. import functional as F
from .. import init
from ..functional import rnn as R
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters, their checks, and the forward over layers and directions."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.bidirectional, self.proj_size = bias, batch_first, bidirectional, proj_size
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             f"being zeroed (got {dropout!r})")
        self.dropout = float(dropout)
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, int):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero (got {value})")
        if not isinstance(num_layers, int):
            raise TypeError(f"num_layers should be of type int, got: {type(num_layers).__name__}")
        if num_layers <= 0:
            raise ValueError(f"num_layers must be greater than zero (got {num_layers})")
        if proj_size < 0:
            raise ValueError(f"proj_size should be a positive integer or zero to disable projections (got {proj_size})")
        if proj_size >= hidden_size:
            raise ValueError(f"proj_size has to be smaller than hidden_size (got proj_size={proj_size}, "
                             f"hidden_size={hidden_size})")
        gate_size = _GATES[mode] * hidden_size
        dt = to_dtype(dtype)
        out_size = proj_size or hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        for layer in range(num_layers):
            for suffix in ("", "_reverse") if bidirectional else ("",):
                layer_input = input_size if layer == 0 else out_size * (2 if bidirectional else 1)
                shapes = {"weight_ih": (gate_size, layer_input), "weight_hh": (gate_size, out_size)}
                if bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if proj_size:
                    shapes["weight_hr"] = (proj_size, hidden_size)
                names = []
                for kind, shape in shapes.items():
                    names.append(f"{kind}_l{layer}{suffix}")
                    setattr(self, names[-1], Parameter(autograd.empty(*shape, dtype=dt)))
                self._flat_weights_names += names
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(−1/√hidden_size, 1/√hidden_size), as torch."""
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """A no-op, kept for torch's API: torch uses it to pack the weights into one buffer for cuDNN; pathgrad
        computes on the CPU and reads each parameter where it is."""

    @property
    def _flat_weights(self) -> list[Parameter]:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters, one list per layer and direction, in torch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward ----------------------------------------------------------------------------------------------------
    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        name = type(self).__name__
        lstm = self.mode == "LSTM"
        directions = 2 if self.bidirectional else 1
        out_size = self.proj_size or self.hidden_size
        packed = isinstance(input, PackedSequence)
        if lstm and hx is not None and not (isinstance(hx, tuple | list) and len(hx) == 2):
            raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0) of two tensors, got {type(hx).__name__}")
        states = None if hx is None else tuple(hx) if lstm else (hx,)
        if packed:
            x, batch_sizes, sorted_indices, unsorted_indices = input
            sizes = [int(s) for s in batch_sizes.tolist()]
            self._check_input(x, 2)
            batch = sizes[0]
        else:
            x, sorted_indices, unsorted_indices = input, None, None
            if x.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {x.ndim}D tensor instead (input shape "
                                 f"{tuple(x.shape)})")
            batched = x.ndim == 3
            if states is not None:
                want = 3 if batched else 2
                if any(s.ndim != want for s in states):
                    dims = ", ".join(f"{s.ndim}-D" for s in states)
                    raise RuntimeError(f"{name}: For {'batched 3-D' if batched else 'unbatched 2-D'} input, hx "
                                       f"should also be {want}-D but got ({dims}) tensor(s)")
                if not batched:
                    states = tuple(s.unsqueeze(1) for s in states)
            if not batched:
                x = x.unsqueeze(0 if self.batch_first else 1)
            self._check_input(x, 3)
            if self.batch_first:
                x = x.transpose(0, 1)
            steps, batch = x.shape[0], x.shape[1]
            if steps == 0:
                raise RuntimeError(f"{name}: Expected sequence length to be larger than 0 in RNN (input shape "
                                   f"{tuple(input.shape)})")
            sizes = [batch] * steps
            x = x.reshape(steps * batch, self.input_size)
        if states is None:
            shape = (self.num_layers * directions, batch)
            states = (autograd.zeros(*shape, out_size, dtype=x.dtype),)
            if lstm:
                states += (autograd.zeros(*shape, self.hidden_size, dtype=x.dtype),)
        else:
            self._check_hidden(states, (self.num_layers * directions, batch), x.dtype)
            if sorted_indices is not None:
                states = tuple(autograd.index_select(s, 1, sorted_indices) for s in states)
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                k = layer * directions + d
                names = self._all_weights[k]
                w = {n.rsplit("_l", 1)[0]: getattr(self, n) for n in names}
                weights = (w["weight_ih"], w["weight_hh"], w.get("bias_ih"), w.get("bias_hh"), w.get("weight_hr"))
                out, h, c = R.recurrent_layer(self.mode, x, sizes, states[0][k], states[1][k] if lstm else None,
                                              weights, reverse=d == 1)
                outs.append(out)
                h_n.append(h)
                c_n.append(c)
            x = outs[0] if directions == 1 else autograd.cat(outs, 1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        hidden = (autograd.stack(h_n),) + ((autograd.stack(c_n),) if lstm else ())
        if packed:
            if unsorted_indices is not None:
                hidden = tuple(autograd.index_select(s, 1, unsorted_indices) for s in hidden)
            output = PackedSequence(x, batch_sizes, sorted_indices, unsorted_indices)
        else:
            output = x.reshape(len(sizes), batch, x.shape[1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                hidden = tuple(s.squeeze(1) for s in hidden)
        return output, hidden if lstm else hidden[0]

    def _check_input(self, x: Tensor, ndim: int) -> None:
        name = type(self).__name__
        w = self.weight_ih_l0
        if x.dtype != w.dtype:
            raise ValueError(f"{name} input dtype ({x.dtype}) does not match weight dtype ({w.dtype}). Convert input: "
                             f"input.to({w.dtype}), or convert model: model.to({x.dtype})")
        if x.ndim != ndim:
            raise RuntimeError(f"{name}: input must have {ndim} dimensions, got {x.ndim} (shape {tuple(x.shape)})")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{x.shape[-1]} (input shape {tuple(x.shape)})")

    def _check_hidden(self, states: tuple, lead: tuple, dtype: Any) -> None:
        sizes = (self.proj_size or self.hidden_size, self.hidden_size)
        for i, (s, size) in enumerate(zip(states, sizes)):
            which = f"hidden[{i}]" if len(states) == 2 else "hidden"
            if tuple(s.shape) != lead + (size,):
                raise RuntimeError(f"{type(self).__name__}: Expected {which} size {lead + (size,)}, got "
                                   f"{list(s.shape)}")
            if s.dtype != dtype:
                raise RuntimeError(f"{type(self).__name__}: {which} dtype {s.dtype} must match the input's, {dtype}")


class RNN(RNNBase):
    """Elman RNN: hₜ = φ(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh), φ = tanh or relu (``nonlinearity``), per layer.

    ``forward(input, h_0=None)`` → ``(output, h_n)``; input (L, N, H_in) (``batch_first``: (N, L, H_in)),
    unbatched (L, H_in), or a ``PackedSequence``; h_0 (num_layers·directions, N, hidden_size)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"RNN.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """LSTM, per layer and step: (i, f, g, o) = (σ, σ, tanh, σ)(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh) in four
    blocks, cₜ = f cₜ₋₁ + i g, hₜ = o tanh cₜ (then hₜ W_hrᵀ when ``proj_size`` > 0).

    ``forward(input, (h_0, c_0)=None)`` → ``(output, (h_n, c_n))``; shapes as ``RNN``, c of hidden_size and h of
    proj_size (or hidden_size)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """GRU, per layer and step: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1 − z) n + z h.

    ``forward(input, h_0=None)`` → ``(output, h_n)``; shapes as ``RNN``."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if kwargs:
            raise TypeError(f"GRU.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)


# ---- cells --------------------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """What the cells share: weight_ih (chunks·hidden, input), weight_hh (chunks·hidden, hidden), bias_ih, bias_hh."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dt = to_dtype(dtype)
        self.weight_ih = Parameter(autograd.empty(num_chunks * hidden_size, input_size, dtype=dt))
        self.weight_hh = Parameter(autograd.empty(num_chunks * hidden_size, hidden_size, dtype=dt))
        if bias:
            self.bias_ih = Parameter(autograd.empty(num_chunks * hidden_size, dtype=dt))
            self.bias_hh = Parameter(autograd.empty(num_chunks * hidden_size, dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias ~ U(−1/√hidden_size, 1/√hidden_size), as torch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batch(self, input: Tensor, hx: Any, count: int) -> tuple[Tensor, tuple, bool]:
        """The input and state(s) as 2-D batches (zeros for a missing state), and whether the input was batched."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead (input shape "
                             f"{tuple(input.shape)})")
        states = None if hx is None else tuple(hx) if count == 2 else (hx,)
        for k, s in enumerate(states or ()):
            if s.ndim not in (1, 2):
                which = f"hx[{k}]" if count == 2 else "hidden"
                raise ValueError(f"{name}: Expected {which} to be 1D or 2D, got {s.ndim}D instead (shape "
                                 f"{tuple(s.shape)})")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        if states is None:
            zeros = autograd.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
            states = (zeros,) * count
        elif not batched:
            states = tuple(s.unsqueeze(0) for s in states)
        return input, states, batched


class RNNCell(RNNCellBase):
    """h' = φ(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), φ = tanh or relu; input (N, input_size) or (input_size,)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._batch(input, hx, 1)
        if self.nonlinearity == "tanh":
            out = R.rnn_tanh_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        elif self.nonlinearity == "relu":
            out = R.rnn_relu_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity} (RNNCell takes 'tanh' or 'relu')")
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o; see ``LSTM``): ``forward(input, (h, c)=None)`` → ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        x, states, batched = self._batch(input, hx, 2)
        h, c = R.lstm_cell(x, states, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n; see ``GRU``): ``forward(input, h=None)`` → ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._batch(input, hx, 1)
        out = R.gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)
