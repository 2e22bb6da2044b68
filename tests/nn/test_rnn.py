"""Recurrent layers and cells (nn.RNN, LSTM, GRU and their cells) and nn.utils.rnn's padding and packing.

Each cell against its equations written out in NumPy; the layers (layers, directions, projections, packed batches)
against a NumPy loop over those equations; finite-difference gradcheck (with the forward mode) and gradgradcheck in
float64 for each layer type; packing by hand; the errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
from autograd import gradcheck, gradgradcheck
from nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

SETTINGS = settings(max_examples=6, deadline=None, derandomize=True)
MODES = {"RNN_TANH": lambda *a, **k: nn.RNN(*a, **k), "RNN_RELU": lambda *a, **k: nn.RNN(*a, nonlinearity="relu", **k),
         "LSTM": nn.LSTM, "GRU": nn.GRU}


def arr(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def leaf(shape, seed=0):
    return ag.tensor(arr(shape, seed), dtype=ag.float64, requires_grad=True)


def close(t, expected, tol=1e-12):
    np.testing.assert_allclose(t.detach().numpy(), expected, rtol=tol, atol=tol)


# ---- the equations, in NumPy --------------------------------------------------------------------------------------
def sig(x):
    return 1 / (1 + np.exp(-x))


def np_cell(mode, x, h, c, p):
    """One step of each cell as torch's documentation writes it; p holds w_ih, w_hh, b_ih, b_hh (, w_hr)."""
    gi, gh = x @ p["weight_ih"].T + p["bias_ih"], h @ p["weight_hh"].T + p["bias_hh"]
    if mode == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = sig(f) * c + sig(i) * np.tanh(g)
        h = sig(o) * np.tanh(c)
        return (h if "weight_hr" not in p else h @ p["weight_hr"].T), c
    if mode == "GRU":
        (ir, iz, in_), (hr, hz, hn) = np.split(gi, 3, axis=-1), np.split(gh, 3, axis=-1)
        r, z = sig(ir + hr), sig(iz + hz)
        n = np.tanh(in_ + r * hn)
        return (1 - z) * n + z * h, None
    return (np.tanh(gi + gh) if mode == "RNN_TANH" else np.maximum(gi + gh, 0)), None


def np_params(m, suffix):
    """One layer's and direction's parameters (suffix "_l1" or "_l1_reverse", say), under their cells' names."""
    p = {n[:-len(suffix)]: v.detach().numpy() for n, v in m.named_parameters() if n.endswith(suffix)}
    p.setdefault("bias_ih", 0.0)
    p.setdefault("bias_hh", 0.0)
    return p


def np_layers(mode, m, x, h0, c0):
    """The whole multi-layer, maybe bidirectional, network as a NumPy loop; x is (T, B, I), time first."""
    directions = 2 if m.bidirectional else 1
    h_n, c_n = [], []
    for layer in range(m.num_layers):
        outs = []
        for d in range(directions):
            k = layer * directions + d
            p = np_params(m, f"_l{layer}" + ("_reverse" if d else ""))
            h, c = h0[k], None if c0 is None else c0[k]
            seq = [None] * len(x)
            for t in (reversed(range(len(x))) if d else range(len(x))):
                h, c = np_cell(mode, x[t], h, c, p)
                seq[t] = h
            outs.append(np.stack(seq))
            h_n.append(h)
            c_n.append(c)
        x = np.concatenate(outs, axis=-1)
    return x, np.stack(h_n), None if c0 is None else np.stack(c_n)


# ---- cells --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, mode", [(nn.RNNCell, "RNN_TANH"), (nn.RNNCell, "RNN_RELU"), (nn.LSTMCell, "LSTM"),
                                       (nn.GRUCell, "GRU")])
def test_cells_follow_their_equations(cls, mode):
    kw = {"nonlinearity": "relu"} if mode == "RNN_RELU" else {}
    cell = cls(3, 4, dtype=ag.float64, **kw)
    x, h, c = arr((2, 3), 1), arr((2, 4), 2), arr((2, 4), 3)
    p = {n: v.detach().numpy() for n, v in cell.named_parameters()}
    want_h, want_c = np_cell(mode, x, h, c, p)
    zero_h, zero_c = np_cell(mode, x, 0 * h, 0 * c, p)
    if mode == "LSTM":
        got_h, got_c = cell(ag.tensor(x), (ag.tensor(h), ag.tensor(c)))
        close(got_c, want_c)
        close(cell(ag.tensor(x))[1], zero_c)
        uh, uc = cell(ag.tensor(x[0]), (ag.tensor(h[0]), ag.tensor(c[0])))  # unbatched
        assert uh.shape == (4,) and uc.shape == (4,)
        close(uc, want_c[0])
    else:
        got_h = cell(ag.tensor(x), ag.tensor(h))
        uh = cell(ag.tensor(x[0]), ag.tensor(h[0]))
        assert uh.shape == (4,)
    close(got_h, want_h)
    close(uh, want_h[0])
    out = cell(ag.tensor(x))  # no state: zeros
    close(out[0] if mode == "LSTM" else out, zero_h)


def test_cells_by_hand():
    """A 1-unit LSTM cell with all weights 0 but the input weights: the gates are σ(x), tanh(x) exactly."""
    cell = nn.LSTMCell(1, 1, bias=False, dtype=ag.float64)
    with ag.no_grad():
        cell.weight_ih.fill_(1.0)
        cell.weight_hh.fill_(0.0)
    f64 = ag.float64
    h, c = cell(ag.tensor([[0.5]], dtype=f64), (ag.tensor([[0.0]], dtype=f64), ag.tensor([[2.0]], dtype=f64)))
    s = 1 / (1 + np.exp(-0.5))
    close(c, [[s * 2.0 + s * np.tanh(0.5)]])
    close(h, [[s * np.tanh(s * 2.0 + s * np.tanh(0.5))]])


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cells_gradcheck(cls):
    cell = cls(2, 3, dtype=ag.float64)
    names = [n for n, _ in cell.named_parameters()]
    lstm = cls is nn.LSTMCell

    def f(x, h, c, *ps):
        for n, p in zip(names, ps):
            cell._parameters[n] = p
        return cell(x, (h, c)) if lstm else cell(x, h)

    inputs = (leaf((2, 2), 1), leaf((2, 3), 2), leaf((2, 3), 3), *[leaf(p.shape, 4 + i) for i, p in
                                                                  enumerate(cell.parameters())])
    assert gradcheck(f, inputs, check_forward_ad=True)
    assert gradgradcheck(f, inputs)


# ---- layers -------------------------------------------------------------------------------------------------------
CONFIGS = [dict(), dict(num_layers=2), dict(bidirectional=True), dict(num_layers=2, bidirectional=True),
           dict(bias=False), dict(batch_first=True)]


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("kw", CONFIGS, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_layers_follow_the_equations(mode, kw):
    m = MODES[mode](3, 4, dtype=ag.float64, **kw)
    directions = 2 if m.bidirectional else 1
    x, h0, c0 = arr((5, 2, 3), 1), arr((m.num_layers * directions, 2, 4), 2), arr((m.num_layers * directions, 2, 4), 3)
    want, want_h, want_c = np_layers(mode, m, x, h0, c0 if mode == "LSTM" else None)
    xin = ag.tensor(x.transpose(1, 0, 2) if m.batch_first else x)
    out, hidden = m(xin, (ag.tensor(h0), ag.tensor(c0)) if mode == "LSTM" else ag.tensor(h0))
    close(out, want.transpose(1, 0, 2) if m.batch_first else want)
    close(hidden[0] if mode == "LSTM" else hidden, want_h)
    if mode == "LSTM":
        close(hidden[1], want_c)
    # no initial state: zeros
    out, _ = m(xin)
    zeros = np.zeros_like(h0)
    close(out, (lambda y: y.transpose(1, 0, 2) if m.batch_first else y)(np_layers(mode, m, x, zeros, zeros if mode ==
                                                                              "LSTM" else None)[0]))


def test_lstm_projection_follows_the_equations():
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2, dtype=ag.float64)
    assert m.weight_hr_l0.shape == (2, 5) and m.weight_hh_l1_reverse.shape == (20, 2)
    assert m.weight_ih_l1.shape == (20, 4)  # the next layer sees both directions' projected h
    x, h0, c0 = arr((4, 2, 3), 1), arr((4, 2, 2), 2), arr((4, 2, 5), 3)
    want, want_h, want_c = np_layers("LSTM", m, x, h0, c0)
    out, (h_n, c_n) = m(ag.tensor(x), (ag.tensor(h0), ag.tensor(c0)))
    assert out.shape == (4, 2, 4) and h_n.shape == (4, 2, 2) and c_n.shape == (4, 2, 5)
    close(out, want)
    close(h_n, want_h)
    close(c_n, want_c)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_unbatched_input(mode):
    m = MODES[mode](3, 4, num_layers=2, dtype=ag.float64)
    x, h0 = arr((5, 3), 1), arr((2, 4), 2)
    state = (ag.tensor(h0), ag.tensor(h0)) if mode == "LSTM" else ag.tensor(h0)
    out, hidden = m(ag.tensor(x), state)
    want, want_h, _ = np_layers(mode, m, x[:, None], h0[:, None], h0[:, None] if mode == "LSTM" else None)
    assert out.shape == (5, 4)
    close(out, want[:, 0])
    close(hidden[0] if mode == "LSTM" else hidden, want_h[:, 0])
    # batch_first is ignored for unbatched input
    m.batch_first = True
    close(m(ag.tensor(x), state)[0], want[:, 0])


@SETTINGS
@given(mode=st.sampled_from(sorted(MODES)), steps=st.integers(1, 4), batch=st.integers(1, 3),
       sizes=st.tuples(st.integers(1, 3), st.integers(1, 3)), bidirectional=st.booleans())
def test_random_shapes_gradcheck(mode, steps, batch, sizes, bidirectional):
    m = MODES[mode](*sizes, bidirectional=bidirectional, dtype=ag.float64)
    x = leaf((steps, batch, sizes[0]), 1)
    want = np_layers(mode, m, x.detach().numpy(), np.zeros((1 + bidirectional, batch, sizes[1])),
                     np.zeros((1 + bidirectional, batch, sizes[1])) if mode == "LSTM" else None)[0]
    close(m(x)[0], want)
    if mode == "RNN_RELU":  # keep finite differences away from relu's kink: positive pre-activations
        with ag.no_grad():
            for p in m.parameters():
                p.abs_()
        x = ag.tensor(np.abs(x.detach().numpy()), requires_grad=True)
    assert gradcheck(lambda x: m(x)[0], (x,), check_forward_ad=True)


def layer_fn(m, packed_lengths=None, view=False):
    """f(x, h0[, c0], *params) -> outputs, for gradcheck: every input and parameter is a leaf of the check."""
    names = [n for n, _ in m.named_parameters()]
    lstm = isinstance(m, nn.LSTM)

    def f(x, h0, *rest):
        c0, ps = (rest[0], rest[1:]) if lstm else (None, rest)
        for n, p in zip(names, ps):
            m._parameters[n] = p
        if view:
            x = x.transpose(0, 1)  # a non-contiguous view of the leaf
        if packed_lengths is not None:
            x = pack_padded_sequence(x, packed_lengths, batch_first=m.batch_first, enforce_sorted=False)
        out, hidden = m(x, (h0, c0) if lstm else h0)
        if packed_lengths is not None:
            out = pad_packed_sequence(out, batch_first=m.batch_first)[0]
        return (out, *hidden) if lstm else (out, hidden)

    return f


def layer_inputs(m, steps=3, batch=2):
    directions = 2 if m.bidirectional else 1
    shape = (batch, steps) if m.batch_first else (steps, batch)
    x = leaf((*shape, m.input_size), 1)
    h0 = leaf((m.num_layers * directions, batch, m.proj_size or m.hidden_size), 2)
    c0 = (leaf((m.num_layers * directions, batch, m.hidden_size), 3),) if isinstance(m, nn.LSTM) else ()
    return (x, h0, *c0, *[leaf(p.shape, 10 + i) for i, p in enumerate(m.parameters())])


GRAD_CASES = {
    "rnn_tanh": lambda: nn.RNN(2, 3),
    "rnn_relu_2_layers": lambda: nn.RNN(2, 3, num_layers=2, nonlinearity="relu"),
    "gru": lambda: nn.GRU(2, 3),
    "lstm": lambda: nn.LSTM(2, 3),
    "rnn_bidirectional_2_layers": lambda: nn.RNN(2, 2, num_layers=2, bidirectional=True),
    "gru_bidirectional_2_layers": lambda: nn.GRU(2, 2, num_layers=2, bidirectional=True),
    "lstm_bidirectional_2_layers": lambda: nn.LSTM(1, 2, num_layers=2, bidirectional=True),
    "lstm_proj": lambda: nn.LSTM(2, 3, proj_size=2),
    "lstm_proj_bidirectional": lambda: nn.LSTM(1, 3, proj_size=1, bidirectional=True, bias=False),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_layers_gradcheck_and_gradgradcheck(name):
    m = GRAD_CASES[name]().double()
    inputs = layer_inputs(m, steps=2 if "2_layers" in name else 3)
    if "relu" in name:  # positive inputs and weights: no pre-activation near relu's kink
        inputs = tuple(ag.tensor(np.abs(t.detach().numpy()) + 0.1, requires_grad=True) for t in inputs)
    f = layer_fn(m)
    assert gradcheck(f, inputs, check_forward_ad=True)
    if "2_layers" in name:  # (for time) second order wrt the states, the input and the last layer's weights only
        names = [n for n, _ in m.named_parameters()]
        states = len(inputs) - len(names)
        inputs = inputs[:states] + tuple(t if n.endswith("_l1_reverse") else t.detach()
                                         for n, t in zip(names, inputs[states:]))
    assert gradgradcheck(f, inputs)


@pytest.mark.parametrize("cls", [nn.GRU, nn.LSTM, nn.RNN])
def test_packed_input_gradcheck(cls):
    """Packed (unsorted lengths, so hx and h_n are permuted too), bidirectional, batch_first."""
    m = cls(2, 2, bidirectional=True, batch_first=True).double()
    f = layer_fn(m, packed_lengths=[2, 3, 1])
    inputs = layer_inputs(m, steps=3, batch=3)
    assert gradcheck(f, inputs, check_forward_ad=True)
    assert gradgradcheck(f, inputs[:3])


def test_non_contiguous_input_gradcheck():
    m = nn.LSTM(2, 2, batch_first=True).double()
    base = leaf((3, 2, 2), 1)  # (T, B, I), seen by the layer as the (B, T, I) view base.transpose(0, 1)
    assert gradcheck(layer_fn(m, view=True), (base, *layer_inputs(m)[1:]), check_forward_ad=True)


def test_initial_state_changed_in_place_is_caught():
    m = nn.LSTM(2, 3).double()
    h0, c0 = leaf((1, 2, 3), 1), leaf((1, 2, 3), 2)
    h, c = h0 * 1, c0 * 1
    out, _ = m(leaf((4, 2, 2)), (h, c))
    with ag.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_gradient_flows_only_where_used():
    """Only h_n used: the output's steps get no gradient, the weights still do; under no_grad nothing records."""
    m = nn.LSTM(2, 3).double()
    x = leaf((4, 2, 2))
    _, (h_n, _) = m(x)
    h_n.sum().backward()
    assert all(p.grad is not None for p in m.parameters()) and x.grad is not None
    _, (_, c_n) = m(x)  # c_n alone: h_n's path gets no gradient
    c_n.sum().backward()
    with ag.no_grad():
        out, (h_n, c_n) = m(x)
    assert not out.requires_grad and out.grad_fn is None


# ---- packed batches through the layers ----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_batch_is_each_sequence_on_its_own(mode, enforce_sorted):
    m = MODES[mode](3, 4, num_layers=2, bidirectional=True, dtype=ag.float64)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    seqs = [arr((n, 3), i) for i, n in enumerate(lengths)]
    h0, c0 = arr((4, 4, 4), 10), arr((4, 4, 4), 11)
    state = (ag.tensor(h0), ag.tensor(c0)) if mode == "LSTM" else ag.tensor(h0)
    packed = pack_sequence([ag.tensor(s) for s in seqs], enforce_sorted=enforce_sorted)
    out, hidden = m(packed, state)
    assert isinstance(out, PackedSequence)
    assert out.batch_sizes.tolist() == packed.batch_sizes.tolist()
    padded, lens = pad_packed_sequence(out)
    assert lens.tolist() == lengths
    for b, s in enumerate(seqs):
        want, want_h, want_c = np_layers(mode, m, s[:, None], h0[:, b:b + 1], c0[:, b:b + 1] if mode == "LSTM"
                                         else None)
        close(padded[:lengths[b], b], want[:, 0])
        close(padded[lengths[b]:, b], np.zeros((5 - lengths[b], 8)))
        close((hidden[0] if mode == "LSTM" else hidden)[:, b], want_h[:, 0])  # h_n in the original batch order
        if mode == "LSTM":
            close(hidden[1][:, b], want_c[:, 0])


# ---- parameters, init, module API ---------------------------------------------------------------------------------
def test_parameter_names_shapes_and_order():
    m = nn.LSTM(10, 20, 2, bidirectional=True, proj_size=5)
    names = [(n, tuple(p.shape)) for n, p in m.named_parameters()]
    per = lambda sfx, i: [(f"weight_ih_{sfx}", (80, i)), (f"weight_hh_{sfx}", (80, 5)), (f"bias_ih_{sfx}", (80,)),  # noqa: E731
                          (f"bias_hh_{sfx}", (80,)), (f"weight_hr_{sfx}", (5, 20))]
    assert names == per("l0", 10) + per("l0_reverse", 10) + per("l1", 10) + per("l1_reverse", 10)
    assert list(m.state_dict()) == [n for n, _ in names]
    assert [[tuple(p.shape) for p in ws] for ws in m.all_weights][1] == [s for _, s in per("l0_reverse", 10)]
    gru = nn.GRU(3, 4, bias=False)
    assert [(n, tuple(p.shape)) for n, p in gru.named_parameters()] == [("weight_ih_l0", (12, 3)),
                                                                          ("weight_hh_l0", (12, 4))]
    cell = nn.GRUCell(3, 4, bias=False)
    assert cell.bias_ih is None and [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    assert [n for n, _ in nn.LSTMCell(3, 4).named_parameters()] == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    assert nn.LSTMCell(3, 4).weight_hh.shape == (16, 4) and nn.RNNCell(3, 4).weight_ih.shape == (4, 3)


@pytest.mark.parametrize("make", [lambda: nn.LSTM(8, 16, 2), lambda: nn.GRUCell(8, 16)])
def test_init_is_uniform_within_one_over_sqrt_hidden(make):
    ag.manual_seed(0)
    m = make()
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.abs(values).max() <= 0.25 and values.min() < -0.24 and values.max() > 0.24
    assert abs(values.std() - 0.25 / np.sqrt(3)) < 0.01  # the standard deviation of U(-b, b) is b/√3
    assert all(p.dtype == np.float32 for p in m.parameters())
    assert all(p.dtype == np.float64 for p in nn.GRU(2, 3, dtype=ag.float64).parameters())


def test_module_api():
    m = nn.LSTM(10, 20, 2, bias=False, batch_first=True, dropout=0.1, bidirectional=True)
    assert repr(m) == "LSTM(10, 20, num_layers=2, bias=False, batch_first=True, dropout=0.1, bidirectional=True)"
    assert repr(nn.LSTM(10, 20, proj_size=5)) == "LSTM(10, 20, proj_size=5)"
    assert repr(nn.RNN(3, 4)) == "RNN(3, 4)" and repr(nn.RNNCell(3, 4, nonlinearity="relu")) == \
        "RNNCell(3, 4, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 4, bias=False)) == "LSTMCell(3, 4, bias=False)"
    assert m.flatten_parameters() is None  # a no-op
    assert nn.RNN(3, 4, 2, "relu").nonlinearity == "relu"  # torch's positional order: nonlinearity 4th
    assert isinstance(m, nn.RNNBase) and isinstance(nn.GRUCell(2, 3), nn.RNNCellBase)
    x = ag.randn(2, 3, 10)
    m.eval()
    assert m.double()(x.double())[0].dtype == np.float64


def test_dropout_between_layers_in_training_only():
    ag.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=ag.float64)
    x = ag.tensor(arr((5, 2, 3)))
    m.eval()
    want = np_layers("GRU", m, x.numpy(), np.zeros((2, 2, 4)), None)[0]
    close(m(x)[0], want)
    m.train()
    a, b = m(x)[0].detach().numpy(), m(x)[0].detach().numpy()
    assert not np.allclose(a, b) and not np.allclose(a, want)
    # the last layer is not dropped: with p = 1 the second layer sees zeros, its input projection only its bias
    m.dropout = 1.0
    p = np_params(m, "_l1")
    close(m(x)[0][0], np_cell("GRU", np.zeros((2, 4)), np.zeros((2, 4)), None, p)[0])


def test_dropout_warning_and_constructor_errors():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, but got dropout=0.5"):
        nn.LSTM(3, 4, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    for kw, err, msg in [(dict(dropout=1.5), ValueError, "dropout should be a number in range"),
                         (dict(dropout=True), ValueError, "dropout should be"),
                         (dict(proj_size=4), ValueError, "proj_size has to be smaller than hidden_size"),
                         (dict(proj_size=-1), ValueError, "proj_size should be a positive integer"),
                         (dict(num_layers=0), ValueError, "num_layers must be greater than zero"),
                         (dict(bias=1), TypeError, "bias should be of type bool, got: int"),
                         (dict(batch_first=None), TypeError, "batch_first should be of type bool"),
                         (dict(device="cuda"), ag.DeviceError, "LSTM")]:
        with pytest.raises(err, match=msg):
            nn.LSTM(3, 4, **kw)
    with pytest.raises(TypeError, match="input_size should be of type int, got: float"):
        nn.GRU(3.0, 4)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'."):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    for cls in (nn.RNN, nn.GRU):
        with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM, not RNN or GRU"):
            cls(3, 4, proj_size=2)
    with pytest.raises(ag.DeviceError, match="GRUCell"):
        nn.GRUCell(3, 4, device="cuda:0")


@pytest.mark.parametrize("mode", sorted(MODES))
def test_forward_errors(mode):
    m = MODES[mode](10, 20)
    lstm = mode == "LSTM"
    name = type(m).__name__

    def state(h, c=None):
        return (h, ag.zeros(*h.shape) if c is None else c) if lstm else h

    with pytest.raises(ValueError, match=f"{name}: Expected input to be 2D or 3D, got 4D"):
        m(ag.randn(5, 3, 2, 10))
    with pytest.raises(RuntimeError, match="input.size.-1. must be equal to input_size. Expected 10, got 11"):
        m(ag.randn(5, 3, 11))
    which = "hidden\\[0\\]" if lstm else "hidden"
    with pytest.raises(RuntimeError, match=f"Expected {which} size \\(1, 3, 20\\), got \\[2, 3, 20\\]"):
        m(ag.randn(5, 3, 10), state(ag.zeros(2, 3, 20)))
    with pytest.raises(RuntimeError, match="For batched 3-D input, hx should also be 3-D"):
        m(ag.randn(5, 3, 10), state(ag.zeros(3, 20)))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx should also be 2-D"):
        m(ag.randn(5, 10), state(ag.zeros(1, 1, 20)))
    with pytest.raises(ValueError, match="input dtype \\(float64\\) does not match weight dtype \\(float32\\)"):
        m(ag.randn(5, 3, 10, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0"):
        m(ag.randn(0, 3, 10))
    with pytest.raises(RuntimeError, match="dtype float64 must match the input's"):
        m(ag.randn(5, 3, 10), state(ag.zeros(1, 3, 20, dtype=ag.float64)))
    packed = pack_sequence([ag.randn(3, 10), ag.randn(2, 10)])
    with pytest.raises(RuntimeError, match=f"Expected {which} size \\(1, 2, 20\\), got \\[1, 3, 20\\]"):
        m(packed, state(ag.zeros(1, 3, 20)))
    if lstm:
        with pytest.raises(RuntimeError, match="Expected hidden\\[1\\] size \\(1, 3, 20\\), got \\[1, 3, 5\\]"):
            m(ag.randn(5, 3, 10), state(ag.zeros(1, 3, 20), ag.zeros(1, 3, 5)))
        with pytest.raises(TypeError, match="hx must be a tuple \\(h_0, c_0\\)"):
            m(ag.randn(5, 3, 10), ag.zeros(1, 3, 20))


@pytest.mark.parametrize("cls", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_cell_errors(cls):
    cell = cls(10, 20)
    lstm = cls is nn.LSTMCell

    def state(h):
        return (h, h) if lstm else h

    with pytest.raises(ValueError, match=f"{cls.__name__}: Expected input to be 1D or 2D, got 3D"):
        cell(ag.randn(2, 3, 10))
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 11 expected 10"):
        cell(ag.randn(3, 11))
    with pytest.raises(RuntimeError, match="Input batch size 3 doesn't match hidden0 batch size 4"):
        cell(ag.randn(3, 10), state(ag.zeros(4, 20)))
    with pytest.raises(RuntimeError, match="hidden0 has inconsistent hidden_size: got 21, expected 20"):
        cell(ag.randn(3, 10), state(ag.zeros(3, 21)))
    with pytest.raises(ValueError, match="Expected (hidden|hx\\[0\\]) to be 1D or 2D, got 3D"):
        cell(ag.randn(3, 10), state(ag.zeros(1, 3, 20)))
    if lstm:
        with pytest.raises(RuntimeError, match="hidden1 has inconsistent hidden_size: got 21, expected 20"):
            cell(ag.randn(3, 10), (ag.zeros(3, 20), ag.zeros(3, 21)))
    with pytest.raises(RuntimeError, match="dtype"):
        cell(ag.randn(3, 10, dtype=ag.float64))
    if cls is nn.RNNCell:
        with pytest.raises(RuntimeError, match="Unknown nonlinearity: foo"):
            nn.RNNCell(3, 4, nonlinearity="foo")(ag.randn(2, 3))


# ---- nn.utils.rnn ---------------------------------------------------------------------------------------------------
def test_pack_padded_sequence_by_hand():
    # three sequences, time first: a = 1 2 3, b = 4 5, c = 6
    x = ag.tensor([[1.0, 4.0, 6.0], [2.0, 5.0, 0.0], [3.0, 0.0, 0.0]])
    p = pack_padded_sequence(x, [3, 2, 1])
    assert p.data.tolist() == [1, 4, 6, 2, 5, 3] and p.batch_sizes.tolist() == [3, 2, 1]
    assert p.sorted_indices is None and p.unsorted_indices is None
    assert p.batch_sizes.dtype == np.int64 and p._fields == ("data", "batch_sizes", "sorted_indices",
                                                            "unsorted_indices")
    data, batch_sizes, _, _ = p  # a named tuple
    assert data is p.data
    # batch_first, unsorted: the longest first, ties in their original order
    q = pack_padded_sequence(ag.tensor([[4.0, 5.0, 0.0], [1.0, 2.0, 3.0], [6.0, 0.0, 0.0]]), ag.tensor([2, 3, 1]),
                             batch_first=True, enforce_sorted=False)
    assert q.data.tolist() == [1, 4, 6, 2, 5, 3] and q.batch_sizes.tolist() == [3, 2, 1]
    assert q.sorted_indices.tolist() == [1, 0, 2] and q.unsorted_indices.tolist() == [1, 0, 2]
    padded, lengths = pad_packed_sequence(q, batch_first=True, padding_value=-1.0, total_length=4)
    assert padded.tolist() == [[4, 5, -1, -1], [1, 2, 3, -1], [6, -1, -1, -1]] and lengths.tolist() == [2, 3, 1]
    assert lengths.dtype == np.int64
    r = pack_padded_sequence(ag.randn(3, 4, 2), [2, 3, 3, 1], enforce_sorted=False)
    assert r.sorted_indices.tolist() == [1, 2, 0, 3]


def test_pad_sequence_and_unpad():
    a, b, c = ag.tensor([1.0, 2.0, 3.0]), ag.tensor([4.0, 5.0]), ag.tensor([6.0])
    assert pad_sequence([a, b, c]).tolist() == [[1, 4, 6], [2, 5, 0], [3, 0, 0]]
    assert pad_sequence([a, b, c], batch_first=True, padding_value=9).tolist() == [[1, 2, 3], [4, 5, 9], [6, 9, 9]]
    assert pad_sequence([a, b, c], batch_first=True, padding_side="left").tolist() == [[1, 2, 3], [0, 4, 5],
                                                                                         [0, 0, 6]]
    assert pad_sequence(t for t in [b, a]).shape == (3, 2)  # any iterable
    assert pad_sequence([ag.ones(2, 3), ag.ones(1, 3)]).shape == (2, 2, 3)
    assert pad_sequence([ag.ones(2, dtype=ag.int64), ag.ones(1)]).dtype == np.int64  # the first one's dtype
    padded = pad_sequence([a, b, c])
    parts = unpad_sequence(padded, ag.tensor([3, 2, 1]))
    assert [p.tolist() for p in parts] == [[1, 2, 3], [4, 5], [6]]
    assert padded.shape == (3, 3) and parts[0]._base is None  # copies; the padded tensor is left as it was
    assert [p.tolist() for p in unpack_sequence(pack_sequence([b, a, c], enforce_sorted=False))] == [[4, 5],
                                                                                                   [1, 2, 3], [6]]
    p = pack_sequence([a, b, c])
    assert p.data.tolist() == [1, 4, 6, 2, 5, 3]
    assert p.double().data.dtype == np.float64 and p.to(ag.float32) is p
    assert repr(PackedSequence(p.data, p.batch_sizes)).startswith("PackedSequence(data=tensor(")


def test_packing_gradcheck():
    lengths = [2, 4, 1]

    def f(x):
        packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
        return packed.data * 2, pad_packed_sequence(packed, padding_value=0.5, total_length=5)[0]

    assert gradcheck(f, (leaf((4, 3, 2)),), check_forward_ad=True)
    assert gradgradcheck(f, (leaf((4, 3, 2)),))
    seqs = (leaf((2, 2), 1), leaf((3, 2), 2))
    check_pad = lambda a, b: pad_sequence([a, b], batch_first=True, padding_value=3.0, padding_side="left")  # noqa: E731
    assert gradcheck(check_pad, seqs, check_forward_ad=True)
    assert gradgradcheck(check_pad, seqs)
    assert gradcheck(lambda x: unpad_sequence(x, ag.tensor([2, 3]))[0], (leaf((3, 2, 2)),), check_forward_ad=True)


def test_packing_errors():
    x = ag.randn(4, 3, 2)
    with pytest.raises(RuntimeError, match="`lengths` array must be sorted in decreasing order when `enforce_sorted` "
                                           "is True. You can pass `enforce_sorted=False`"):
        pack_padded_sequence(x, [2, 3, 1])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [3, 2, 0])
    with pytest.raises(RuntimeError, match="Expected `len\\(lengths\\)` to be equal to batch_size, but got 2 "
                                           "\\(batch_size=3"):
        pack_padded_sequence(x, [3, 2])
    with pytest.raises(RuntimeError, match="a length \\(5\\) exceeds the 4 time steps"):
        pack_padded_sequence(x, [5, 2, 1])
    with pytest.raises(IndexError, match="at least 2 dims"):
        pack_padded_sequence(ag.randn(4), [1])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest sequence in "
                                         "input, but got total_length=2 and max sequence length being 3"):
        pad_packed_sequence(pack_padded_sequence(x, [3, 2, 1]), total_length=2)
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right, but got up."):
        pad_sequence([ag.ones(2)], padding_side="up")
    with pytest.raises(RuntimeError, match="sequence 0 has shape \\(2, 3\\) and sequence 1 \\(3, 4\\)"):
        pad_sequence([ag.ones(2, 3), ag.ones(3, 4)])
    with pytest.raises(RuntimeError, match="Expected iterable for input sequences, but got arg of type: <class 'int'>"):
        pad_sequence(3)
