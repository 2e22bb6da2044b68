"""The "Datasets & DataLoaders" tutorial's machinery: a map-style Dataset returning dicts (collated into dicts of
batches), a custom collate_fn padding variable-length sequences, TensorDataset, Subset and ConcatDataset, drop_last,
samplers and BatchSampler, an IterableDataset, random_split with a seeded Generator (the split itself differs
between backends, so only its structure is compared), and a short training run over the loader."""

import numpy as np
import torch
from torch import nn
from torch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    SequentialSampler,
    Subset,
    TensorDataset,
    random_split,
)

rng = np.random.default_rng(17)
features = rng.normal(size=(30, 4)).astype(np.float32)
targets = (features.sum(1) > 0).astype(np.int64)


class DictDataset(Dataset):
    def __init__(self, x, y, transform=None):
        self.x, self.y, self.transform = x, y, transform

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        sample = {"features": torch.tensor(self.x[idx]), "label": int(self.y[idx]), "index": idx}
        if self.transform:
            sample = self.transform(sample)
        return sample


def normalize(sample):
    sample["features"] = (sample["features"] - 0.5) * 2
    return sample


ds = DictDataset(features, targets, transform=normalize)
loader = DataLoader(ds, batch_size=8, drop_last=True)
batch = next(iter(loader))
dict_batch = [sorted(batch.keys()), list(batch["features"].shape), batch["label"], batch["index"]]
n_batches = [len(loader), len(DataLoader(ds, batch_size=8)), len(DataLoader(ds, batch_size=8, drop_last=False))]


# Variable-length sequences and a collate_fn that pads them
class Sequences(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return torch.arange(1, i % 4 + 2, dtype=torch.float32) * (i + 1), i % 2


def pad_collate(batch):
    seqs, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in seqs])
    padded = torch.zeros(len(seqs), int(lengths.max()))
    for i, s in enumerate(seqs):
        padded[i, :len(s)] = s
    return padded, lengths, torch.tensor(labels)


padded_batches = [p for p, _, _ in DataLoader(Sequences(), batch_size=3, collate_fn=pad_collate)]
lengths = [lng for _, lng, _ in DataLoader(Sequences(), batch_size=3, collate_fn=pad_collate)]

# Subset, ConcatDataset, samplers
tds = TensorDataset(torch.from_numpy(features), torch.from_numpy(targets))
train_set, val_set = Subset(tds, range(0, 24)), Subset(tds, range(24, 30))
both = ConcatDataset([val_set, train_set])
concat = [len(both), both[0][1].item(), both[6][1].item(), float(both[29][0].sum())]
batches = list(BatchSampler(SequentialSampler(range(10)), batch_size=4, drop_last=False))
by_sampler = [y for _, y in DataLoader(tds, batch_sampler=BatchSampler(SequentialSampler(tds), 7, True))]


class Countdown(IterableDataset):
    def __init__(self, start):
        self.start = start

    def __iter__(self):
        return iter(range(self.start, 0, -1))


iterable = [b for b in DataLoader(Countdown(7), batch_size=3)]

# random_split with a seeded generator: compare sizes and that the parts cover the data once
generator = torch.Generator().manual_seed(42)
parts = random_split(tds, [0.6, 0.2, 0.2], generator=generator)
indices = sorted(i for p in parts for i in p.indices)
split = [[len(p) for p in parts], int(indices == list(range(30)))]
shuffled = [int(y.numel()) for _, y in DataLoader(tds, batch_size=8, shuffle=True, generator=generator)]

# Train over the loader (no shuffling, so that both backends see the same batches)
model = nn.Linear(4, 2)
with torch.no_grad():
    model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3, 0.0], [-0.1, 0.2, 0.0, 0.1]]))
    model.bias.zero_()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
epoch_loss = []
for _ in range(3):
    total = 0.0
    for x, y in DataLoader(train_set, batch_size=5, drop_last=True):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(y)
    epoch_loss.append(total)

RESULTS = {
    "dict_batch": dict_batch[1:], "features": batch["features"], "n_batches": n_batches,
    "padded": padded_batches, "lengths": lengths, "concat": concat, "batches": batches, "by_sampler": by_sampler,
    "iterable": iterable, "split": split, "shuffled": shuffled, "epoch_loss": epoch_loss, "weight": model.weight,
}
assert dict_batch[0] == ["features", "index", "label"], dict_batch[0]
