"""The "Language Modeling with nn.Transformer" tutorial, shrunk: PositionalEncoding as a registered buffer,
TransformerEncoder with a causal mask (nn.Transformer.generate_square_subsequent_mask), a next-token loss, Adam,
a few steps; then nn.MultiheadAttention's weights with a key padding mask, and model.eval() inference."""

import math

import numpy as np
import torch
from torch import nn
from torch.nn import TransformerEncoder, TransformerEncoderLayer


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.0, max_len=50):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)


class TransformerModel(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers):
        super().__init__()
        self.pos_encoder = PositionalEncoding(d_model)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout=0.0)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers, enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)

    def forward(self, src, src_mask=None):
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        output = self.transformer_encoder(src, src_mask)
        return self.linear(output)


ntokens, seq_len, batch = 11, 6, 3
model = TransformerModel(ntokens, d_model=8, nhead=2, d_hid=16, nlayers=2)
rng = np.random.default_rng(2)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)))
# counting sequences mod ntokens: the next token is predictable
starts = rng.integers(0, ntokens, batch)
data = torch.from_numpy((starts[None, :] + np.arange(seq_len + 1)[:, None]) % ntokens)
src, targets = data[:-1], data[1:].reshape(-1)
src_mask = nn.Transformer.generate_square_subsequent_mask(seq_len)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
losses = []
model.train()
for _ in range(8):
    output = model(src, src_mask)
    loss = criterion(output.view(-1, ntokens), targets)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    optimizer.step()
    losses.append(loss.item())

model.eval()
with torch.no_grad():
    logits = model(src, src_mask)
    causal = model(src[:3], src_mask[:3, :3])  # the first positions do not see the later ones

# nn.MultiheadAttention on its own: batch_first, a key padding mask, averaged attention weights
mha = nn.MultiheadAttention(embed_dim=4, num_heads=2, batch_first=True)
with torch.no_grad():
    for p in mha.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
query = torch.from_numpy(rng.normal(size=(2, 3, 4)).astype(np.float32))
key_padding_mask = torch.tensor([[False, False, True], [False, False, False]])
attn_output, attn_weights = mha(query, query, query, key_padding_mask=key_padding_mask)
_, per_head = mha(query, query, query, key_padding_mask=key_padding_mask, average_attn_weights=False)

RESULTS = {
    "pe": model.pos_encoder.pe[:4, 0], "mask": src_mask, "losses": losses, "logits": logits,
    "causal_prefix_equal": (causal - logits[:3]).abs().max(), "attn_output": attn_output.detach(),
    "attn_weights": attn_weights.detach(), "per_head_shape": list(per_head.shape),
    "buffers": [name for name, _ in model.named_buffers()] == ["pos_encoder.pe"],
}
