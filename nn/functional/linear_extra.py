"""``bilinear``: y = x₁ᵀ A x₂ + b, with torch.nn.functional's signature.

For each output feature o, y_o = Σᵢⱼ x₁ᵢ A_oij x₂ⱼ + b_o, with weight A of shape (out, in1, in2). Composed of a
matmul (x₁ against all of A at once), a product with x₂ and a sum, so its derivatives come from those ops:
x̄₁ = Σ_o ȳ_o A_o x₂,  x̄₂ = Σ_o ȳ_o A_oᵀ x₁,  Ā_o = Σ_batch ȳ_o x₁ x₂ᵀ,  b̄ = Σ_batch ȳ.
"""

from __future__ import annotations

from autograd import Tensor


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = Σᵢⱼ input1[..., i] · weight[o, i, j] · input2[..., j] + bias[o]; the batch dims of the two inputs
    must be equal (no broadcasting, as in torch)."""
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and {input2.ndim}")
    for d in range(input1.ndim - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got {input1.shape[d]} "
                               f"and {input2.shape[d]}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D (out_features, in1_features, in2_features), got shape "
                           f"{list(weight.shape)}")
    o, i1, i2 = weight.shape
    for k, (x, n) in enumerate(((input1, i1), (input2, i2)), start=1):
        if x.ndim == 0 or x.shape[-1] != n:
            raise RuntimeError(f"bilinear(): input{k} size does not match weight size: got "
                               f"{x.shape[-1] if x.ndim else '()'} but expected {n}")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != o):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {list(bias.shape)} but expected "
                           f"{o}")
    batch = tuple(input1.shape[:-1])
    u = input1 @ weight.permute(1, 0, 2).reshape(i1, o * i2)  # x₁ᵀA_o for every o at once: (..., out·in2)
    y = (u.reshape(*batch, o, i2) * input2.unsqueeze(-2)).sum(-1)
    return y if bias is None else y + bias
