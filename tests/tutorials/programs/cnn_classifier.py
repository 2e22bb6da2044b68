"""The CIFAR-10 tutorial's pattern on generated 1x12x12 images (a bar, horizontal or vertical, or a blob): Conv2d,
BatchNorm2d, MaxPool2d, Dropout, Adam, a training loop, then model.eval() and a test pass with per-class accuracy."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

classes = ("horizontal", "vertical", "blob")


def make_images(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.3, (n, 1, 12, 12)).astype(np.float32)
    y = np.arange(n) % 3
    for i in range(n):
        r, c = rng.integers(2, 10, 2)
        if y[i] == 0:
            x[i, 0, r, 1:11] += 2.0
        elif y[i] == 1:
            x[i, 0, 1:11, c] += 2.0
        else:
            x[i, 0, r - 1:r + 2, c - 1:c + 2] += 2.0
    return torch.from_numpy(x), torch.from_numpy(y)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1, bias=False)  # BatchNorm follows: a bias would be redundant
        self.bn1 = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(4, 8, 3)
        self.dropout = nn.Dropout(0.25)
        self.fc1 = nn.Linear(8 * 2 * 2, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


net = Net()
rng = np.random.default_rng(0)
with torch.no_grad():
    for name, p in net.named_parameters():
        if "bn" not in name:
            p.copy_(torch.from_numpy(rng.uniform(-0.4, 0.4, tuple(p.shape)).astype(np.float32)))
net.dropout.p = 0.0  # dropout's masks are random draws, which differ between backends

train_x, train_y = make_images(96, 1)
test_x, test_y = make_images(48, 2)
trainloader = DataLoader(TensorDataset(train_x, train_y), batch_size=16, shuffle=False)
testloader = DataLoader(TensorDataset(test_x, test_y), batch_size=16)

criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(net.parameters(), lr=0.01)
epoch_losses = []
for _ in range(3):
    net.train()
    running_loss = 0.0
    for inputs, labels in trainloader:
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    epoch_losses.append(running_loss / len(trainloader))

net.eval()
correct = 0
total = 0
correct_pred = {classname: 0 for classname in classes}
total_pred = {classname: 0 for classname in classes}
all_logits = []
with torch.no_grad():
    for images, labels in testloader:
        outputs = net(images)
        all_logits.append(outputs)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
        for label, prediction in zip(labels, predicted):
            if label == prediction:
                correct_pred[classes[label]] += 1
            total_pred[classes[label]] += 1

RESULTS = {
    "epoch_losses": np.array(epoch_losses), "accuracy": correct / total,
    "per_class": [correct_pred[c] / total_pred[c] for c in classes], "logits": torch.cat(all_logits),
    "running_mean": net.bn1.running_mean, "running_var": net.bn1.running_var,
    "batches_tracked": net.bn1.num_batches_tracked.item(), "conv1_weight": net.conv1.weight,
}
