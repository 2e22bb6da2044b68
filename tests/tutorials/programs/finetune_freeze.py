"""Transfer learning ("Finetuning Torchvision Models", "feature extraction"): a pretrained backbone's state_dict
loaded with strict=False, layers frozen with requires_grad_(False), the head replaced, only trainable parameters
given to the optimizer, different learning rates per group; plus the nn.Module API a tutorial leans on:
named_modules, named_parameters, ModuleDict, ParameterList, buffers, children, train/eval flags."""

import numpy as np
import torch
import torch.nn as nn


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU())
        self.fc = nn.Linear(8, 10)  # the "ImageNet" head

    def forward(self, x):
        return self.fc(self.features(x))


rng = np.random.default_rng(31)
pretrained = Backbone()
with torch.no_grad():
    for p in pretrained.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
pretrained.features[1].running_mean.fill_(0.2)
pretrained.features[1].running_var.fill_(1.5)
state = pretrained.state_dict()

model = Backbone()
model.fc = nn.Linear(8, 3)  # the new task has three classes
state_no_head = {k: v for k, v in state.items() if not k.startswith("fc.")}
state_no_head["extra.weight"] = torch.zeros(1)
result = model.load_state_dict(state_no_head, strict=False)
missing, unexpected = sorted(result.missing_keys), sorted(result.unexpected_keys)
with torch.no_grad():
    model.fc.weight.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, (3, 8)).astype(np.float32)))
    model.fc.bias.zero_()

# Feature extraction: freeze everything but the first layer and the head
for param in model.parameters():
    param.requires_grad = False
model.fc.requires_grad_(True)
model.features[0].weight.requires_grad_()
params_to_update = [p for p in model.parameters() if p.requires_grad]
trainable = [name for name, p in model.named_parameters() if p.requires_grad]
optimizer = torch.optim.SGD([{"params": model.fc.parameters()},
                             {"params": [model.features[0].weight], "lr": 0.01}], lr=0.1, momentum=0.9)
X = torch.from_numpy(rng.normal(size=(12, 5)).astype(np.float32))
y = torch.from_numpy(np.arange(12) % 3)
frozen_before = model.features[3].weight.clone()
model.features.eval()  # keep the pretrained BatchNorm statistics
losses = []
for _ in range(5):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(X), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
assert model.features[3].weight.grad is None and torch.equal(model.features[3].weight, frozen_before)


class Multi(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Linear(2, 1)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.full((1,), 3.0))])
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))
        self.register_buffer("scratch", torch.ones(2), persistent=False)

    def forward(self, x):
        self.calls += 1
        return [self.heads[k](x) * s for k, s in zip(("a", "b"), self.scales)]


multi = Multi()
with torch.no_grad():
    for p in multi.parameters():
        p.fill_(0.5)
outs = multi(torch.ones(1, 2))
multi.eval()
api = {
    "modules": [name for name, _ in model.named_modules()],
    "children": [type(m).__name__ for m in model.children()],
    "multi_state": list(multi.state_dict().keys()),
    "training": [multi.training, multi.heads["a"].training, model.training, model.features.training],
}

RESULTS = {
    "losses": losses, "fc": model.fc.weight, "first": model.features[0].weight, "outs": outs,
    "n_trainable": len(params_to_update), "n_parameters": sum(p.numel() for p in model.parameters()),
    "calls": multi.calls, "running_var": model.features[1].running_var,
}
assert missing == ["fc.bias", "fc.weight"] and unexpected == ["extra.weight"], (missing, unexpected)
assert trainable == ["features.0.weight", "fc.weight", "fc.bias"], trainable
assert api == {
    "modules": ["", "features", "features.0", "features.1", "features.2", "features.3", "features.4", "fc"],
    "children": ["Sequential", "Linear"],
    "multi_state": ["calls", "heads.a.weight", "heads.a.bias", "heads.b.weight", "heads.b.bias", "scales.0",
                    "scales.1"],
    "training": [False, False, True, False]}, api
