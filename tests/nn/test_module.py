"""nn.Module: registration, traversal, modes, state_dict / load_state_dict, dtype, hooks, repr, graph scopes."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd
import nn


class Stats(nn.Module):
    """A module with BatchNorm's kind of state: a parameter and persistent and non-persistent buffers."""

    def __init__(self, n: int = 3) -> None:
        super().__init__()
        self.weight = nn.Parameter(autograd.ones(n))
        self.register_buffer("running_mean", autograd.zeros(n))
        self.register_buffer("num_batches_tracked", autograd.tensor(0))
        self.register_buffer("scratch", autograd.zeros(n), persistent=False)

    def forward(self, x):
        return x * self.weight + self.running_mean


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.bn = Stats(3)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(3, 1)

    def forward(self, x):
        return self.fc2(self.act(self.bn(self.fc1(x))))


def test_registration_by_assignment_and_traversal():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "bn.weight", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in net.named_buffers()] == ["bn.running_mean", "bn.num_batches_tracked", "bn.scratch"]
    assert [n for n, _ in net.named_children()] == ["fc1", "bn", "act", "fc2"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "bn", "act", "fc2"]
    assert len(list(net.modules())) == 5 and len(list(net.buffers())) == 3
    assert [n for n, _ in net.fc1.named_parameters(prefix="fc1")] == ["fc1.weight", "fc1.bias"]
    assert list(net.parameters(recurse=False)) == []
    assert net.get_submodule("bn") is net.bn


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # torch lists each name


def test_attribute_errors_and_type_checks():
    lin = nn.Linear(2, 3)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'weigth'"):
        lin.weigth  # noqa: B018
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        lin.weight = autograd.zeros(3, 2)
    lin.weight = nn.Parameter(autograd.zeros(3, 2))  # a Parameter may replace a Parameter
    assert np.all(lin.weight.array == 0)
    lin.bias = None
    assert lin.bias is None and [n for n, _ in lin.named_parameters()] == ["weight"]
    with pytest.raises(KeyError, match="attribute 'in_features' already exists"):
        lin.register_buffer("in_features", autograd.zeros(1))
    with pytest.raises(KeyError, match="empty or contain"):
        lin.register_parameter("a.b", None)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(autograd.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


def test_reassigning_changes_the_kind_and_delattr_unregisters():
    m = nn.Module()
    m.x = nn.Linear(1, 1)
    m.x = nn.Parameter(autograd.zeros(1))
    assert "x" in m._parameters and "x" not in m._modules
    with pytest.raises(TypeError, match="cannot assign 'Linear' as parameter 'x'"):
        m.x = nn.Linear(1, 1)  # as in torch: a parameter slot takes only a Parameter or None
    del m.x
    assert not hasattr(m, "x") and len(list(m.modules())) == 1


def test_train_eval_and_requires_grad():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_train_recurses_through_overrides():
    class FrozenStats(Stats):
        def train(self, mode=True):
            return super().train(False)  # e.g. keep running statistics frozen

    net = nn.Sequential(nn.Linear(2, 2), FrozenStats(2))
    net.train()
    assert net.training and net[0].training and not net[1].training


def test_zero_grad():
    net = Net()
    net(autograd.randn(4, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.array == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_keys_detached_and_shared():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["fc1.weight", "fc1.bias", "bn.weight", "bn.running_mean", "bn.num_batches_tracked",
                        "fc2.weight", "fc2.bias"]  # non-persistent buffers are left out
    assert all(type(t) is autograd.Tensor and not t.requires_grad for t in sd.values())
    assert np.shares_memory(sd["fc1.weight"].array, net.fc1.weight.array)
    assert net.state_dict(keep_vars=True)["fc1.weight"] is net.fc1.weight


def test_state_dict_round_trip_gives_identical_outputs():
    autograd.manual_seed(0)
    a, b = Net(), Net()
    a.bn.running_mean.array[:] = [0.5, -1.0, 2.0]
    a.bn.num_batches_tracked.array[...] = 7
    x = autograd.randn(5, 2)
    assert not np.allclose(a(x).array, b(x).array)
    w_before = b.fc1.weight
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert np.array_equal(a(x).array, b(x).array)
    assert b.fc1.weight is w_before  # loaded in place: optimisers keep pointing at the same Parameters
    assert b.bn.num_batches_tracked.item() == 7 and b.bn.num_batches_tracked.dtype == np.int64
    # numpy arrays are accepted too, and cast to the parameter's dtype
    b.load_state_dict({k: v.array.astype(np.float64) for k, v in a.state_dict().items()})
    assert b.fc1.weight.dtype == np.float32 and np.array_equal(a(x).array, b(x).array)


def test_load_state_dict_errors_name_the_keys_and_shapes():
    net = Net()
    sd = net.state_dict()
    del sd["fc2.bias"]
    sd["extra.weight"] = autograd.zeros(1)
    sd["fc1.weight"] = autograd.zeros(4, 2)
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd)
    msg = str(e.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "fc2.bias".' in msg
    assert 'Unexpected key(s) in state_dict: "extra.weight".' in msg
    assert ("size mismatch for fc1.weight: copying a param with shape (4, 2) from checkpoint, the shape in "
            "current model is (3, 2).") in msg
    # strict=False tolerates missing/unexpected keys but never a shape mismatch
    sd["fc1.weight"] = autograd.zeros(3, 2)
    missing, unexpected = net.load_state_dict(sd, strict=False)
    assert missing == ["fc2.bias"] and unexpected == ["extra.weight"]
    assert np.all(net.fc1.weight.array == 0)


def test_to_double_float_keep_parameter_identity_and_int_buffers():
    net = Net()
    w = net.fc1.weight
    net(autograd.randn(2, 2)).sum().backward()
    assert net.double() is net
    assert net.fc1.weight is w and w.dtype == np.float64 and w.grad.dtype == np.float64
    assert net.bn.running_mean.dtype == np.float64 and net.bn.num_batches_tracked.dtype == np.int64
    assert net(autograd.randn(2, 2, dtype=autograd.float64)).dtype == np.float64
    net.float()
    assert w.dtype == np.float32
    net.to(dtype=autograd.float64)
    assert w.dtype == np.float64
    assert net.to("cpu") is net


def test_apply_visits_children_then_self():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Stats", "Tanh", "Linear", "Net"]


def test_forward_hooks_modify_and_remove():
    lin = nn.Linear(2, 2)
    calls = []
    pre = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(autograd.randn(3, 2))
    assert calls == [(3, 2)]
    assert np.allclose(out.array, lin.bias.array + 1)  # input zeroed by the pre-hook, then +1 by the hook
    pre.remove()
    post.remove()
    x = autograd.randn(3, 2)
    assert np.allclose(lin(x).array, x.array @ lin.weight.array.T + lin.bias.array) and calls == [(3, 2)]


def test_call_tags_graph_nodes_with_the_module_scope():
    net = Net()
    out = net(autograd.randn(2, 2))
    assert out.grad_fn.scope == (net, net.fc2)  # the last op ran inside fc2 inside net
    scopes = {n.scope for n in autograd.engine.topological_order([out.grad_fn])}
    assert (net, net.bn) in scopes and (net, net.fc1) in scopes and (net, net.act) in scopes
    assert autograd.grad_mode._state.scope == ()  # restored after the call


def test_deepcopy_gives_independent_parameters():
    net = Net()
    twin = copy.deepcopy(net)
    assert isinstance(twin.fc1.weight, nn.Parameter) and twin.fc1.weight.requires_grad
    twin.fc1.weight.array[...] = 0
    assert not np.all(net.fc1.weight.array == 0)


def test_repr_is_torch_like():
    assert repr(nn.Linear(2, 3)) == "Linear(in_features=2, out_features=3, bias=True)"
    assert repr(nn.Linear(2, 3, bias=False)) == "Linear(in_features=2, out_features=3, bias=False)"
    assert repr(Net()) == (
        "Net(\n"
        "  (fc1): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (bn): Stats()\n"
        "  (act): Tanh()\n"
        "  (fc2): Linear(in_features=3, out_features=1, bias=True)\n"
        ")"
    )
    p = nn.Parameter(autograd.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"


def test_parameter_shares_data_and_defaults():
    t = autograd.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and np.shares_memory(p.array, t.array)
    t.add_(1)  # torch: the Parameter shares t's storage and version counter
    assert p.detach().tolist() == [2.0, 3.0] and p._version == t._version == 1
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    assert type(p * 2) is autograd.Tensor


def test_torch_state_dict_keys_match():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(), nn.Linear(3, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Dropout(), torch.nn.Linear(3, 1))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    # their weights, loaded into ours through numpy, give their outputs
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(autograd.tensor(x)).array, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)
