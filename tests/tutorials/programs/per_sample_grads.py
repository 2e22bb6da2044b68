"""The "Per-sample-gradients" tutorial: a gradient for every example of a batch, first with a loop of backward
calls, then with torch.func (functional_call, grad, vmap); the two agree."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap


class SimpleMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


rng = np.random.default_rng(41)
batch_size = 5
data = torch.from_numpy(rng.normal(size=(batch_size, 6)).astype(np.float32))
targets = torch.from_numpy(rng.integers(0, 3, batch_size))
model = SimpleMLP()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))


def loss_fn(predictions, targets):
    return F.nll_loss(F.log_softmax(predictions, dim=-1), targets)


def compute_grad(sample, target):
    sample = sample.unsqueeze(0)
    target = target.unsqueeze(0)
    prediction = model(sample)
    loss = loss_fn(prediction, target)
    return torch.autograd.grad(loss, list(model.parameters()))


def compute_sample_grads(data, targets):
    """manually process each sample with per sample gradient"""
    sample_grads = [compute_grad(data[i], targets[i]) for i in range(batch_size)]
    sample_grads = zip(*sample_grads)
    return [torch.stack(shards) for shards in sample_grads]


per_sample_grads = compute_sample_grads(data, targets)

params = {k: v.detach() for k, v in model.named_parameters()}
buffers = {k: v.detach() for k, v in model.named_buffers()}


def compute_loss(params, buffers, sample, target):
    batch = sample.unsqueeze(0)
    targets = target.unsqueeze(0)
    predictions = functional_call(model, (params, buffers), (batch,))
    return loss_fn(predictions, targets)


ft_compute_grad = grad(compute_loss)
ft_compute_sample_grad = vmap(ft_compute_grad, in_dims=(None, None, 0, 0))
ft_per_sample_grads = ft_compute_sample_grad(params, buffers, data, targets)
difference = max((per_sample_grad - ft_per_sample_grad).abs().max().item()
                 for per_sample_grad, ft_per_sample_grad in zip(per_sample_grads, ft_per_sample_grads.values()))
# The mean of the per-sample gradients is the batch gradient
model.zero_grad()
loss_fn(model(data), targets).backward()
batch_grad_gap = (model.fc1.weight.grad - per_sample_grads[0].mean(0)).abs().max()

RESULTS = {
    "per_sample_grads": per_sample_grads, "ft_fc1_weight": ft_per_sample_grads["fc1.weight"],
    "ft_fc2_bias": ft_per_sample_grads["fc2.bias"], "difference": difference, "batch_grad_gap": batch_grad_gap,
}
assert difference < 1e-6, difference
