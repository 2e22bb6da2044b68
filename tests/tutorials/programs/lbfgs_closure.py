"""optim.LBFGS with a closure (the pattern from the optim docs and the neural-style-transfer tutorial): the closure
re-evaluates the loss, the optimizer calls it as often as it needs; also a closure passed to SGD.step."""

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(5)
X = torch.from_numpy(rng.uniform(-2, 2, (64, 2)).astype(np.float64))
Y = torch.from_numpy((np.sin(X.numpy()[:, :1]) + 0.5 * X.numpy()[:, 1:] ** 2).astype(np.float64))

# Rosenbrock, the classic test function, from (-1.5, 2)
xy = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.LBFGS([xy], lr=1, max_iter=100, history_size=10, line_search_fn="strong_wolfe")
calls = []


def rosenbrock_closure():
    optimizer.zero_grad()
    loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
    loss.backward()
    calls.append(loss.item())
    return loss


for _ in range(3):
    final = optimizer.step(rosenbrock_closure)

# A small network fitted with L-BFGS (no line search), in float64
model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).double()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape))))
criterion = nn.MSELoss()
lbfgs = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=20)
net_losses = []


def closure():
    lbfgs.zero_grad()
    loss = criterion(model(X), Y)
    loss.backward()
    return loss


for _ in range(4):
    net_losses.append(lbfgs.step(closure).item())
state = lbfgs.state_dict()["state"][0]

# Any optimizer's step accepts a closure and returns its loss
w = torch.tensor([1.0, -1.0], requires_grad=True)
sgd = torch.optim.SGD([w], lr=0.1)


def sgd_closure():
    sgd.zero_grad()
    loss = (w ** 2).sum()
    loss.backward()
    return loss


sgd_losses = [sgd.step(sgd_closure).item() for _ in range(3)]

RESULTS = {
    "rosenbrock_xy": xy.detach(), "rosenbrock_final": final.item(), "rosenbrock_calls": len(calls),
    "first_calls": calls[:10], "net_losses": net_losses,
    "net_params": nn.utils.parameters_to_vector(model.parameters()), "func_evals": state["func_evals"],
    "n_iter": state["n_iter"], "sgd_losses": sgd_losses, "w": w,
}
