"""Initialising weights: model.apply(init_fn) with nn.init's deterministic initialisers, writes through .data,
and the random initialisers (whose draws differ between backends) checked by their statistics and structure."""

import math

import numpy as np
import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(6, 6), nn.ReLU(), nn.Linear(6, 4), nn.ReLU(), nn.Linear(4, 2))
        self.scale = nn.Parameter(torch.empty(2))

    def forward(self, x):
        return self.layers(x) * self.scale


def init_weights(m):
    if isinstance(m, nn.Linear):
        if m.in_features == m.out_features:
            nn.init.eye_(m.weight)
        else:
            with torch.no_grad():
                m.weight.copy_(torch.arange(m.weight.numel(), dtype=torch.float32).reshape(m.weight.shape) / 10)
        nn.init.constant_(m.bias, 0.01)


model = MLP()
model.apply(init_weights)
nn.init.ones_(model.scale)
model.layers[2].weight.data.mul_(0.5)
model.layers[2].bias.data.fill_(-0.1)
model.layers[4].weight.data = model.layers[4].weight.data - 0.3
nn.init.zeros_(model.layers[4].bias)
model.scale.data[1] = 2.0
x = torch.from_numpy(np.linspace(-1, 1, 18).reshape(3, 6).astype(np.float32))
out = model(x)
out.sum().backward()
assert model.layers[4].weight.grad is not None

# nn.init.calculate_gain and the fans that the random initialisers use
gains = [nn.init.calculate_gain(n) for n in ("linear", "conv2d", "sigmoid", "tanh", "relu")]
gains.append(nn.init.calculate_gain("leaky_relu", 0.2))
gains.append(nn.init.calculate_gain("selu"))

# Random initialisers: compare their statistics and their structure, not the draws
torch.manual_seed(0)
big = torch.empty(400, 300)
nn.init.uniform_(big, a=-0.5, b=0.5)
uniform_range = [big.min().item() >= -0.5, big.max().item() <= 0.5, abs(big.mean().item()) < 0.01]
nn.init.normal_(big, mean=1.0, std=0.2)
normal_stats = [round(big.mean().item(), 2), round(big.std().item(), 2)]
nn.init.xavier_uniform_(big)
bound = math.sqrt(6.0 / (400 + 300))
xavier = [big.abs().max().item() <= bound, round(big.std().item() / (bound / math.sqrt(3)), 1)]
nn.init.kaiming_normal_(big, mode="fan_out", nonlinearity="relu")
kaiming = round(big.std().item() / math.sqrt(2.0 / 400), 1)
nn.init.trunc_normal_(big, std=1.0, a=-2.0, b=2.0)
trunc = [big.abs().max().item() <= 2.0, round(big.std().item(), 1)]
q = torch.empty(5, 3)
nn.init.orthogonal_(q)
orthonormal = (q.t() @ q - torch.eye(3)).abs().max().item() < 1e-5
sparse = torch.empty(10, 4)
nn.init.sparse_(sparse, sparsity=0.3)
zeros_per_column = (sparse == 0).sum(0)
conv = nn.Conv2d(2, 4, 3)
nn.init.dirac_(conv.weight)
dirac_out = conv(torch.ones(1, 2, 5, 5) * torch.arange(1.0, 3.0).reshape(1, 2, 1, 1)) - conv.bias.reshape(1, 4, 1, 1)

RESULTS = {
    "out": out, "scale_grad": model.scale.grad, "w4_grad": model.layers[4].weight.grad, "gains": gains,
    "uniform_range": uniform_range, "normal_stats": normal_stats, "xavier": xavier, "kaiming": kaiming,
    "trunc": trunc, "orthonormal": int(orthonormal), "zeros_per_column": zeros_per_column,
    "dirac_out": dirac_out.detach(), "param_count": sum(p.numel() for p in model.parameters()),
}
