"""The autograd tutorial: requires_grad, backward, accumulation, zero_, no_grad, detach, a second derivative."""

import numpy as np
import torch

# A one-layer "network" as in "Automatic differentiation with torch.autograd"
x = torch.ones(5)
y = torch.zeros(3)
w = torch.tensor(np.linspace(-1, 1, 15).reshape(5, 3).astype(np.float32), requires_grad=True)
b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
assert z.grad_fn is not None and loss.grad_fn is not None
assert z.requires_grad and not x.requires_grad and w.is_leaf and not z.is_leaf
loss.backward()
w_grad, b_grad = w.grad.clone(), b.grad.clone()

# Gradients accumulate across backward calls until zeroed
loss2 = torch.nn.functional.binary_cross_entropy_with_logits(torch.matmul(x, w) + b, y)
loss2.backward()
accumulated = w.grad.clone()
w.grad.zero_()
b.grad = None
assert b.grad is None and float(w.grad.abs().sum()) == 0.0

# Disabling tracking
with torch.no_grad():
    z_ng = torch.matmul(x, w) + b
z_det = (torch.matmul(x, w) + b).detach()
assert not z_ng.requires_grad and not z_det.requires_grad and z_det.grad_fn is None

# backward with a gradient argument, for a non-scalar output (Jacobian-vector product)
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
first_call = inp.grad.clone()
out.backward(torch.ones_like(out))
second_call = inp.grad.clone()
inp.grad.zero_()
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out))
after_zero = inp.grad.clone()

# Second derivative with autograd.grad(create_graph=True)
t = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
f = (t ** 3 - 2 * t.sin()).sum()
(df,) = torch.autograd.grad(f, t, create_graph=True)
(d2f,) = torch.autograd.grad(df.sum(), t)
expected_d2f = 6 * t.detach() + 2 * t.detach().sin()

# requires_grad_ on an existing tensor, and a leaf's .grad after a chain through a view
a = torch.arange(6.0).reshape(2, 3)
a.requires_grad_()
s = (a[:, 1:] * a[:, :2]).sum()
s.backward()

RESULTS = {
    "z": z, "loss": loss, "w_grad": w_grad, "b_grad": b_grad, "accumulated": accumulated,
    "z_no_grad": z_ng, "first_call": first_call, "second_call": second_call, "after_zero": after_zero,
    "df": df, "d2f": d2f, "d2f_error": (d2f - expected_d2f).abs().max(), "a_grad": a.grad,
    "flags": [int(df.requires_grad), int(d2f.requires_grad), int(a.is_leaf)],
}
