"""The "Sequence Models and LSTM Networks" tutorial: an LSTM part-of-speech tagger (Embedding, LSTM, Linear,
log_softmax, NLLLoss, SGD) trained on two sentences; then batch_first GRU and packed padded sequences, and an
LSTMCell unrolled by hand."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return torch.tensor(idxs, dtype=torch.long)


training_data = [("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
                 ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])]
word_to_ix = {}
for sent, _ in training_data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
EMBEDDING_DIM, HIDDEN_DIM = 6, 6


def deterministic_init(module, seed):
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.4, 0.4, tuple(p.shape)).astype(np.float32)))


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)


model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix))
deterministic_init(model, 0)
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)
with torch.no_grad():
    before = model(prepare_sequence(training_data[0][0], word_to_ix))
losses = []
for _ in range(60):
    for sentence, tags in training_data:
        model.zero_grad()
        sentence_in = prepare_sequence(sentence, word_to_ix)
        targets = prepare_sequence(tags, tag_to_ix)
        loss = loss_function(model(sentence_in), targets)
        loss.backward()
        optimizer.step()
    losses.append(loss.item())
with torch.no_grad():
    after = model(prepare_sequence(training_data[0][0], word_to_ix))

# A batch_first, 2-layer, bidirectional GRU over padded sequences, packed so the padding is skipped
seqs = [torch.tensor(np.random.default_rng(n).normal(size=(n, 3)).astype(np.float32)) for n in (4, 2, 3)]
lengths = torch.tensor([len(s) for s in seqs])
padded = pad_sequence(seqs, batch_first=True)
gru = nn.GRU(3, 5, num_layers=2, batch_first=True, bidirectional=True)
deterministic_init(gru, 1)
packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
packed_out, h_n = gru(packed)
out, out_lengths = pad_packed_sequence(packed_out, batch_first=True)
out.sum().backward()

# LSTMCell unrolled by hand, with an explicit initial state
cell = nn.LSTMCell(3, 4)
deterministic_init(cell, 2)
hx, cx = torch.zeros(2, 4), torch.full((2, 4), 0.1)
steps = torch.from_numpy(np.random.default_rng(3).normal(size=(5, 2, 3)).astype(np.float32))
outputs = []
for x_t in steps:
    hx, cx = cell(x_t, (hx, cx))
    outputs.append(hx)

RESULTS = {
    "before": before, "after": after, "losses": losses[::10], "predicted_tags": after.argmax(dim=1),
    "padded": padded, "gru_out": out, "h_n": h_n, "out_lengths": out_lengths,
    "gru_grad": gru.weight_hh_l1_reverse.grad, "cell_outputs": torch.stack(outputs), "cx": cx,
}
