"""Hooks: Tensor.register_hook changing a gradient, retain_grad, forward hooks capturing activations (feature
extraction), a forward pre-hook rewriting the input, a full backward hook, and handle.remove()."""

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(3)

# Tensor hooks: the hook's return value replaces the gradient that flows on
x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
h = x * 2
h.retain_grad()
seen = []
handle = h.register_hook(lambda g: seen.append(g.clone()))
double = h.register_hook(lambda g: g * 2)
(h ** 2).sum().backward()
grad_with_hooks = x.grad.clone()
h_grad = h.grad.clone()
handle.remove()
double.remove()
x.grad = None
h = x * 2
h.register_hook(lambda g: g.clamp(min=-1.0, max=1.0))  # gradient clipping by hook
(h ** 2).sum().backward()
clipped_grad = x.grad.clone()


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


model = SmallNet()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))

activations = {}


def get_activation(name):
    def hook(module, input, output):
        activations[name] = output.detach()
    return hook


handles = [model.fc1.register_forward_hook(get_activation("fc1")),
           model.act.register_forward_hook(get_activation("act"))]


def scale_input(module, args):
    return (args[0] * 0.5,)


pre = model.fc2.register_forward_pre_hook(scale_input)
grads_out = []


def backward_hook(module, grad_input, grad_output):
    grads_out.append((grad_input[0].detach().clone(), grad_output[0].detach().clone()))


back = model.fc1.register_full_backward_hook(backward_hook)
inputs = torch.from_numpy(rng.normal(size=(3, 4)).astype(np.float32)).requires_grad_()
out = model(inputs)
out.sum().backward()
out_hooked = out.detach()
n_grads = len(grads_out)
grad_in, grad_out = grads_out[0]

# With the hooks removed, the model runs plainly again and nothing more is recorded
for hd in handles + [pre, back]:
    hd.remove()
captured = dict(activations)
activations.clear()
out_plain = model(inputs)
out_plain.sum().backward()
assert not activations and len(grads_out) == n_grads

RESULTS = {
    "grad_with_hooks": grad_with_hooks, "h_grad": h_grad, "seen": seen[0], "clipped_grad": clipped_grad,
    "fc1_activation": captured["fc1"], "act_activation": captured["act"], "out_hooked": out_hooked,
    "out_plain": out_plain, "grad_in": grad_in, "grad_out": grad_out, "n_grads": n_grads,
}
