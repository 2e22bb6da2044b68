"""Learning-rate schedulers as the optim docs use them: scheduler.step() after optimizer.step(), once an epoch
(OneCycleLR once a batch); the lr sequence of each, and the weights it leads to."""

import numpy as np
import torch
from torch import nn
from torch.optim import lr_scheduler

rng = np.random.default_rng(11)
X = torch.from_numpy(rng.normal(size=(16, 3)).astype(np.float32))
Y = torch.from_numpy(rng.normal(size=(16, 1)).astype(np.float32))
W0 = rng.uniform(-0.5, 0.5, (1, 3)).astype(np.float32)


def fit(make_scheduler, epochs=12, optimizer_cls=torch.optim.SGD, **opt_kw):
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(W0))
        model.bias.zero_()
    optimizer = optimizer_cls(model.parameters(), lr=0.1, **opt_kw)
    scheduler = make_scheduler(optimizer)
    lrs = []
    for _ in range(epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()
        optimizer.step()
        if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
            scheduler.step(round(loss.item(), 1))  # coarse, so that the loss plateaus
        else:
            scheduler.step()
    return np.array(lrs), torch.cat([model.weight.flatten(), model.bias]).detach()


schedules = {
    "step": lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.3),
    "exponential": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8),
    "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
    "lambda": lambda o: lr_scheduler.LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch / (1 + epoch % 2)),
    "multiplicative": lambda o: lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.9),
    "plateau": lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=1),
    "onecycle": lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=12),
    "warmup_then_cosine": lambda o: lr_scheduler.SequentialLR(
        o, schedulers=[lr_scheduler.LinearLR(o, start_factor=0.1, total_iters=4),
                       lr_scheduler.CosineAnnealingLR(o, T_max=8)], milestones=[4]),
    "constant": lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3),
    "polynomial": lambda o: lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0),
    "cyclic": lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3),
}
RESULTS = {}
for name, make in schedules.items():
    lrs, weights = fit(make, momentum=0.9)
    RESULTS[f"{name}_lrs"] = lrs
    RESULTS[f"{name}_weights"] = weights

# Chaining two schedulers on one optimizer (their effects multiply), with Adam
model = nn.Linear(3, 1)
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
first = lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
second = lr_scheduler.MultiStepLR(optimizer, milestones=[3, 6], gamma=0.1)
chained = []
for _ in range(8):
    chained.append(optimizer.param_groups[0]["lr"])
    optimizer.step()
    first.step()
    second.step()
RESULTS["chained_lrs"] = np.array(chained)
RESULTS["last_lr"] = second.get_last_lr()[0]
RESULTS["state_keys"] = len(first.state_dict())
