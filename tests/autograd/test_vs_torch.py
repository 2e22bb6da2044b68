"""Optional: the same computations in PyTorch give the same values and gradients (skipped without torch)."""

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

CASES = {
    "mlp_softmax": lambda m, x, w1, w2: m.log_softmax((x @ w1).tanh() @ w2, 1).sum(),
    "norm_stats": lambda m, x, w1, w2: ((x - x.mean(0, keepdim=True)) / (x.var(0, keepdim=True) + 1e-5).sqrt()).sum(),
    "max_ties": lambda m, x, w1, w2: x.amax(1).sum() + x.max(),
    "logsumexp_sigmoid": lambda m, x, w1, w2: m.logsumexp(x * 3, 1).sigmoid().sum(),
    "indexing": lambda m, x, w1, w2: (x[[0, 0, 2], 1:] ** 2).sum() + x[x > 0].sum(),
    "where_clamp": lambda m, x, w1, w2: m.where(x > 0, x.clamp(0.1, 0.5), x * x).sum(),
}


class TorchNS:
    log_softmax = staticmethod(torch.log_softmax)
    logsumexp = staticmethod(torch.logsumexp)
    where = staticmethod(torch.where)


class OursNS:
    log_softmax = staticmethod(ag.log_softmax)
    logsumexp = staticmethod(ag.logsumexp)
    where = staticmethod(ag.where)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name, rng):
    data = [rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((5, 2))]
    data[0][1, :] = data[0][1, 0]  # ties
    ours = [ag.tensor(d, dtype=ag.float64, requires_grad=True) for d in data]
    theirs = [torch.tensor(d, dtype=torch.float64, requires_grad=True) for d in data]
    fn = CASES[name]
    a = fn(OursNS, *ours)
    b = fn(TorchNS, *theirs)
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-10, atol=1e-12)
    a.backward()
    b.backward()
    for o, t in zip(ours, theirs):
        if t.grad is None:
            assert o.grad is None or np.allclose(o.grad.numpy(), 0)
        else:
            np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_second_derivatives_match_torch(rng):
    d = rng.standard_normal(4)
    x = ag.tensor(d, dtype=ag.float64, requires_grad=True)
    t = torch.tensor(d, dtype=torch.float64, requires_grad=True)
    (gx,) = ag.grad((x.sin() * x.exp()).sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad((t.sin() * t.exp()).sum(), t, create_graph=True)
    (hx,) = ag.grad(gx.sum(), x)
    (ht,) = torch.autograd.grad(gt.sum(), t)
    np.testing.assert_allclose(hx.numpy(), ht.numpy(), rtol=1e-12)
