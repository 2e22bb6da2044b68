import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("mode", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (None, True), (0, False), (1, True), (-1, False)])
@pytest.mark.parametrize("ties", [True, False])
def test_quantile_like_torch(mode, dtype, dim, keepdim, ties):
    """Values always; gradients where no two values tie (with ties, which of the equal elements gets the gradient
    depends on torch's unstable sort)."""
    rng = np.random.default_rng(2)
    x = (rng.integers(0, 5, (4, 6)) if ties else rng.permutation(24).reshape(4, 6) * 0.25).astype(dtype)
    x[1, 2] = np.nan
    q = np.array([0.0, 1 / 6, 0.25, 0.5, 0.9, 1.0], dtype=dtype)
    for name in ("quantile", "nanquantile"):
        a = ag.tensor(x, requires_grad=True)
        t = torch.tensor(x, requires_grad=True)
        ours = getattr(ag, name)(a, ag.tensor(q), dim, keepdim, interpolation=mode)
        theirs = getattr(torch, name)(t, torch.tensor(q), dim, keepdim, interpolation=mode)
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6, equal_nan=True)
        if ties:
            continue
        w = np.random.default_rng(3).standard_normal(ours.shape).astype(dtype)
        (ours * ag.tensor(w)).nansum().backward()
        (theirs * torch.tensor(w)).nansum().backward()
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-6, equal_nan=True)
