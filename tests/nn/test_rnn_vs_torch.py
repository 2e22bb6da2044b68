"""Optional: the recurrent layers and nn.utils.rnn against PyTorch (skipped without it). For every configuration
torch's state_dict is loaded into ours unchanged; outputs, h_n (c_n) and the gradients of every parameter, the input
and the initial state agree to 1e-8 relative in float64. Packed batches with enforce_sorted both ways; the cells;
reprs; and the error types of bad calls."""

import itertools
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from nn.utils import rnn as R

torch = pytest.importorskip("torch")
TR = torch.nn.utils.rnn

RTOL, ATOL = 1e-8, 1e-12


def same(ours, theirs):
    theirs = theirs.detach().numpy()
    assert tuple(ours.shape) == theirs.shape
    np.testing.assert_allclose(ours.detach().numpy(), theirs, rtol=RTOL, atol=ATOL)


def pair(array):
    return ag.tensor(array, dtype=ag.float64, requires_grad=True), torch.tensor(array, requires_grad=True)


def twins(cls_name, *args, **kw):
    """torch's module in float64 and ours with its state_dict loaded as it is."""
    theirs = getattr(torch.nn, cls_name)(*args, dtype=torch.float64, **kw)
    ours = getattr(nn, cls_name)(*args, dtype=ag.float64, **kw)
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


def backward_both(ours, theirs, seed):
    """Backpropagate the same random upstream gradient through each pair of outputs."""
    rng = np.random.default_rng(seed)
    ag.backward(list(ours), [ag.tensor(g) for g in (rng.standard_normal(tuple(t.shape)) for t in theirs)])
    rng = np.random.default_rng(seed)
    torch.autograd.backward(list(theirs), [torch.tensor(rng.standard_normal(tuple(t.shape))) for t in theirs])


def flat(output, hidden):
    return (output, *hidden) if isinstance(hidden, tuple) else (output, hidden)


def compare_layer(cls_name, kw, x_shape, with_state, seed=0):
    ours, theirs = twins(cls_name, *kw.pop("sizes", (3, 4)), **kw)
    rng = np.random.default_rng(seed)
    x, tx = pair(rng.standard_normal(x_shape))
    directions = 2 if theirs.bidirectional else 1
    batch = () if len(x_shape) == 2 else (x_shape[0 if theirs.batch_first else 1],)
    lead = (theirs.num_layers * directions, *batch)
    states = []
    if with_state:
        states.append(pair(rng.standard_normal((*lead, theirs.proj_size or theirs.hidden_size))))
        if cls_name == "LSTM":
            states.append(pair(rng.standard_normal((*lead, theirs.hidden_size))))
    ours_state = None if not states else tuple(s[0] for s in states) if cls_name == "LSTM" else states[0][0]
    their_state = None if not states else tuple(s[1] for s in states) if cls_name == "LSTM" else states[0][1]
    o = flat(*ours(x, ours_state))
    t = flat(*theirs(tx, their_state))
    for a, b in zip(o, t):
        same(a, b)
    backward_both(o, t, seed + 1)
    same(x.grad, tx.grad)
    for a, b in states:
        same(a.grad, b.grad)
    for (name, p), (tname, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == tname
        same(p.grad, tp.grad)


OPTIONS = list(itertools.product([1, 2], [False, True], [False, True], [True, False], [True, False]))
LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}), ("LSTM", {"proj_size": 2})]


@pytest.mark.parametrize("cls_name, extra", LAYERS, ids=["rnn_tanh", "rnn_relu", "gru", "lstm", "lstm_proj"])
@pytest.mark.parametrize("num_layers, bidirectional, batch_first, bias, with_state", OPTIONS,
                         ids=lambda v: str(v))
def test_layers_match_torch(cls_name, extra, num_layers, bidirectional, batch_first, bias, with_state):
    kw = dict(extra, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    compare_layer(cls_name, kw, (2, 5, 3) if batch_first else (5, 2, 3), with_state)


@pytest.mark.parametrize("cls_name, extra", LAYERS, ids=["rnn_tanh", "rnn_relu", "gru", "lstm", "lstm_proj"])
@pytest.mark.parametrize("with_state", [True, False])
def test_unbatched_and_long_sequences_match_torch(cls_name, extra, with_state):
    compare_layer(cls_name, dict(extra, num_layers=2, bidirectional=True), (6, 3), with_state)
    compare_layer(cls_name, dict(extra, batch_first=True), (6, 3), with_state)  # batch_first: ignored
    compare_layer(cls_name, dict(extra, sizes=(4, 8)), (40, 3, 4), with_state, seed=3)


def test_dropout_in_eval_mode_matches_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = twins("GRU", 3, 4, num_layers=3, dropout=0.4)
    ours.eval(), theirs.eval()
    x, tx = pair(np.random.default_rng(0).standard_normal((5, 2, 3)))
    same(ours(x)[0], theirs(tx)[0])


@pytest.mark.parametrize("cls_name, extra", LAYERS, ids=["rnn_tanh", "rnn_relu", "gru", "lstm", "lstm_proj"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_packed_sequences_match_torch(cls_name, extra, enforce_sorted, with_state):
    ours, theirs = twins(cls_name, 3, 4, num_layers=2, bidirectional=True, **extra)
    lengths = [5, 4, 4, 2, 1] if enforce_sorted else [2, 5, 1, 4, 4]
    rng = np.random.default_rng(0)
    seqs = [pair(rng.standard_normal((n, 3))) for n in lengths]
    packed = R.pack_sequence([s[0] for s in seqs], enforce_sorted=enforce_sorted)
    tpacked = TR.pack_sequence([s[1] for s in seqs], enforce_sorted=enforce_sorted)
    for a, b in zip(packed, tpacked):
        assert (a is None) == (b is None)
        if a is not None:
            same(a, b) if a.dtype == np.float64 else np.testing.assert_array_equal(a.numpy(), b.numpy())
    states, ours_state, their_state = [], None, None
    if with_state:
        states = [pair(rng.standard_normal((4, 5, extra.get("proj_size", 4))))]
        if cls_name == "LSTM":
            states.append(pair(rng.standard_normal((4, 5, 4))))
        ours_state = tuple(s[0] for s in states) if cls_name == "LSTM" else states[0][0]
        their_state = tuple(s[1] for s in states) if cls_name == "LSTM" else states[0][1]
    out, hidden = ours(packed, ours_state)
    tout, thidden = theirs(tpacked, their_state)
    assert isinstance(out, R.PackedSequence)
    np.testing.assert_array_equal(out.batch_sizes.numpy(), tout.batch_sizes.numpy())
    padded, lens = R.pad_packed_sequence(out, batch_first=True, total_length=6)
    tpadded, tlens = TR.pad_packed_sequence(tout, batch_first=True, total_length=6)
    np.testing.assert_array_equal(lens.numpy(), tlens.numpy())
    o, t = flat(padded, hidden), flat(tpadded, thidden)
    for a, b in zip(o, t):
        same(a, b)
    backward_both(o, t, 1)
    for a, b in seqs + states:
        same(a.grad, b.grad)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        same(p.grad, tp.grad)


@pytest.mark.parametrize("cls_name, extra", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                             ("LSTMCell", {}), ("GRUCell", {}), ("GRUCell", {"bias": False})])
@pytest.mark.parametrize("shape", [(3, 2), (2,)], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_state", [True, False])
def test_cells_match_torch(cls_name, extra, shape, with_state):
    ours, theirs = twins(cls_name, shape[-1], 4, **extra)
    rng = np.random.default_rng(0)
    x, tx = pair(rng.standard_normal(shape))
    states = [pair(rng.standard_normal((*shape[:-1], 4))) for _ in range(2 if cls_name == "LSTMCell" else 1)]
    lstm = cls_name == "LSTMCell"
    ours_state = None if not with_state else tuple(s[0] for s in states) if lstm else states[0][0]
    their_state = None if not with_state else tuple(s[1] for s in states) if lstm else states[0][1]
    o, t = ours(x, ours_state), theirs(tx, their_state)
    o, t = (o, t) if lstm else ((o,), (t,))
    for a, b in zip(o, t):
        same(a, b)
    backward_both(o, t, 1)
    same(x.grad, tx.grad)
    if with_state:
        for a, b in states:
            same(a.grad, b.grad)
    for p, tp in zip(ours.parameters(), theirs.parameters()):
        same(p.grad, tp.grad)


def test_padding_utilities_match_torch():
    rng = np.random.default_rng(0)
    seqs = [pair(rng.standard_normal((n, 2))) for n in (3, 1, 4)]
    for batch_first, side, value in itertools.product([False, True], ["right", "left"], [0.0, -2.0]):
        same(R.pad_sequence([s[0] for s in seqs], batch_first, value, side),
             TR.pad_sequence([s[1] for s in seqs], batch_first, value, side))
    padded, tpadded = R.pad_sequence([s[0] for s in seqs]), TR.pad_sequence([s[1] for s in seqs])
    for batch_first in (False, True):
        lengths = [3, 1, 4]
        p = R.pack_padded_sequence(padded.transpose(0, 1) if batch_first else padded, lengths, batch_first,
                                   enforce_sorted=False)
        tp = TR.pack_padded_sequence(tpadded.transpose(0, 1) if batch_first else tpadded, lengths, batch_first,
                                     enforce_sorted=False)
        same(p.data, tp.data)
        for a, b in zip(p[1:], tp[1:]):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
        out, lens = R.pad_packed_sequence(p, batch_first, 7.0)
        tout, tlens = TR.pad_packed_sequence(tp, batch_first, 7.0)
        same(out, tout)
        np.testing.assert_array_equal(lens.numpy(), tlens.numpy())
    for a, b in zip(R.unpack_sequence(R.pack_sequence([s[0] for s in seqs], enforce_sorted=False)),
                    TR.unpack_sequence(TR.pack_sequence([s[1] for s in seqs], enforce_sorted=False))):
        same(a, b)
    for a, b in zip(R.unpad_sequence(padded, ag.tensor([3, 1, 4])),
                    TR.unpad_sequence(tpadded.clone(), torch.tensor([3, 1, 4]))):
        same(a, b)


def test_reprs_match_torch():
    cases = [("RNN", (3, 4), {}), ("RNN", (3, 4, 2, "relu"), {}), ("LSTM", (3, 4), {"proj_size": 2}),
             ("GRU", (3, 4), dict(num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)),
             ("RNNCell", (3, 4), {"nonlinearity": "relu"}), ("LSTMCell", (3, 4), {"bias": False}),
             ("GRUCell", (3, 4), {})]
    for name, args, kw in cases:
        assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


def error_type(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001 (the type is what is compared)
        return type(e)
    return None


def test_error_types_match_torch():
    def calls(lib, utils, t):
        return [
            lambda: lib.LSTM(3, 4, dropout=1.5), lambda: lib.LSTM(3, 4, dropout=True),
            lambda: lib.RNN(3, 4, nonlinearity="sigmoid"), lambda: lib.GRU(3, 4, proj_size=2),
            lambda: lib.LSTM(3, 4, proj_size=4), lambda: lib.LSTM(3, 4, proj_size=-1),
            lambda: lib.LSTM(3.0, 4), lambda: lib.LSTM(0, 4), lambda: lib.LSTM(3, 4, num_layers=0),
            lambda: lib.LSTM(3, 4, bias=1),
            lambda: lib.RNN(3, 4)(t(5, 2, 2, 3)), lambda: lib.RNN(3, 4)(t(5, 2, 4)),
            lambda: lib.RNN(3, 4)(t(5, 2, 3), t(2, 2, 4)), lambda: lib.GRU(3, 4)(t(5, 2, 3), t(2, 4)),
            lambda: lib.GRU(3, 4)(t(5, 3), t(1, 1, 4)), lambda: lib.GRU(3, 4)(t(0, 2, 3)),
            lambda: lib.LSTM(3, 4)(t(5, 2, 3), (t(1, 2, 4), t(1, 2, 5))),
            lambda: lib.LSTM(3, 4)(t(5, 2, 3), (t(1, 2, 4), t(1, 4))),
            lambda: lib.RNNCell(3, 4)(t(2, 2, 3)), lambda: lib.RNNCell(3, 4)(t(2, 5)),
            lambda: lib.GRUCell(3, 4)(t(2, 3), t(3, 4)), lambda: lib.LSTMCell(3, 4)(t(2, 3), (t(2, 5), t(2, 4))),
            lambda: lib.RNNCell(3, 4, nonlinearity="foo")(t(2, 3)),
            lambda: utils.pack_padded_sequence(t(4, 3, 2), [2, 3, 1]),
            lambda: utils.pack_padded_sequence(t(4, 3, 2), [3, 2, 0]),
            lambda: utils.pack_padded_sequence(t(4, 3, 2), [3, 2]),
            lambda: utils.pack_padded_sequence(t(4), [1]),
            lambda: utils.pad_packed_sequence(utils.pack_padded_sequence(t(4, 3, 2), [3, 2, 1]), total_length=2),
            lambda: utils.pad_sequence([]), lambda: utils.pad_sequence([t(2, 3), t(3, 4)]),
            lambda: utils.pad_sequence([t(2)], padding_side="up"), lambda: utils.pad_sequence(3),
        ]

    ours = calls(nn, R, lambda *s: ag.zeros(*s, dtype=ag.float32))
    theirs = calls(torch.nn, TR, lambda *s: torch.zeros(*s))
    for i, (a, b) in enumerate(zip(ours, theirs)):
        want = error_type(b)
        assert want is not None, i
        assert error_type(a) is want, (i, error_type(a), want)
