"""Tensor core v2: version counters (shared by a base, its views and detach(); one bump per in-place op; not by writes
through .data) and the saved-tensor check in backward, including the bumps by optimisers and nn.init.

Every scenario was run in torch 2.13 first: the same versions, the same raise / no-raise, the same gradients."""

import numpy as np
import pytest

import autograd as ag
import nn
import optim
from nn import init

MODIFIED = "one of the variables needed for gradient computation has been modified by an inplace operation"

IN_PLACE = {
    "add_": lambda t: t.add_(1),
    "add_alpha": lambda t: t.add_(ag.ones(3, 4, dtype=ag.float64), alpha=2),
    "sub_": lambda t: t.sub_(1),
    "mul_": lambda t: t.mul_(2),
    "div_": lambda t: t.div_(2),
    "pow_": lambda t: t.pow_(2),
    "clamp_": lambda t: t.clamp_(0, 1),
    "relu_": lambda t: t.relu_(),
    "exp_": lambda t: t.exp_(),
    "copy_": lambda t: t.copy_(ag.ones(3, 4)),
    "copy_broadcast": lambda t: t.copy_(ag.ones(4)),
    "fill_": lambda t: t.fill_(3),
    "zero_": lambda t: t.zero_(),
    "setitem_basic": lambda t: t.__setitem__((0, slice(1, 3)), 1.0),
    "setitem_list": lambda t: t.__setitem__([0, 2], 1.0),
    "setitem_mask": lambda t: t.__setitem__(t > 100, 1.0),
    "iadd": lambda t: t.__iadd__(1),
    "isub": lambda t: t.__isub__(1),
    "imul": lambda t: t.__imul__(2),
    "itruediv": lambda t: t.__itruediv__(2),
    "view_add_": lambda t: t[1].add_(1),
    "view_of_view_mul_": lambda t: t.t()[1:][0].mul_(3),
    "chained_setitem": lambda t: t[1].__setitem__(2, 5.0),  # t[1][2] = 5.0
    "init_normal_": lambda t: init.normal_(t),
    "init_constant_": lambda t: init.constant_(t, 0.5),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_every_in_place_op_bumps_the_version_by_one(name):
    x = ag.tensor(np.arange(12.0).reshape(3, 4) / 12)
    assert x._version == 0
    IN_PLACE[name](x)
    assert x._version == 1
    IN_PLACE[name](x)
    assert x._version == 2


def test_out_of_place_ops_and_taking_views_do_not_bump():
    x = ag.ones(3, 4)
    y = x * 2 + x.exp()
    views = [x[0], x.t(), x.view(12), x.reshape(2, 6), x[:, 1:], x.unsqueeze(0), x.detach(), x.data]
    _ = x[[0, 1]], x.clone(), x.sum(), x.numpy()
    assert x._version == 0 and y._version == 0
    assert all(v._version == 0 for v in views)


def test_base_views_and_detach_share_one_counter():
    x = ag.zeros(3, 4)
    row, col, flat, det = x[0], x[:, 1], x.view(12), x.detach()
    inner = row[1:]
    writers = [x.add_, row.add_, col.add_, flat.add_, det.add_, inner.add_]
    for n, write in enumerate(writers, 1):
        write(1)
        assert [t._version for t in (x, row, col, flat, det, inner)] == [n] * 6
    later = x[2]  # a view made later starts from the shared count
    assert later._version == len(writers)


def test_data_has_its_own_counter_and_writes_through_it_do_not_bump():
    w = ag.ones(3, requires_grad=True)
    with ag.no_grad():
        w.add_(1)
    assert w._version == 1
    d = w.data
    assert d._version == 0
    d.mul_(3)
    assert d._version == 1 and w._version == 1
    assert w.detach().tolist() == [6.0, 6.0, 6.0]


def test_assigning_data_does_not_bump():
    w = ag.ones(3, requires_grad=True)
    w.data = ag.zeros(5)
    assert w._version == 0 and w.shape == (5,)


def leaf(values=(1.0, 2.0)):
    return ag.tensor(list(values), dtype=ag.float64, requires_grad=True)


def test_modifying_a_saved_output_is_detected():
    x = leaf()
    y = x.exp()  # Exp saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED + r".* is at version 1; expected version 0"):
        y.sum().backward()


def test_modifying_a_saved_output_through_a_view_is_detected():
    a = ag.tensor([[0.0, 1.0], [2.0, 3.0]], dtype=ag.float64, requires_grad=True)
    b = a.sigmoid()  # Sigmoid saves its output
    b[0].mul_(2)
    with pytest.raises(RuntimeError, match=MODIFIED):
        b.sum().backward()


def test_modifying_a_saved_view_through_its_base_is_detected():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    y = x * 1
    v = y[0]
    s = v * v  # saves the view v
    y.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        s.sum().backward()


def test_modifying_a_saved_view_through_another_view_is_detected():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    y = x * 1
    s = y[0].sin()  # Sin saves its input, the view y[0]
    y[:, 0].zero_()
    with pytest.raises(RuntimeError, match=MODIFIED):
        s.sum().backward()


def test_modifying_a_saved_base_through_a_view_is_detected():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    y = x * 1
    s = y * y
    y[1, 1] = 0.0
    with pytest.raises(RuntimeError, match=MODIFIED):
        s.sum().backward()


def test_modifying_a_saved_tensor_through_detach_is_detected():
    x = leaf()
    y = x.exp()
    y.detach().zero_()
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_modifying_a_saved_leaf_under_no_grad_is_detected():
    w = leaf()
    loss = (w * w).sum()
    with ag.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_writing_the_same_values_back_still_counts():
    x = leaf()
    y = x.exp()
    y.mul_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_modifying_a_tensor_that_was_not_saved_is_fine():
    a = leaf()
    d = a * 2  # Mul by a constant saves only the constant
    d += 1
    d.sum().backward()
    assert a.grad.tolist() == [2.0, 2.0]
    b = leaf()
    h = b * 1
    c = h + 1  # Add saves nothing
    h.mul_(5)
    (c.sum() + h.sum()).backward()  # c = b + 1, h = 5b
    assert b.grad.tolist() == [6.0, 6.0]


def test_modifying_an_unrelated_tensor_is_fine():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ag.float64, requires_grad=True)
    y, z = x * 1, x * 1
    s = (y @ y).sum()
    z[0].zero_()
    s.backward()  # d Σ(X·X) = 1·Xᵀ + Xᵀ·1: [[3 + 4, 7 + 4], [3 + 6, 7 + 6]]
    assert x.grad.tolist() == [[7.0, 11.0], [9.0, 13.0]]


def test_modifying_before_saving_is_fine():
    x = ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64, requires_grad=True)
    y = x * 1
    y.add_(1)
    v = y[1:]
    (v * v).sum().backward()  # 2·(x + 1) on elements 1, 2
    assert x.grad.tolist() == [0.0, 6.0, 8.0]


def test_writes_through_data_are_invisible_to_the_check():
    w = leaf()
    y = w * w  # saves w twice
    w.data.mul_(2)  # w = [2, 4], no version bump
    assert w._version == 0
    y.sum().backward()  # torch uses the new values: 2·w = [4, 8]
    assert w.grad.tolist() == [4.0, 8.0]
    x = leaf()
    e = x.exp()
    e.data.zero_()
    e.sum().backward()  # ExpBackward multiplies by the (now zero) saved output
    assert x.grad.tolist() == [0.0, 0.0]


OPTIMIZERS = {
    "SGD": (optim.SGD, dict(lr=0.1)),
    "SGD_momentum": (optim.SGD, dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    "Adam": (optim.Adam, dict(lr=0.1)),
    "AdamW": (optim.AdamW, dict(lr=0.1)),
    "RMSprop": (optim.RMSprop, dict(lr=0.1)),
    "Adagrad": (optim.Adagrad, dict(lr=0.1)),
    "Adamax": (optim.Adamax, dict(lr=0.1)),
    "NAdam": (optim.NAdam, dict(lr=0.1)),
    "RAdam": (optim.RAdam, dict(lr=0.1)),
    "Rprop": (optim.Rprop, dict(lr=0.1)),
    "Adadelta": (optim.Adadelta, dict(lr=1.0)),
    "ASGD": (optim.ASGD, dict(lr=0.1)),
    "Adafactor": (optim.Adafactor, dict(lr=0.1)),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_step_bumps_updated_parameters(name):
    cls, kw = OPTIMIZERS[name]
    w = nn.Parameter(ag.tensor([[1.0, 2.0], [3.0, 4.0]]))
    unused = nn.Parameter(ag.tensor([1.0, 2.0]))  # no grad: not updated, not bumped
    opt = cls([w, unused], **kw)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    before = w.detach().numpy().copy()
    opt.step()
    assert w._version >= 1 and unused._version == 0  # torch: 1 for most, 2 for AdamW, NAdam, ASGD
    assert not np.array_equal(w.detach().numpy(), before)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_sgd_step_bumps_exactly_once_and_without_grad_not_at_all():
    w = nn.Parameter(ag.tensor([1.0, 2.0]))
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    opt.step()  # no gradient yet: nothing to do
    assert w._version == 0
    loss.backward()  # fine: nothing was modified
    opt.step()
    assert w._version == 1
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)


@pytest.mark.parametrize("fill", [
    lambda w: init.normal_(w), lambda w: init.uniform_(w), lambda w: init.zeros_(w), lambda w: init.ones_(w),
    lambda w: init.constant_(w, 0.5), lambda w: init.eye_(w), lambda w: init.xavier_uniform_(w),
    lambda w: init.kaiming_normal_(w),
], ids=["normal_", "uniform_", "zeros_", "ones_", "constant_", "eye_", "xavier_uniform_", "kaiming_normal_"])
def test_init_bumps_the_version_once(fill):
    w = nn.Parameter(ag.ones(3, 2))
    loss = (w * w).sum()
    assert fill(w) is w
    assert w._version == 1
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_init_on_a_view_of_a_parameter_writes_to_it():
    w = nn.Parameter(ag.zeros(3, 2))
    init.ones_(w[1])  # nn.init runs under no_grad: allowed on a view of a leaf
    assert w.detach().tolist() == [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]
    assert w._version == 1 and w.is_leaf and w.requires_grad


def test_var_saves_its_input_so_an_in_place_change_is_caught():
    """As torch: var (and std, built on it) saves x; exp_ on x before backward must raise, not silently use the
    values from before (found by the random-graph test against torch)."""
    import autograd as ag

    x = ag.tensor([-0.77, 0.45], dtype=ag.float64, requires_grad=True)
    t = -x
    v = t.var(0, keepdim=True)
    t.exp_()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        v.sum().backward()
