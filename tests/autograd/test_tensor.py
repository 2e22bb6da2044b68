"""Tensor construction, dtypes and promotion (torch's rules), factories, seeding, printing."""

import numpy as np
import pytest

import autograd as ag


def test_default_dtype_is_float32_and_numpy_arrays_keep_theirs():
    assert ag.tensor(1.5).dtype == ag.float32
    assert ag.tensor([1.0, 2.0]).dtype == ag.float32
    assert ag.tensor(np.zeros(2)).dtype == ag.float64
    assert ag.tensor(np.zeros(2, dtype=np.float32)).dtype == ag.float32
    assert ag.tensor([1, 2]).dtype == ag.int64
    assert ag.tensor([True, False]).dtype == np.bool_
    assert ag.tensor([1, 2], dtype="float64").dtype == ag.float64
    assert ag.tensor([1, 2], dtype=np.float32).dtype == ag.float32


def test_set_default_dtype():
    ag.set_default_dtype(ag.float64)
    assert ag.tensor(1.0).dtype == ag.float64
    assert ag.zeros(2).dtype == ag.float64
    with pytest.raises(TypeError, match="floating"):
        ag.set_default_dtype(ag.int64)


def test_requires_grad_on_integer_tensor_is_a_clear_error():
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)


@pytest.mark.parametrize("a,b,expected", [
    (np.float32, np.float64, np.float64),
    (np.float32, np.int64, np.float32),
    (np.int64, np.int32, np.int64),
    (np.bool_, np.int64, np.int64),
    (np.bool_, np.float32, np.float32),
])
def test_tensor_tensor_promotion_follows_torch(a, b, expected):
    x, y = ag.tensor(np.ones(2, dtype=a)), ag.tensor(np.ones(2, dtype=b))
    assert (x + y).dtype == expected
    assert (x * y).dtype == expected


def test_python_scalars_and_zero_dim_tensors_do_not_promote_within_a_category():
    x = ag.ones(3)  # float32
    assert (x * 2.5).dtype == ag.float32
    assert (2 * x).dtype == ag.float32
    assert (x + ag.tensor(1.0, dtype=ag.float64)).dtype == ag.float32  # 0-d: same category, does not promote
    i = ag.tensor([1, 2])
    assert (i * 2).dtype == ag.int64
    assert (i * 2.5).dtype == ag.float32  # higher category: the default float dtype
    assert (i / 2).dtype == ag.float32  # true division of integers gives floats
    assert ag.tensor([1, 2]).exp().dtype == ag.float32


def test_gradients_take_the_leaf_dtype_through_a_promotion():
    w = ag.ones(2, requires_grad=True)  # float32
    x = ag.tensor(np.array([1.0, 2.0]))  # float64
    y = (w * x).sum()
    assert y.dtype == ag.float64
    y.backward()
    assert w.grad.dtype == ag.float32
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 2.0])


def test_factories():
    assert ag.zeros(2, 3).shape == (2, 3) and ag.zeros((2, 3)).shape == (2, 3)
    assert ag.ones(2).tolist() == [1.0, 1.0]
    assert ag.full((2,), 7).dtype == ag.int64 and ag.full((2,), 7.0).dtype == ag.float32
    assert ag.arange(5).tolist() == [0, 1, 2, 3, 4] and ag.arange(5).dtype == ag.int64
    assert ag.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert np.array_equal(ag.eye(3).numpy(), np.eye(3))
    x = ag.randn(4, 5)
    assert ag.zeros_like(x).shape == (4, 5) and ag.ones_like(x).dtype == ag.float32
    assert ag.rand(3).dtype == ag.float32 and ((ag.rand(100).numpy() >= 0) & (ag.rand(100).numpy() < 1)).all()
    assert ag.randn(2, requires_grad=True).requires_grad


def test_manual_seed_makes_every_random_function_reproducible():
    ag.manual_seed(42)
    a = (ag.randn(3).numpy().copy(), ag.rand(2).numpy().copy(), ag.randint(0, 10, (4,)).numpy().copy())
    ag.manual_seed(42)
    b = (ag.randn(3).numpy(), ag.rand(2).numpy(), ag.randint(0, 10, (4,)).numpy())
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def test_attributes_and_conversions():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.shape == (2, 2) and x.ndim == 2 and x.size() == (2, 2) and x.size(1) == 2 and x.numel() == 4
    assert x.is_leaf and x.grad is None and x.grad_fn is None
    y = x * 2
    assert not y.is_leaf and y.grad_fn.name() == "MulBackward"
    assert y.detach().grad_fn is None and y.detach().tolist() == [[2.0, 4.0], [6.0, 8.0]]
    with pytest.raises(RuntimeError, match=r"detach\(\)\.numpy\(\)"):
        x.numpy()
    assert np.asarray(x).shape == (2, 2)
    assert ag.tensor(3.5).item() == 3.5 and float(ag.tensor(2.0)) == 2.0
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ag.ones(2))
    assert f"{ag.tensor(0.123456):.3f}" == "0.123"
    x.name = "x"
    assert x.name == "x"


def test_repr_looks_like_torch():
    assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ag.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(ag.tensor(2.0, requires_grad=True) * 3) == "tensor(6., grad_fn=<MulBackward>)"
    assert repr(ag.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ag.tensor(np.array([0.5]))) == "tensor([0.5000], dtype=float64)"


def test_numpy_operands_defer_to_tensor():
    x = ag.ones(2, requires_grad=True)
    y = np.array([2.0, 3.0], dtype=np.float32) * x
    assert isinstance(y, ag.Tensor) and y.requires_grad


def test_module_level_functions_mirror_methods():
    x = ag.tensor([[1.0, -2.0], [3.0, 0.5]])
    assert ag.cat([x, x], 0).shape == (4, 2) and ag.stack([x, x], 2).shape == (2, 2, 2)
    assert [t.shape for t in ag.split(x, 1, 1)] == [(2, 1), (2, 1)]
    assert [t.shape for t in ag.chunk(ag.ones(5), 2)] == [(3,), (2,)]
    assert ag.where(x > 0, x, 0.0).tolist() == [[1.0, 0.0], [3.0, 0.5]]
    assert ag.maximum(x, ag.zeros(2)).tolist() == [[1.0, 0.0], [3.0, 0.5]]
    assert ag.pad(ag.ones(2), (1, 1)).tolist() == [0.0, 1.0, 1.0, 0.0]
    np.testing.assert_allclose(ag.softmax(x, 1).sum(1).numpy(), [1.0, 1.0], rtol=1e-6)
    assert x.var(1, correction=0).tolist() == pytest.approx([2.25, 1.5625])


def test_numpy_scalars_do_not_promote_like_python_scalars():
    x = ag.ones(3)
    assert (x * np.float64(0.5)).dtype == ag.float32
    assert (np.float64(2.0) + x).dtype == ag.float32


def test_leaf_gradients_are_c_contiguous_even_from_transposed_products():
    w = ag.randn(4, 5, requires_grad=True)
    (ag.randn(2, 5) @ w.mT).sum().backward()
    assert w.grad.array.flags["C_CONTIGUOUS"]
