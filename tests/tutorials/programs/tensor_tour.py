"""The "Tensors" tutorial and the everyday ops of a tensor-ops tour: creation, indexing, views and strides,
broadcasting, einsum, cat/stack, reductions, sort/topk, cumsum, where, masked_fill, gather/scatter, clamp, argmax."""

import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)
np.multiply(np_array, 2, out=np_array)  # from_numpy shares memory
x_ones = torch.ones_like(x_data)
x_zeros = torch.zeros((2, 3))
creation = [x_np.sum().item(), x_ones.sum().item(), str(x_data.dtype), str(x_zeros.dtype)]

tensor = torch.arange(1.0, 17.0).reshape(4, 4)
first_row, first_col, last_col = tensor[0], tensor[:, 0], tensor[..., -1]
tensor[:, 1] = 0
t1 = torch.cat([tensor, tensor, tensor], dim=1)
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
z1 = tensor * tensor
agg = tensor.sum()
agg_item = agg.item()
tensor.add_(5)

# Views and strides: transpose and narrow are views, contiguous() copies
base = torch.arange(24.0).reshape(2, 3, 4)
tr = base.transpose(0, 2)
views = [list(base.stride()), list(tr.stride()), int(tr.is_contiguous()), int(tr.contiguous().is_contiguous())]
v = base.view(6, 4)
v[0, 0] = 100.0
narrowed = base.narrow(2, 1, 2)
views += [base[0, 0, 0].item(), list(narrowed.shape), int(base.permute(2, 0, 1).reshape(4, 6).shape[0])]
unsq = base[:, None, :, 0].squeeze(1)

# Broadcasting and einsum
a = torch.arange(3.0).reshape(3, 1)
b = torch.arange(4.0)
outer = a * b + 1
m1 = torch.arange(6.0).reshape(2, 3)
m2 = torch.arange(12.0).reshape(3, 4)
es = [torch.einsum("ij,jk->ik", m1, m2), torch.einsum("ij->j", m1), torch.einsum("i,j->ij", b, b)]
batched = torch.einsum("bij,bjk->bik", base[:, :, :3], base[:, :3, :])
stacked = torch.stack([m1, m1 * 2], dim=0)
bmm = torch.bmm(base, base.transpose(1, 2))

# Reductions
r = torch.tensor([[3.0, -1.0, 2.0], [0.5, 4.0, -2.0]])
reductions = [r.sum(dim=0), r.mean(dim=1), r.amax(dim=1), r.min(dim=0).values, r.prod(), r.std(), r.var(dim=1),
              r.norm(), r.logsumexp(dim=1), r.abs().max()]
values, indices = r.max(dim=1)
am = [r.argmax(), r.argmax(dim=1), r.argmin(dim=0, keepdim=True)]

# Sorting, topk, cumulative ops
s = torch.tensor([3.0, 1.0, 4.0, 1.5, 5.0, 9.0, 2.0, 6.0])
sorted_vals, sorted_idx = torch.sort(s, descending=True)
top_vals, top_idx = s.topk(3)
sorting = [sorted_vals, sorted_idx, top_vals, top_idx, s.argsort(), s.cumsum(0), s.cumprod(0),
           torch.cummax(s, 0).values, s.kthvalue(2).values, s.median()]

# Selection: where, masked_fill, gather, scatter, index_select, clamp, boolean masks, nonzero
w = torch.where(r > 0, r, torch.zeros_like(r))
mf = r.masked_fill(r < 0, -1.0)
g = torch.gather(r, 1, torch.tensor([[2, 0], [1, 1]]))
src = torch.arange(1.0, 11.0).reshape(2, 5)
sc = torch.zeros(3, 5).scatter_(0, torch.tensor([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]]), src)
sa = torch.zeros(2, 4).scatter_add_(1, torch.tensor([[0, 1, 0], [3, 3, 2]]), torch.ones(2, 3))
selection = [w, mf, g, sc, sa, r.index_select(1, torch.tensor([2, 0])), r.clamp(-1.0, 2.5), r[r > 1],
             torch.nonzero(r > 1), r.abs().sqrt().exp().log(), torch.sign(r), (r > 0).any(dim=1).float()]

# Dtypes and conversion
ints = torch.tensor([7, -3, 10])
dtypes = [(ints // 2), (ints % 3), ints.float() / 4, (ints.to(torch.float64) * 0.1).sum(),
          torch.tensor([1.7, -1.7]).long(), torch.tensor([0, 1, 2]).bool().sum()]
flags = [str((ints / 2).dtype).split(".")[-1], str(ints.sum().dtype).split(".")[-1],
         str((ints > 0).dtype).split(".")[-1], str(torch.tensor([1.0]).double().dtype).split(".")[-1]]

RESULTS = {
    "creation": creation[:2], "rows": torch.stack([first_row, first_col, last_col]), "t1": t1, "y1": y1, "y2": y2,
    "z1": z1, "agg": agg_item, "tensor": tensor, "views": views, "unsq": unsq, "outer": outer, "einsum": es,
    "batched": batched, "stacked": stacked, "bmm": bmm, "reductions": reductions, "max": [values, indices],
    "argmax": am, "sorting": sorting, "selection": selection, "dtypes": dtypes,
}
assert creation[2:] == [str(torch.int64), str(torch.float32)], creation
assert flags == ["float32", "int64", "bool", "float64"], flags
