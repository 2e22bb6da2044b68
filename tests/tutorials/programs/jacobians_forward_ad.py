"""Higher-order autograd as the tutorials show it: torch.autograd.functional (jacobian, hessian, vjp, jvp, hvp) on a
small model's prediction, the "Forward-mode Automatic Differentiation" tutorial (dual_level, make_dual, unpack_dual,
with a module's parameters swapped for duals), and a gradient penalty (create_graph=True) as in WGAN-GP."""

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd.functional import hessian, hvp, jacobian, jvp, vjp

rng = np.random.default_rng(37)
W = torch.from_numpy(rng.normal(size=(3, 4)))
b = torch.from_numpy(rng.normal(size=(3,)))
x = torch.from_numpy(rng.normal(size=(4,)))


def predict(weight, bias, x):
    return F.linear(x, weight, bias).tanh()


jac_x = jacobian(lambda x: predict(W, b, x), x)
jac_w, jac_b = jacobian(predict, (W, b, x))[:2]
unit = torch.eye(3, dtype=torch.float64)
vjp_rows = [vjp(lambda x: predict(W, b, x), x, v=unit[i])[1] for i in range(3)]
_, jvp_out = jvp(lambda x: predict(W, b, x), x, v=torch.ones(4, dtype=torch.float64))


def energy(x):
    return (x.sin() * x.roll(1)).sum() + (x ** 4).sum() / 4


H = hessian(energy, x)
_, hvp_out = hvp(energy, x, v=torch.arange(4, dtype=torch.float64))

# Forward mode: the directional derivative of a function, and of a module w.r.t. its parameters
primal = torch.from_numpy(rng.normal(size=(10, 10)).astype(np.float32))
tangent = torch.from_numpy(rng.normal(size=(10, 10)).astype(np.float32))


def fn(x, y):
    return x ** 2 + y ** 2


with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    assert fwAD.unpack_dual(dual_input).tangent is tangent
    plain_tensor = torch.ones(10, 10)
    dual_output = fn(dual_input, plain_tensor)
    jvp_fwd = fwAD.unpack_dual(dual_output).tangent

model = nn.Linear(5, 5)
with torch.no_grad():
    model.weight.copy_(torch.from_numpy(rng.normal(size=(5, 5)).astype(np.float32)))
    model.bias.copy_(torch.from_numpy(rng.normal(size=(5,)).astype(np.float32)))
inp = torch.from_numpy(rng.normal(size=(16, 5)).astype(np.float32))
params = {name: p for name, p in model.named_parameters()}
tangents = {name: torch.ones_like(p) * 0.1 for name, p in params.items()}
with fwAD.dual_level():
    for name, p in params.items():
        delattr(model, name)
        setattr(model, name, fwAD.make_dual(p, tangents[name]))
    out = model(inp)
    module_jvp = fwAD.unpack_dual(out).tangent

# A gradient penalty: the norm of d(critic)/d(input) enters the loss, so backward goes through a gradient
critic = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 1))
with torch.no_grad():
    for p in critic.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.7, 0.7, tuple(p.shape)).astype(np.float32)))
interpolates = torch.from_numpy(rng.normal(size=(8, 2)).astype(np.float32)).requires_grad_(True)
d_interpolates = critic(interpolates)
gradients = torch.autograd.grad(outputs=d_interpolates, inputs=interpolates,
                                grad_outputs=torch.ones_like(d_interpolates), create_graph=True,
                                retain_graph=True)[0]
gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
gradient_penalty.backward()

RESULTS = {
    "jac_x": jac_x, "jac_w": jac_w, "jac_b": jac_b, "vjp_rows": torch.stack(vjp_rows), "jvp": jvp_out,
    "hessian": H, "hessian_symmetric": (H - H.T).abs().max(), "hvp": hvp_out, "jvp_fwd": jvp_fwd,
    "module_jvp": module_jvp, "gradient_penalty": gradient_penalty,
    "critic_grads": [p.grad for p in critic.parameters()],
}
