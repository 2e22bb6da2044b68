"""The DCGAN tutorial's training step, with small MLPs on 2-D data: a generator and a discriminator, two Adam
optimizers, real and fake batches, fake.detach() for the discriminator's step, BCEWithLogitsLoss, label tensors
made with torch.full; the noise batches come from NumPy so that both backends see the same."""

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

rng = np.random.default_rng(13)
nz, batch_size, real_label, fake_label = 3, 16, 1.0, 0.0
angles = rng.uniform(0, 2 * np.pi, (6, batch_size))
real_batches = [torch.from_numpy(np.stack([np.cos(a), np.sin(a)], 1).astype(np.float32) * 2) for a in angles]
noise_batches = [torch.from_numpy(rng.normal(size=(batch_size, nz)).astype(np.float32)) for _ in range(6)]
fixed_noise = torch.from_numpy(rng.normal(size=(4, nz)).astype(np.float32))


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(nz, 16), nn.LeakyReLU(0.2, inplace=True), nn.Linear(16, 16, bias=False),
                                  nn.BatchNorm1d(16), nn.ReLU(True), nn.Linear(16, 2))

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2, inplace=True), nn.Linear(16, 1))

    def forward(self, input):
        return self.main(input).view(-1)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Linear") != -1:
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(rng.normal(0.0, 0.3, tuple(m.weight.shape)).astype(np.float32)))
        if m.bias is not None:
            nn.init.constant_(m.bias, 0.0)
    elif classname.find("BatchNorm") != -1:
        nn.init.constant_(m.weight, 1.0)
        nn.init.constant_(m.bias, 0)


netG, netD = Generator(), Discriminator()
netG.apply(weights_init)
netD.apply(weights_init)
criterion = nn.BCEWithLogitsLoss()
optimizerD = optim.Adam(netD.parameters(), lr=0.01, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=0.01, betas=(0.5, 0.999))

G_losses, D_losses, D_x_list = [], [], []
for real, noise in zip(real_batches, noise_batches):
    # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
    netD.zero_grad()
    label = torch.full((batch_size,), real_label, dtype=torch.float)
    output = netD(real)
    errD_real = criterion(output, label)
    errD_real.backward()
    D_x = torch.sigmoid(output).mean().item()
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach())
    errD_fake = criterion(output, label)
    errD_fake.backward()
    errD = errD_real + errD_fake
    optimizerD.step()
    # (2) Update G: maximize log(D(G(z)))
    netG.zero_grad()
    label.fill_(real_label)
    output = netD(fake)
    errG = criterion(output, label)
    errG.backward()
    optimizerG.step()
    G_losses.append(errG.item())
    D_losses.append(errD.item())
    D_x_list.append(D_x)

netG.eval()
with torch.no_grad():
    generated = netG(fixed_noise).detach().cpu()

RESULTS = {
    "G_losses": G_losses, "D_losses": D_losses, "D_x": D_x_list, "generated": generated,
    "bn_running_mean": netG.main[3].running_mean, "D_weight": netD.main[2].weight,
    "D_grad": netD.main[2].weight.grad,
}
