"""Tensor core v2: autograd through in-place ops on views (torch's CopySlices), the leaf errors, and a tensor that
receives a value requiring grad.

The expected gradients are derived by hand in each test's comments (x = [[1, 2, 3], [4, 5, 6]] unless said
otherwise); every scenario was also run in torch 2.13, which gives the same numbers (test_views_vs_torch.py repeats
them side by side), and the composite ones are checked against finite differences with gradcheck."""

import numpy as np
import pytest

import autograd as ag

X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
C = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]  # loss weights, a constant


def leaf(values=X):
    return ag.tensor(values, dtype=ag.float64, requires_grad=True)


def const(values=C):
    return ag.tensor(values, dtype=ag.float64)


def test_add_into_a_column_view():
    x, z = leaf(), leaf([10.0, 20.0])
    y = x * 1
    y[:, 1] += z  # y = [[1, 12, 3], [4, 25, 6]]
    assert y.tolist() == [[1.0, 12.0, 3.0], [4.0, 25.0, 6.0]]
    assert y.requires_grad and y.grad_fn is not None
    (y * y).sum().backward()  # dL/dy = 2y; y depends on x with slope 1 everywhere, on z through column 1
    assert x.grad.tolist() == [[2.0, 24.0, 6.0], [8.0, 50.0, 12.0]]
    assert z.grad.tolist() == [24.0, 50.0]


def test_mul_into_a_row_view():
    x = leaf()
    y = x * 1
    y[0].mul_(2)
    assert y.tolist() == [[2.0, 4.0, 6.0], [4.0, 5.0, 6.0]]
    (y * const()).sum().backward()  # row 0 scaled by 2: dL/dx = C with row 0 doubled
    assert x.grad.tolist() == [[2.0, 4.0, 6.0], [4.0, 5.0, 6.0]]


def test_exp_in_place_on_a_slice_view():
    x = leaf()
    y = x * 1
    v = y[1:]
    v.exp_()  # y[1] = exp(x[1])
    np.testing.assert_allclose(y.detach().numpy()[1], np.exp([4.0, 5.0, 6.0]))
    assert v._base is y and v.requires_grad
    y.sum().backward()  # d/dx exp(x) = exp(x)
    np.testing.assert_allclose(x.grad.numpy(), [[1.0, 1.0, 1.0], np.exp([4.0, 5.0, 6.0])], rtol=1e-12)


def test_a_view_taken_before_sees_the_new_values_and_a_new_history():
    x = leaf()
    y = x * 1
    v = y[0]
    old = v.grad_fn
    y.mul_(3)
    assert v.tolist() == [3.0, 6.0, 9.0]
    assert v.grad_fn is not None and v.grad_fn is not old  # regenerated, as torch does
    (v * v).sum().backward()  # v = 3·x[0], L = Σ 9·x[0]² → 18·x[0]; row 1 unused
    assert x.grad.tolist() == [[18.0, 36.0, 54.0], [0.0, 0.0, 0.0]]


def test_a_sibling_view_taken_before_sees_the_write():
    x = leaf()
    y = x * 1
    a = y[:, 2]
    y[1].mul_(10)
    assert a.tolist() == [3.0, 60.0]
    (a * a).sum().backward()  # a = [x02, 10·x12]: 2·3 = 6, 2·60·10 = 1200
    assert x.grad.tolist() == [[0.0, 0.0, 6.0], [0.0, 0.0, 1200.0]]


def test_mul_by_a_tensor_through_a_transposed_view():
    x, z = leaf(), leaf([10.0, 20.0])
    y = x * 1
    y.t()[0].mul_(z)  # column 0 of y becomes [1·10, 4·20] = [10, 80]
    assert y.tolist() == [[10.0, 2.0, 3.0], [80.0, 5.0, 6.0]]
    (y * y).sum().backward()
    # column 0: dL/dx = 2y·z = [2·10·10, 2·80·20]; elsewhere 2x; dL/dz = 2y·x = [2·10·1, 2·80·4]
    assert x.grad.tolist() == [[200.0, 4.0, 6.0], [3200.0, 10.0, 12.0]]
    assert z.grad.tolist() == [20.0, 640.0]


def test_mul_on_the_diagonal_view():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    y.diagonal().mul_(5)
    assert y.tolist() == [[5.0, 2.0], [3.0, 20.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[5.0, 1.0], [1.0, 5.0]]


def test_copy_into_a_row_view_cuts_the_old_values_off():
    x, z = leaf(), leaf([7.0, 8.0, 9.0])
    y = x * 1
    y[1].copy_(z)
    assert y.tolist() == [[1.0, 2.0, 3.0], [7.0, 8.0, 9.0]]
    (y * const()).sum().backward()  # row 1 of x is overwritten: no gradient; z gets C's row 1
    assert x.grad.tolist() == [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]
    assert z.grad.tolist() == [4.0, 5.0, 6.0]


def test_in_place_on_a_view_of_a_view():
    x = leaf()
    y = x * 1
    y[1:][0, 1:].mul_(4)  # y[1, 1:] *= 4
    assert y.tolist() == [[1.0, 2.0, 3.0], [4.0, 20.0, 24.0]]
    (y * const()).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0, 3.0], [4.0, 20.0, 24.0]]


def test_zero_a_column():
    x = leaf()
    y = x * 1
    y[:, 0].zero_()
    (y * y).sum().backward()  # 2x, except the zeroed column
    assert x.grad.tolist() == [[0.0, 4.0, 6.0], [0.0, 10.0, 12.0]]


def test_relu_in_place_on_a_row():
    x = leaf([[-1.0, 2.0], [3.0, -4.0]])
    y = x * 1
    y[0].relu_()  # only row 0 is rectified: x[1, 1] = -4 keeps its value and slope
    assert y.tolist() == [[0.0, 2.0], [3.0, -4.0]]
    (y * const([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0], [3.0, 4.0]]


def test_clamp_in_place_on_a_block():
    x = leaf()
    y = x * 1
    y[:, 1:].clamp_(max=4.5)  # 5 and 6 are clamped (zero slope); 2 and 3 pass
    assert y.tolist() == [[1.0, 2.0, 3.0], [4.0, 4.5, 4.5]]
    (y * const()).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]]


def test_pow_in_place_on_a_row():
    x = leaf()
    y = x * 1
    y[0].pow_(2)
    y.sum().backward()  # 2·x[0]; row 1 passes
    assert x.grad.tolist() == [[2.0, 4.0, 6.0], [1.0, 1.0, 1.0]]


def test_add_one_view_of_the_base_into_another():
    x = leaf()
    y = x * 1
    y[0] += y[1]  # y = [x0 + x1, x1]
    assert y.tolist() == [[5.0, 7.0, 9.0], [4.0, 5.0, 6.0]]
    (y * const()).sum().backward()  # dL/dx0 = C0, dL/dx1 = C0 + C1
    assert x.grad.tolist() == [[1.0, 2.0, 3.0], [5.0, 7.0, 9.0]]


def test_setitem_with_a_basic_index_and_a_mask():
    x = leaf()
    y = x * 1
    y[0, 1:] = x[1, :2] * x[1, 2]  # y[0] = [x00, x10·x12, x11·x12] = [1, 24, 30]
    y[y > 20] = 0.0  # zeroes y[0, 1], y[0, 2] again
    assert y.tolist() == [[1.0, 0.0, 0.0], [4.0, 5.0, 6.0]]
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]


def test_a_buffer_that_receives_a_value_requiring_grad_joins_the_graph():
    w = ag.tensor(3.0, dtype=ag.float64, requires_grad=True)
    b = ag.zeros(3, dtype=ag.float64)
    assert b.is_leaf and not b.requires_grad
    b[0] = w * 2
    assert b.requires_grad and b.grad_fn is not None and not b.is_leaf
    assert b.tolist() == [6.0, 0.0, 0.0]
    (b * const([5.0, 6.0, 7.0])).sum().backward()  # L = 5·2w
    assert w.grad.item() == 10.0


def test_chained_index_writes_of_values_requiring_grad():
    w = leaf([1.0, 2.0])
    t = ag.zeros(2, 3, dtype=ag.float64)
    t[1][2] = w[0] * w[1]
    t[0][0] = w[1] ** 2
    assert t.requires_grad and t.tolist() == [[4.0, 0.0, 0.0], [0.0, 0.0, 2.0]]
    (t * const([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])).sum().backward()  # L = w1² + 6·w0·w1
    assert w.grad.tolist() == [6.0 * 2.0, 2 * 2.0 + 6.0 * 1.0]


def test_copy_into_a_view_of_a_buffer_updates_views_taken_before():
    w = leaf([1.0, 2.0, 3.0])
    b = ag.zeros(2, 3, dtype=ag.float64)
    u = b[:, 0]  # taken while b does not require grad
    b[1].copy_(w * w)
    assert b.requires_grad and u.requires_grad and u.tolist() == [0.0, 1.0]
    (b.sum() + (u * 10).sum()).backward()  # Σ w² → 2w, plus 10·w0² → 20·w0
    assert w.grad.tolist() == [22.0, 4.0, 6.0]


def test_gradients_through_in_place_view_writes_match_finite_differences():
    def f(x, z):
        y = x * 1
        y[:, 1] += z
        y.t()[2].mul_(z)
        y[0][0] = y[1, 1] + 2 * y[0, 2]  # (a product would save views of y, which the next write modifies)
        y[1:].exp_()  # last: Exp saves its output, and any later write to y would bump the counter it shares
        return y * x

    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 3)) * 0.5, dtype=ag.float64, requires_grad=True)
    z = ag.tensor([0.3, -0.7], dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(f, (x, z))


def test_gradients_through_views_taken_before_the_write_match_finite_differences():
    def f(x):
        y = x.sin()
        first, last = y[0], y[:, -1]
        y[1:].mul_(y[0] + x[0])  # rows below 0 scaled by (sin x0 + x0)
        y.diagonal().zero_()
        return first * 2 + last.sum() + y.sum(0)

    x = ag.tensor(np.random.default_rng(1).standard_normal((3, 3)), dtype=ag.float64, requires_grad=True)
    assert ag.gradcheck(f, (x,))


def test_in_place_on_a_leaf_that_requires_grad_is_an_error():
    w = ag.ones(2, 3, requires_grad=True)
    for write in (lambda: w.add_(1), lambda: w.mul_(2), lambda: w.zero_(), lambda: w.exp_()):
        with pytest.raises(RuntimeError, match=r"^a leaf Variable that requires grad is being used in an in-place "
                                               r"operation\."):
            write()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place operation"):
        w += 1
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place operation"):
        w[0] = 5.0
    assert w.tolist() == [[1.0] * 3] * 2 and w._version == 0  # nothing was written


def test_in_place_on_a_view_of_a_leaf_that_requires_grad_is_an_error():
    w = ag.ones(2, 3, requires_grad=True)
    writes = (lambda: w[0].add_(1), lambda: w.t().mul_(2), lambda: w[:, 1].zero_(), lambda: w[1][2].fill_(0),
              lambda: w[0].__setitem__(1, 3.0), lambda: w.view(6).exp_())
    for write in writes:
        with pytest.raises(RuntimeError, match=r"a view of a leaf Variable that requires grad is being used in an "
                                               r"in-place operation\."):
            write()
    assert w.tolist() == [[1.0] * 3] * 2


def test_in_place_on_a_leaf_and_its_views_is_allowed_under_no_grad():
    w = ag.ones(2, 3, requires_grad=True)
    with ag.no_grad():
        w[0].add_(1)
        w[:, 2].mul_(3)
        w += 1
        w[1][0] = 10.0
    assert w.tolist() == [[3.0, 3.0, 7.0], [10.0, 2.0, 4.0]]
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    assert w._version == 4
    (w * w).sum().backward()
    assert w.grad.tolist() == [[6.0, 6.0, 14.0], [20.0, 4.0, 8.0]]


def test_writes_through_detach_are_allowed_on_a_leaf():
    w = ag.ones(3, requires_grad=True)
    w.detach().add_(1)  # torch allows it: the detached alias does not require grad
    assert w.tolist() == [2.0, 2.0, 2.0] and w._version == 1
