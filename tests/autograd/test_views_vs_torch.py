"""Tensor core v2 against torch (skipped without torch): the same view, in-place, version-counter, saved-tensor and
thread scenarios run in both libraries, which must agree on values, gradients, versions, errors and modes."""

import threading

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

LIBS = (ag, torch)


def shares(lib, a, b):
    if lib is torch:
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    return bool(np.shares_memory(a.array, b.array))


def values(t):
    return t.detach().numpy().copy()


# ---- which ops are views ---------------------------------------------------------------------------------------------
OPS = {
    "index_int": lambda t: t[0],
    "index_neg_step": lambda t: t[-1, ::2],
    "index_column": lambda t: t[:, 1],
    "slice": lambda t: t[1:3],
    "ellipsis_none": lambda t: t[..., None],
    "index_list": lambda t: t[[0, 2]],
    "index_mask": lambda t: t[t > 5],
    "view": lambda t: t.view(12),
    "view_as": lambda t: t.view_as(t.reshape(2, 6)),
    "reshape_view": lambda t: t.reshape(4, 3),
    "reshape_copy": lambda t: t.t().reshape(-1),
    "flatten_view": lambda t: t.flatten(),
    "flatten_copy": lambda t: t.t().flatten(),
    "unflatten": lambda t: t.unflatten(1, (2, 2)),
    "t": lambda t: t.t(),
    "T": lambda t: t.T,
    "mT": lambda t: t.mT,
    "transpose": lambda t: t.transpose(0, 1),
    "permute": lambda t: t.permute(1, 0),
    "unsqueeze": lambda t: t.unsqueeze(-1),
    "squeeze": lambda t: t[:1].squeeze(0),
    "expand": lambda t: t[:, :1].expand(3, 4),
    "narrow": lambda t: t.narrow(0, 1, 2),
    "select": lambda t: t.select(0, 1),
    "unbind": lambda t: t.unbind(1)[3],
    "split": lambda t: t.split([1, 3], 1)[1],
    "chunk": lambda t: t.chunk(2, 1)[0],
    "diagonal": lambda t: t.diagonal(1),
    "as_strided": lambda t: t.as_strided((3, 2), (4, 2), 0),
    "contiguous_copy": lambda t: t.t().contiguous(),
    "clone": lambda t: t.clone(),
    "detach": lambda t: t.detach(),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_which_ops_are_views(name):
    seen = []
    for lib in LIBS:
        x = lib.tensor(np.arange(12.0).reshape(3, 4))
        v = OPS[name](x)
        is_view = v._is_view()
        row = (is_view, shares(lib, v, x), (v._base is x) if is_view else v._base is None, values(v).tolist())
        if name != "expand":
            v.add_(100)  # torch refuses writes to expanded views
        seen.append(row + (values(x).tolist(),))
    assert seen[0] == seen[1]


def test_view_of_a_non_contiguous_tensor_raises_in_both():
    messages = []
    for lib in LIBS:
        x = lib.tensor(np.arange(12.0).reshape(3, 4))
        with pytest.raises(RuntimeError) as info:
            x.t().view(12)
        messages.append(str(info.value))
    for message in messages:  # torch's words around the details (which pathgrad may word its own way)
        assert message.startswith("view size is not compatible with input tensor's size and stride")
        assert "at least one dimension spans across two contiguous subspaces" in message
        assert message.endswith("Use .reshape(...) instead.")


# ---- autograd through in-place ops on views --------------------------------------------------------------------------
def s_add_column(lib, x, z):
    y = x * 1
    y[:, 1] += z[:2]
    return y, (y * y).sum()


def s_mul_row(lib, x, z):
    y = x * 1
    y[0].mul_(2)
    return y, (y * z[None, :3]).sum()


def s_exp_slice(lib, x, z):
    y = x * 1
    v = y[1:]
    v.exp_()
    return y, (y * v.sum()).sum()


def s_view_before(lib, x, z):
    y = x * 1
    v = y[0]
    y.mul_(z[0])
    return y, (v * v).sum() + y.sum()


def s_transposed_mul(lib, x, z):
    y = x * 1
    y.t()[0].mul_(z[:2])
    return y, (y * y).sum()


def s_diagonal(lib, x, z):
    y = x * 1
    y.diagonal().mul_(z[:2])
    d = y.diagonal(1)
    d.add_(z[1:3])
    return y, (y.sin() * d.sum()).sum()


def s_copy_row(lib, x, z):
    y = x * 1
    y[1].copy_(z[:3])
    return y, (y.exp()).sum()


def s_view_of_view(lib, x, z):
    y = x * 1
    y[1:][0, 1:].mul_(z[:2])
    return y, (y**2).sum()


def s_zero_relu_clamp(lib, x, z):
    y = x * z[0]
    y[:, 0].zero_()
    y[:, 1:].clamp_(-1.0, 1.0)
    y[0].relu_()  # last: Relu saves its output, which a later write to y would invalidate
    return y, (y * x).sum()


def s_setitem(lib, x, z):
    y = x * 1
    y[0, 1:] = x[1, :2] * z[0]
    y[y > 0.5] = 0.25
    y[1][2] = z[1] + z[2]
    return y, (y * y).sum()


def s_buffer(lib, x, z):
    b = lib.zeros(3, 3, dtype=lib.float64)
    u = b[:, 0]
    b[1] = z[:3] * 2
    b[2][1:] = x[0, :2]
    return b, (b * b).sum() + (u * 10).sum()


def s_add_view_into_view(lib, x, z):
    y = x * 1
    y[0] += y[1]
    y[:, 2] -= 2 * y[:, 0] + z[:2]  # (z * y[:, 0] would save a view of y that this very write modifies)
    return y, (y * y).sum()


def s_pow_div_sub(lib, x, z):
    y = x.exp()
    w = y * 1
    w[0].pow_(2)
    w[1:, 1:].div_(z[0] + 2)
    w.t()[1].sub_(z[:2])
    return w, (w * x).sum()


SCENARIOS = {name[2:]: f for name, f in dict(globals()).items() if name.startswith("s_")}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_in_place_on_views_gives_torchs_values_and_gradients(name):
    rng = np.random.default_rng(sorted(SCENARIOS).index(name))
    xv, zv = rng.standard_normal((2, 3)), rng.standard_normal(4)
    results = []
    for lib in LIBS:
        x = lib.tensor(xv, dtype=lib.float64, requires_grad=True)
        z = lib.tensor(zv, dtype=lib.float64, requires_grad=True)
        y, loss = SCENARIOS[name](lib, x, z)
        loss.backward()
        zero = np.zeros(3)
        results.append((values(y), loss.item(), values(x.grad), zero if z.grad is None else values(z.grad)[:3]))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


# ---- version counters ------------------------------------------------------------------------------------------------
def test_version_counters_follow_torch_step_by_step():
    def script(lib):
        x = lib.zeros(3, 4)
        row, col, det, dat = x[0], x[:, 1], x.detach(), x.data
        steps = [
            lambda: x.add_(1), lambda: row.mul_(2), lambda: col.zero_(), lambda: det.fill_(3),
            lambda: dat.sub_(1), lambda: x.__setitem__((1, 2), 5.0), lambda: x.__setitem__([0, 2], 1.0),
            lambda: row[1:].exp_(), lambda: x.t().clamp_(0, 2), lambda: x.copy_(lib.ones(4)),
            lambda: x.__iadd__(1), lambda: x.__setitem__(x > 1, 0.0),
        ]
        seen = []
        for step in steps:
            step()
            seen.append((x._version, row._version, col._version, det._version, dat._version, x.data._version))
        return seen, values(x).tolist()

    assert script(ag) == script(torch)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
def test_optimizer_steps_bump_versions_like_torch(name):
    import nn
    import optim

    versions, updated = [], []
    for make, namespace in ((lambda d: nn.Parameter(ag.tensor(d)), optim),
                            (lambda d: torch.nn.Parameter(torch.tensor(d)), torch.optim)):
        w, u = make([1.0, -2.0]), make([3.0])  # u gets no gradient: not updated, not bumped
        opt = getattr(namespace, name)([w, u], lr=0.1)
        (w * w).sum().backward()
        opt.step()
        opt.step()
        versions.append((w._version, u._version))
        updated.append(values(w))
    assert versions[0] == versions[1]
    np.testing.assert_allclose(updated[0], updated[1], rtol=1e-6)


# ---- the saved-tensor check ------------------------------------------------------------------------------------------
def c_exp_output(lib, x):
    y = x.exp()
    y.add_(1)
    return y.sum()


def c_sigmoid_view(lib, x):
    b = x.sigmoid()
    b[0].mul_(2)
    return b.sum()


def c_view_via_base(lib, x):
    y = x * 1
    s = y[0] * y[0]
    y.add_(1)
    return s.sum()


def c_sibling_view(lib, x):
    y = x * 1
    s = y[0].sin()
    y[:, 0].zero_()
    return s.sum()


def c_base_via_view(lib, x):
    y = x * 1
    s = y * y
    y[1, 1] = 0.0
    return s.sum()


def c_detach(lib, x):
    y = x.tanh()
    y.detach().zero_()
    return y.sum()


def c_data(lib, x):
    y = x.tanh()
    y.data.mul_(0.5)
    return y.sum()


def c_not_saved(lib, x):
    d = x * 2
    d += 1
    c = d + 1
    d.mul_(3)
    return (c + d).sum()


def c_unrelated(lib, x):
    y, z = x * 1, x * 1
    s = (y @ y.t()).sum()
    z[0].zero_()
    return s


def c_before_saving(lib, x):
    y = x * 1
    y[0].add_(1)
    return (y[1:] * y[1:]).sum() + (y[0] * y[0]).sum()


def c_leaf_no_grad(lib, x):
    w = x.detach().clone().requires_grad_()
    s = (w * w).sum()
    with lib.no_grad():
        w[0].add_(1)
    return s


def c_inplace_result_saved_then_viewed(lib, x):
    y = x * 1
    y.exp_()  # saves its result
    y[0].zero_()
    return y.sum()


CHECKS = {name[2:]: f for name, f in dict(globals()).items() if name.startswith("c_")}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_saved_tensor_check_agrees_with_torch(name):
    xv = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    outcomes = []
    for lib in LIBS:
        x = lib.tensor(xv, dtype=lib.float64, requires_grad=True)
        loss = CHECKS[name](lib, x)
        try:
            loss.backward()
        except RuntimeError as e:
            assert "one of the variables needed for gradient computation has been modified by an inplace " \
                   "operation" in str(e)
            outcomes.append("raised")
        else:
            outcomes.append(values(x.grad) if x.grad is not None else None)
    if isinstance(outcomes[1], np.ndarray):
        np.testing.assert_allclose(outcomes[0], outcomes[1], rtol=1e-12, atol=1e-14)
    else:
        assert type(outcomes[0]) is type(outcomes[1]) and outcomes[0] == outcomes[1]


# ---- errors ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("write", [
    lambda w: w.add_(1), lambda w: w.__iadd__(1), lambda w: w.__setitem__(0, 5.0), lambda w: w[0].add_(1),
    lambda w: w.t().mul_(2), lambda w: w[1][2].fill_(0), lambda w: w.view(-1).zero_(),
], ids=["add_", "iadd", "setitem", "view_add_", "t_mul_", "chained_fill_", "view_zero_"])
def test_leaf_errors_carry_torchs_messages(write):
    messages = []
    for lib in LIBS:
        w = lib.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            write(w)
        messages.append(str(info.value))
        with lib.no_grad():
            write(w)
        messages.append((w._version, values(w).tolist()))
    assert messages[2] in messages[0] and messages[1] == messages[3]


def test_numpy_error_message_and_data_assignment_match_torch():
    for lib in LIBS:
        w = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
            w.numpy()
        with pytest.raises(TypeError):
            w.data = np.zeros(2)
    outs = []
    for lib in LIBS:
        w = lib.ones(3, requires_grad=True)
        w.data = lib.arange(6.0).reshape(2, 3)
        (w * w).sum().backward()
        outs.append((tuple(w.shape), w.requires_grad, w.is_leaf, w._version, values(w.grad).tolist()))
    assert outs[0] == outs[1]


# ---- thread-local grad and inference modes ---------------------------------------------------------------------------
def thread_scenario(lib):
    """The worker sits in a mode while the main thread records; both report what they saw."""
    x = lib.ones(2, requires_grad=True)
    seen = []
    for enter in (lib.no_grad, lambda: lib.set_grad_enabled(False), lib.inference_mode):
        inside, checked = threading.Event(), threading.Event()
        worker_saw = {}

        def worker(enter=enter, inside=inside, checked=checked, worker_saw=worker_saw):
            with enter():
                worker_saw["in"] = (lib.is_grad_enabled(), lib.is_inference_mode_enabled(), (x * 2).requires_grad)
                inside.set()
                checked.wait(10)
            worker_saw["out"] = (lib.is_grad_enabled(), lib.is_inference_mode_enabled())

        t = threading.Thread(target=worker, daemon=True)
        t.start()
        assert inside.wait(10)
        main = (lib.is_grad_enabled(), lib.is_inference_mode_enabled(), (x * 2).requires_grad)
        checked.set()
        t.join(10)
        seen.append((main, worker_saw["in"], worker_saw["out"]))
    return seen


def test_grad_and_inference_modes_are_thread_local_as_in_torch():
    theirs = thread_scenario(torch)
    assert theirs[0] == ((True, False, True), (False, False, False), (True, False))  # what torch does
    assert thread_scenario(ag) == theirs
