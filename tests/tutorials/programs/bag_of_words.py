"""Text classification as in "Deep Learning for NLP" and the torchtext tutorial, on a tiny made-up corpus: a
vocabulary, padded index tensors, nn.Embedding(padding_idx=0) with mean pooling over a mask, nn.EmbeddingBag with
offsets, Linear, CrossEntropyLoss, Adam; then predictions for unseen sentences."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

data = [("the movie was great fun", 1), ("a truly great film", 1), ("i loved the acting", 1),
        ("what a fun story", 1), ("the plot was dull", 0), ("a boring and dull film", 0),
        ("i hated the acting", 0), ("truly boring story", 0)]
test_data = [("a great story", 1), ("the dull movie", 0)]

word_to_ix = {"<pad>": 0}
for sent, _ in data + test_data:
    for word in sent.split():
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
VOCAB_SIZE, EMBED_DIM, NUM_LABELS = len(word_to_ix), 6, 2


def encode(sentences):
    ids = [[word_to_ix[w] for w in s.split()] for s in sentences]
    longest = max(len(i) for i in ids)
    return torch.tensor([i + [0] * (longest - len(i)) for i in ids], dtype=torch.long)


def deterministic_init(module, seed):
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.from_numpy(rng.normal(0, 0.3, tuple(p.shape)).astype(np.float32)))


class BoWClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB_SIZE, EMBED_DIM, padding_idx=0)
        self.fc = nn.Linear(EMBED_DIM, NUM_LABELS)

    def forward(self, ids):
        mask = (ids != 0).unsqueeze(-1).float()
        summed = (self.embedding(ids) * mask).sum(dim=1)
        return self.fc(summed / mask.sum(dim=1).clamp(min=1))


class TextClassificationModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.EmbeddingBag(VOCAB_SIZE, EMBED_DIM, mode="mean")
        self.fc = nn.Linear(EMBED_DIM, NUM_LABELS)

    def forward(self, text, offsets):
        return self.fc(self.embedding(text, offsets))


inputs = encode([s for s, _ in data])
labels = torch.tensor([y for _, y in data])
model = BoWClassifier()
deterministic_init(model, 0)
with torch.no_grad():
    model.embedding.weight[0].fill_(0)
loss_function = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
losses = []
for _ in range(30):
    model.zero_grad()
    loss = loss_function(model(inputs), labels)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
pad_row_grad = model.embedding.weight.grad[0].abs().sum().item()

# EmbeddingBag: the sentences concatenated into one 1-D tensor, with offsets where each starts
bag = TextClassificationModel()
deterministic_init(bag, 1)
text = torch.cat([torch.tensor([word_to_ix[w] for w in s.split()]) for s, _ in data])
offsets = torch.tensor([0] + [len(s.split()) for s, _ in data[:-1]]).cumsum(dim=0)
bag_optimizer = torch.optim.SGD(bag.parameters(), lr=1.0)
bag_losses = []
for _ in range(20):
    bag_optimizer.zero_grad()
    loss = F.cross_entropy(bag(text, offsets), labels)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(bag.parameters(), 0.5)
    bag_optimizer.step()
    bag_losses.append(loss.item())

with torch.no_grad():
    test_ids = encode([s for s, _ in test_data])
    log_probs = F.log_softmax(model(test_ids), dim=1)
    predictions = log_probs.argmax(dim=1)

RESULTS = {
    "vocab_size": VOCAB_SIZE, "losses": losses, "pad_row_grad": pad_row_grad, "log_probs": log_probs,
    "predictions": predictions, "bag_losses": bag_losses, "embedding": model.embedding.weight,
    "bag_weight": bag.embedding.weight, "offsets": offsets,
}
