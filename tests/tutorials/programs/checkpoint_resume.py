""""Saving and loading a general checkpoint for inference and/or resuming training": train, save
{epoch, model_state_dict, optimizer_state_dict, scheduler, loss}, load into fresh objects and resume; the resumed
run matches the uninterrupted one exactly."""

import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

rng = np.random.default_rng(7)
X = torch.from_numpy(rng.normal(size=(32, 5)).astype(np.float32))
Y = torch.from_numpy((X.numpy() @ rng.normal(size=(5, 1)) + 0.1).astype(np.float32))
INIT = [rng.uniform(-0.5, 0.5, s).astype(np.float32) for s in [(8, 5), (8,), (1, 8), (1,)]]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        self.fc2 = nn.Linear(8, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


def build():
    model = Net()
    with torch.no_grad():
        for p, v in zip(model.parameters(), INIT):
            p.copy_(torch.from_numpy(v))
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return model, optimizer, scheduler


def train(model, optimizer, scheduler, epochs):
    model.train()
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(X), Y)
        loss.backward()
        optimizer.step()
        scheduler.step()
    return loss


# The uninterrupted run: 9 epochs
model, optimizer, scheduler = build()
train(model, optimizer, scheduler, 9)
uninterrupted = nn.utils.parameters_to_vector(model.parameters()).detach()

# 3 epochs, save, 3 more
model, optimizer, scheduler = build()
loss = train(model, optimizer, scheduler, 3)
folder = tempfile.mkdtemp()
PATH = os.path.join(folder, "checkpoint.pt")
torch.save({
    "epoch": 3,
    "model_state_dict": model.state_dict(),
    "optimizer_state_dict": optimizer.state_dict(),
    "scheduler": scheduler.state_dict(),
    "loss": loss.item(),
}, PATH)
train(model, optimizer, scheduler, 3)

# Resume from the checkpoint in fresh objects, 3 epochs, then 3 more
model, optimizer, scheduler = build()
with torch.no_grad():
    for p in model.parameters():
        p.zero_()
checkpoint = torch.load(PATH, weights_only=True)
model.load_state_dict(checkpoint["model_state_dict"])
optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
scheduler.load_state_dict(checkpoint["scheduler"])
epoch = checkpoint["epoch"]
saved_loss = checkpoint["loss"]
lr_after_load = optimizer.param_groups[0]["lr"]
train(model, optimizer, scheduler, 6)
resumed = nn.utils.parameters_to_vector(model.parameters()).detach()
os.remove(PATH)
os.rmdir(folder)

# Inference after loading: model.eval()
model.eval()
with torch.no_grad():
    prediction = model(X[:4])

momentum = optimizer.state_dict()["state"][0]["momentum_buffer"]
RESULTS = {
    "uninterrupted": uninterrupted, "resumed": resumed,
    "difference": (uninterrupted - resumed).abs().max().item(),
    "epoch": epoch, "saved_loss": saved_loss, "lr_after_load": lr_after_load,
    "final_lr": scheduler.get_last_lr()[0], "momentum": momentum, "prediction": prediction,
}
assert RESULTS["difference"] == 0.0, RESULTS["difference"]
