"""The VAE from pytorch/examples (vae/main.py) on generated 4x4 "images" in [0, 1]: encoder to mu and logvar,
the reparameterisation trick, decoder with sigmoid, BCE(reduction="sum") + KL divergence, Adam; then sampling
from the prior. The noise of randn_like is drawn once with NumPy so that both backends use the same eps."""

import numpy as np
import torch
from torch import nn, optim
from torch.nn import functional as F

rng = np.random.default_rng(21)
patterns = rng.uniform(0, 1, (3, 16))
data = np.clip(patterns[np.arange(48) % 3] + rng.normal(0, 0.05, (48, 16)), 0, 1).astype(np.float32)
train_data = torch.from_numpy(data).view(-1, 1, 4, 4)
EPS = [torch.from_numpy(rng.normal(size=(16, 2)).astype(np.float32)) for _ in range(3)]


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(16, 12)
        self.fc21 = nn.Linear(12, 2)
        self.fc22 = nn.Linear(12, 2)
        self.fc3 = nn.Linear(2, 12)
        self.fc4 = nn.Linear(12, 16)
        self.eps = None

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = self.eps if self.eps is not None else torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 16))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 16), reduction="sum")
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2), Kingma and Welling, Appendix B
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD, BCE, KLD


model = VAE()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.4, 0.4, tuple(p.shape)).astype(np.float32)))
optimizer = optim.Adam(model.parameters(), lr=1e-2)
train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_data), batch_size=16)

history = []
for _ in range(1, 5):
    model.train()
    train_loss = 0
    for batch_idx, (batch,) in enumerate(train_loader):
        model.eps = EPS[batch_idx]
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(batch)
        loss, bce, kld = loss_function(recon_batch, batch, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    history.append([train_loss / len(train_loader.dataset), bce.item(), kld.item()])

model.eval()
with torch.no_grad():
    mu, logvar = model.encode(train_data[:3].view(-1, 16))
    sample = model.decode(torch.tensor([[0.0, 0.0], [1.0, -1.0]])).view(2, 1, 4, 4)
    model.eps = None
    random_sample = model(train_data[:5])[0]

RESULTS = {
    "history": np.array(history), "mu": mu, "logvar": logvar, "sample": sample, "fc4_bias": model.fc4.bias,
    "random_sample_shape": list(random_sample.shape),
    "random_sample_in_unit_interval": int(bool(((random_sample >= 0) & (random_sample <= 1)).all())),
}
