"""quantile / nanquantile: values for every interpolation, shapes, NaN rules, errors, gradients."""

import numpy as np
import pytest

import autograd as ag
from autograd import gradcheck, gradgradcheck

MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("mode", MODES)
def test_values_match_numpy(mode):
    x = np.random.default_rng(0).standard_normal((3, 7))
    q = np.array([0.0, 0.1, 0.5, 0.77, 1.0])
    ours = ag.quantile(ag.tensor(x), ag.tensor(q), dim=1, interpolation=mode).numpy()
    np.testing.assert_allclose(ours, np.quantile(x, q, axis=1, method=mode), rtol=1e-12)


def test_shapes_and_keepdim():
    y = ag.arange(12.0, dtype=ag.float64).reshape(3, 4)
    assert ag.quantile(y, ag.tensor([0.1, 0.9]), dim=1, keepdim=True).shape == (2, 3, 1)
    assert ag.quantile(y, 0.3, dim=0).shape == (4,) and ag.quantile(y, 0.5).item() == 5.5
    assert ag.quantile(y, ag.tensor([0.5]), keepdim=True).shape == (1, 1, 1)
    assert y.quantile(0.5, dim=-1).tolist() == [1.5, 5.5, 9.5]


def test_nan_rules():
    x = ag.tensor([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]])
    assert np.isnan(ag.quantile(x, 0.5, dim=1).numpy()).all()
    got = ag.nanquantile(x, 0.5, dim=1).numpy()
    assert got[0] == 2.0 and np.isnan(got[1])


def test_errors():
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\]"):
        ag.quantile(x, 1.5)
    with pytest.raises(RuntimeError, match="float or double"):
        ag.quantile(ag.tensor([1, 2]), 0.5)
    with pytest.raises(RuntimeError, match="scalar or 1D"):
        ag.quantile(x, ag.tensor([[0.5]]))
    with pytest.raises(RuntimeError, match="interpolation"):
        ag.quantile(x, 0.5, interpolation="cubic")


@pytest.mark.parametrize("mode", MODES)
def test_gradients(mode):
    x = ag.tensor(np.random.default_rng(1).permutation(20).reshape(4, 5) * 0.3, dtype=ag.float64,
                  requires_grad=True)
    f = lambda x: ag.quantile(x, ag.tensor([0.2, 0.65]), dim=1, interpolation=mode)  # noqa: E731
    assert gradcheck(f, (x,), check_forward_ad=True)
    assert gradgradcheck(f, (x,))
    assert gradcheck(lambda x: ag.nanquantile(x.t(), 0.4, dim=0), (x,))


def test_ties_share_the_gradient_as_torch():
    x = ag.tensor([3.0, 1.0, 2.0, 2.0], requires_grad=True)
    ag.quantile(x, 0.5).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.5, 0.5]
