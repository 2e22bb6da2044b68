"""PyTorch's quickstart, on generated data: a Dataset, a DataLoader, an MLP, a train/test loop, save and load."""

import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class Blobs(Dataset):
    """Three Gaussian blobs in 8 dims: 64 samples a class, made with NumPy so both backends see the same data."""

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        centers = rng.normal(0, 2, (3, 8))
        self.x = np.concatenate([c + rng.normal(0, 1, (64, 8)) for c in centers]).astype(np.float32)
        self.y = np.repeat(np.arange(3), 64)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return torch.from_numpy(self.x[idx]), int(self.y[idx])


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                                               nn.Linear(16, 3))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def deterministic_init(model, seed=0):
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)))


def train(dataloader, model, loss_fn, optimizer):
    model.train()
    for X, y in dataloader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return loss.item()


def test(dataloader, model, loss_fn):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return test_loss / len(dataloader), correct / len(dataloader.dataset)


device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
train_dataloader = DataLoader(Blobs(0), batch_size=32)  # unshuffled: the same batches under both backends
test_dataloader = DataLoader(Blobs(1), batch_size=32)
for X, y in test_dataloader:
    first_shapes = (list(X.shape), list(y.shape), str(y.dtype))
    break

model = NeuralNetwork().to(device)
deterministic_init(model)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
history = []
for _epoch in range(5):
    last = train(train_dataloader, model, loss_fn, optimizer)
    history.append((last, *test(test_dataloader, model, loss_fn)))

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "model.pth")
    torch.save(model.state_dict(), path)
    reloaded = NeuralNetwork().to(device)
    reloaded.load_state_dict(torch.load(path, weights_only=True))

reloaded.eval()
x, y = Blobs(1)[5]
with torch.no_grad():
    pred = reloaded(x.unsqueeze(0))

RESULTS = {
    "history": np.array(history),
    "prediction": pred,
    "predicted_class": pred[0].argmax(0).item(),
    "batch_shapes": first_shapes[0] + first_shapes[1],
}
assert first_shapes[2] == "torch.int64" or first_shapes[2] == "int64", first_shapes
