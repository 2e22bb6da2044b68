"""pathgrad.func (torch.func): grad, grad_and_value, vmap, jacrev/jacfwd/hessian, functional_call."""

import numpy as np
import pytest

import pathgrad as torch
from pathgrad.func import functional_call, grad, grad_and_value, hessian, jacfwd, jacrev, vmap


def t(*values):
    return torch.tensor(values, dtype=torch.float64)


def test_grad_of_a_scalar_function():
    x = t(1.0, 2.0, 3.0)
    assert grad(lambda x: (x**2).sum())(x).tolist() == [2.0, 4.0, 6.0]
    assert not x.requires_grad  # the caller's tensor is left alone
    gx, gy = grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(x, t(4.0, 5.0, 6.0))
    assert gx.tolist() == [4.0, 5.0, 6.0] and gy.tolist() == [1.0, 2.0, 3.0]
    g, aux = grad(lambda x: ((x**3).sum(), "aux"), has_aux=True)(x)
    assert g.tolist() == [3.0, 12.0, 27.0] and aux == "aux"
    g, value = grad_and_value(lambda x: (x**2).sum())(x)
    assert value.item() == 14.0 and g.tolist() == [2.0, 4.0, 6.0]


def test_grad_composes_to_higher_order():
    x = t(0.5)
    d2 = grad(grad(lambda x: (x**4).sum()))(x)  # d²/dx² x⁴ = 12x²
    assert np.isclose(d2.item(), 12 * 0.25)


def test_grad_over_a_dict_of_parameters():
    params = {"w": t(1.0, -1.0), "b": t(0.5)}
    g = grad(lambda p, x: (p["w"] * x).sum() + p["b"].sum() * 3)(params, t(2.0, 3.0))
    assert set(g) == {"w", "b"} and g["w"].tolist() == [2.0, 3.0] and g["b"].tolist() == [3.0]


def test_grad_needs_a_scalar_output():
    with pytest.raises(RuntimeError, match="one-element tensor"):
        grad(lambda x: x * 2)(t(1.0, 2.0))


def test_per_sample_gradients_with_functional_call():
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2).double()
    data, target = torch.randn(4, 3, dtype=torch.float64), torch.randn(4, 2, dtype=torch.float64)
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, x, y):
        return ((functional_call(model, p, (x.unsqueeze(0),)) - y) ** 2).sum()

    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, data, target)
    assert per_sample["weight"].shape == (4, 2, 3)
    for i in range(4):
        model.zero_grad()
        ((model(data[i:i + 1]) - target[i]) ** 2).sum().backward()
        assert np.allclose(per_sample["weight"][i].numpy(), model.weight.grad.numpy())
        assert np.allclose(per_sample["bias"][i].numpy(), model.bias.grad.numpy())


def test_functional_call_restores_the_module():
    model = torch.nn.Linear(2, 1)
    w = model.weight
    out = functional_call(model, {"weight": torch.zeros(1, 2), "bias": torch.ones(1)}, (torch.ones(3, 2),))
    assert out.tolist() == [[1.0], [1.0], [1.0]] and model.weight is w
    with pytest.raises(RuntimeError, match="not parameters or buffers"):
        functional_call(model, {"weights": torch.zeros(1, 2)}, torch.ones(1, 2))
    with pytest.raises(RuntimeError, match="missing keys \\['bias'\\]"):
        functional_call(model, {"weight": torch.zeros(1, 2)}, torch.ones(1, 2), strict=True)
    bn = torch.nn.BatchNorm1d(2)
    functional_call(bn, ({"weight": torch.ones(2), "bias": torch.zeros(2)}, {"running_mean": torch.ones(2)}),
                    torch.randn(4, 2))
    assert bn.running_mean is not None and "running_mean" in dict(bn.named_buffers())


def test_jacobians_and_hessian():
    x = t(1.0, 2.0)
    f = lambda x: torch.stack([x[0] * x[1], x[0] ** 2])  # noqa: E731
    expected = [[2.0, 1.0], [2.0, 0.0]]
    assert jacrev(f)(x).tolist() == expected and jacfwd(f)(x).tolist() == expected
    assert hessian(lambda x: (x**3).sum())(x).tolist() == [[6.0, 0.0], [0.0, 12.0]]


def test_vmap_returns_dicts_and_lists():
    out = vmap(lambda r: {"s": r.sum(), "l": [r * 2]})(torch.ones(3, 2))
    assert out["s"].shape == (3,) and out["l"][0].shape == (3, 2)
