"""Numerical edge cases torch gets right: half-precision reductions, gather's index checks, .grad assignment."""

import numpy as np
import pytest

import autograd as ag


def test_float16_mean_over_more_than_65504_elements_has_gradient_one_over_n():
    # 1/n, not g/n: in float16, n = 70000 is itself inf, and g/inf would make the gradient 0
    x = ag.ones(70000, dtype=ag.float16, requires_grad=True)
    x.mean().backward()
    assert x.grad.dtype == ag.float16 and np.all(x.grad.array == np.float16(1 / 70000))


def test_float16_sum_accumulates_in_float32():
    r = np.random.default_rng(0).random((5000, 3)).astype(np.float16)
    exact = r.astype(np.float64).sum(0)
    got = ag.tensor(r).sum(0)
    assert got.dtype == ag.float16
    # float16 has 11 significant bits: within one unit in the last place of the exact sum (~2 at 2500); adding up in
    # float16 gave errors of up to 6%
    np.testing.assert_allclose(got.array.astype(np.float64), exact, rtol=1e-3)
    np.testing.assert_allclose(ag.tensor(r).sum().item(), r.astype(np.float64).sum(), rtol=1e-3)


@pytest.mark.parametrize("bad", [-1, 3])
def test_gather_rejects_negative_and_too_large_indices_like_torch(bad):
    x = ag.tensor([[1.0, 2.0, 3.0]])
    with pytest.raises(RuntimeError, match=rf"gather: index {bad} is out of bounds for dimension 1 with size 3"):
        x.gather(1, ag.tensor([[0, bad]]))


def test_assigning_a_grad_of_the_wrong_shape_dtype_or_type_is_an_error():
    p = ag.zeros(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"assigned grad has data of a different size"):
        p.grad = ag.zeros(3)
    with pytest.raises(RuntimeError, match=r"assigned grad has data of a different type"):
        p.grad = ag.zeros(2, 2, dtype=ag.float64)
    with pytest.raises(TypeError, match=r"assigned grad expected to be a Tensor or None"):
        p.grad = np.zeros((2, 2), dtype=np.float32)
    p.grad = ag.ones(2, 2)
    assert p.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    p.grad = None
    assert p.grad is None
