"""Custom autograd Functions: "Learning PyTorch with examples"' LegendrePolynomial3, a clamp with a custom
(straight-through) backward that uses ctx.needs_input_grad, and torch.autograd.gradcheck in float64."""

import math

import torch
from torch.autograd import Function, gradcheck


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class StraightThroughClamp(Function):
    """Clamps in forward; in backward, passes the gradient through unchanged (scaled), and the bound's gradient
    is the sum of the clipped part's gradient -- computed only when asked for."""

    @staticmethod
    def forward(ctx, input, bound, scale):
        ctx.save_for_backward(input, bound)
        ctx.scale = scale
        return torch.min(torch.max(input, -bound), bound)

    @staticmethod
    def backward(ctx, grad_output):
        input, bound = ctx.saved_tensors
        grad_input = grad_bound = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output * ctx.scale
        if ctx.needs_input_grad[1]:
            clipped = (input.abs() > bound).to(grad_output.dtype) * input.sign()
            grad_bound = (grad_output * clipped).sum().reshape(bound.shape)
        return grad_input, grad_bound, None


dtype = torch.float
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
learning_rate = 5e-6
losses = []
P3 = LegendrePolynomial3.apply
for t in range(300):
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
assert y_pred.grad_fn is not None

# The clamp: needs_input_grad tells which gradients to compute
inp = torch.tensor([-2.0, -0.5, 0.0, 0.7, 3.0], requires_grad=True)
bound = torch.tensor(1.0)
out = StraightThroughClamp.apply(inp, bound, 0.5)
(out * torch.arange(1.0, 6.0)).sum().backward()
grad_only_input = inp.grad.clone()
bound_learnable = torch.tensor(1.0, requires_grad=True)
frozen = torch.tensor([-2.0, -0.5, 0.0, 0.7, 3.0])
(StraightThroughClamp.apply(frozen, bound_learnable, 0.5) * torch.arange(1.0, 6.0)).sum().backward()
assert frozen.grad is None

# gradcheck in double precision
x64 = torch.tensor([[-0.9, 0.3, 0.5], [0.1, -0.2, 0.8]], dtype=torch.double, requires_grad=True)
legendre_ok = gradcheck(LegendrePolynomial3.apply, (x64,), eps=1e-6, atol=1e-4)

RESULTS = {
    "losses": losses, "coefficients": torch.stack([a, b, c, d]).detach(), "clamped": out,
    "grad_only_input": grad_only_input, "grad_bound": bound_learnable.grad, "legendre_gradcheck": int(legendre_ok),
}
