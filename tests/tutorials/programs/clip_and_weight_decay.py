"""A training step with gradient clipping and decoupled weight decay, as in transformer fine-tuning recipes:
clip_grad_norm_ (returning the total norm, logged), clip_grad_value_, AdamW with parameter groups that exempt biases
and norm weights from decay, a warmup LambdaLR, and gradient accumulation over micro-batches."""

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(29)
X = torch.from_numpy(rng.normal(0, 3, (24, 6)).astype(np.float32))
Y = torch.from_numpy(rng.normal(0, 3, (24, 3)).astype(np.float32))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.LayerNorm(6)
        self.ff = nn.Sequential(nn.Linear(6, 12), nn.GELU(), nn.Linear(12, 6))
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        return self.head(x + self.ff(self.norm(x)))


def make():
    model = Block()
    init = np.random.default_rng(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.copy_(torch.from_numpy(init.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
    return model


model = make()
decay, no_decay = [], []
for name, param in model.named_parameters():
    (no_decay if name.endswith("bias") or "norm" in name else decay).append(param)
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=3e-2, betas=(0.9, 0.95))
warmup = 3
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / warmup))
accumulation_steps = 2
norms, losses = [], []
for step in range(6):
    optimizer.zero_grad(set_to_none=True)
    for micro in range(accumulation_steps):
        xb = X[step % 3 * 8 + micro * 4: step % 3 * 8 + micro * 4 + 4]
        yb = Y[step % 3 * 8 + micro * 4: step % 3 * 8 + micro * 4 + 4]
        loss = nn.functional.mse_loss(model(xb), yb) / accumulation_steps
        loss.backward()
    total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    norms.append(total_norm.item())
    after = torch.norm(torch.stack([p.grad.norm(2) for p in model.parameters()]), 2).item()
    assert after <= 1.0 + 1e-4, after
    optimizer.step()
    scheduler.step()
    losses.append(loss.item() * accumulation_steps)

# Clip by value, and the infinity norm
plain = make()
nn.functional.mse_loss(plain(X), Y).backward()
grads_before = plain.head.weight.grad.clone()
torch.nn.utils.clip_grad_value_(plain.parameters(), clip_value=0.05)
inf_norm = torch.nn.utils.clip_grad_norm_(plain.parameters(), max_norm=0.01, norm_type=float("inf"))

# Weight decay in AdamW is decoupled: with zero gradients the weights still shrink by lr * wd each step
w = nn.Parameter(torch.tensor([1.0, -2.0]))
opt = torch.optim.AdamW([w], lr=0.1, weight_decay=0.5)
for _ in range(3):
    w.grad = torch.zeros_like(w)
    opt.step()
# ...whereas Adam's weight_decay adds to the gradient, which Adam then normalises
v = nn.Parameter(torch.tensor([1.0, -2.0]))
opt = torch.optim.Adam([v], lr=0.1, weight_decay=0.5)
for _ in range(3):
    v.grad = torch.zeros_like(v)
    opt.step()

RESULTS = {
    "norms": norms, "losses": losses, "lrs": [g["lr"] for g in optimizer.param_groups],
    "head_weight": model.head.weight, "norm_weight": model.norm.weight, "grads_before": grads_before,
    "clipped": plain.head.weight.grad, "inf_norm": inf_norm, "adamw_decay": w, "adam_decay": v,
}
