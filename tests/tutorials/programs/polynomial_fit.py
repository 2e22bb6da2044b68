""""Learning PyTorch with examples": fit sin(x) with a cubic, three ways (tensors and autograd by hand, then
nn.Sequential with Flatten and a manual update, then optim.RMSprop)."""

import math

import numpy as np
import torch

dtype = torch.float
device = torch.device("cpu")
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# 1. Tensors and autograd, weights updated by hand
a = torch.tensor(0.1, device=device, dtype=dtype, requires_grad=True)
b = torch.tensor(-0.2, device=device, dtype=dtype, requires_grad=True)
c = torch.tensor(0.05, device=device, dtype=dtype, requires_grad=True)
d = torch.tensor(0.3, device=device, dtype=dtype, requires_grad=True)
learning_rate = 1e-6
losses_autograd = []
for t in range(200):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 50 == 49:
        losses_autograd.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
coefficients_autograd = torch.stack([a, b, c, d]).detach()

# 2. nn: (x, x^2, x^3) features, Linear(3, 1), Flatten(0, 1)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
assert tuple(xx.shape) == (2000, 3)


def make_model():
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.2, -0.1, 0.05]]))
        model[0].bias.fill_(0.1)
    return model


model = make_model()
loss_fn = torch.nn.MSELoss(reduction="sum")
losses_nn = []
for t in range(200):
    loss = loss_fn(model(xx), y)
    if t % 50 == 49:
        losses_nn.append(loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
linear_layer = model[0]
coefficients_nn = torch.cat([linear_layer.bias, linear_layer.weight[:, 0], linear_layer.weight[:, 1],
                             linear_layer.weight[:, 2]]).detach()

# 3. optim: RMSprop does the update
model = make_model()
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
losses_optim = []
for t in range(300):
    loss = loss_fn(model(xx), y)
    if t % 100 == 99:
        losses_optim.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
state = optimizer.state_dict()["state"][0]

RESULTS = {
    "losses_autograd": np.array(losses_autograd), "coefficients_autograd": coefficients_autograd,
    "losses_nn": np.array(losses_nn), "coefficients_nn": coefficients_nn,
    "losses_optim": np.array(losses_optim), "weight": model[0].weight, "bias": model[0].bias,
    "square_avg": state["square_avg"], "step": float(state["step"]),
}
