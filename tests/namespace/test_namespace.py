"""``import pathgrad as torch``: the namespace re-exports autograd, nn and optim (the same objects, never copies),
and answers torch's device, dtype and legacy-type questions as a CPU-only build does."""

import importlib
import sys

import numpy as np
import pytest

import autograd
import nn
import optim
import pathgrad as torch


def test_subpackages_are_the_packages_themselves():
    import pathgrad.nn.functional as F
    import pathgrad.nn.init as init
    import pathgrad.optim.lr_scheduler as sched
    import pathgrad.utils.data as data
    from pathgrad.autograd import Function
    from pathgrad.nn import Linear
    from pathgrad.utils.data import DataLoader

    assert torch.nn is nn and torch.optim is optim and torch.autograd is autograd
    assert F is nn.functional and init is nn.init and sched is optim.lr_scheduler
    assert data is nn.data and torch.utils.data is nn.data and DataLoader is nn.data.DataLoader
    assert Function is autograd.Function and Linear is nn.Linear
    assert sys.modules["pathgrad.nn.functional"] is nn.functional
    assert importlib.import_module("pathgrad.optim.lr_scheduler") is optim.lr_scheduler
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("pathgrad.nn.no_such_module")


def test_core_names_come_from_autograd():
    for name in ("tensor", "zeros", "Tensor", "no_grad", "manual_seed", "float32", "cat", "Generator"):
        assert getattr(torch, name) is getattr(autograd, name)
    assert torch.save is nn.save and torch.load is nn.load
    assert not hasattr(torch, "np")  # autograd's private imports stay private


def test_dtype_names():
    assert torch.float is torch.float32 and torch.double is torch.float64 and torch.half is torch.float16
    assert torch.long is torch.int64 and torch.int is torch.int32 and torch.short is torch.int16
    assert torch.tensor([1, 2]).dtype == torch.long and torch.tensor([1.0]).dtype == torch.float
    assert torch.tensor([True]).dtype == torch.bool
    assert isinstance(torch.float32, torch.dtype)
    assert torch.ones(2).to(torch.half).dtype == np.float16


def test_devices_cpu_only():
    cpu = torch.device("cpu")
    assert str(cpu) == "cpu" and repr(cpu) == "device(type='cpu')" and cpu.type == "cpu" and cpu.index is None
    assert torch.device("cuda:1").index == 1 and str(torch.device("cuda", 0)) == "cuda:0"
    assert cpu != "cpu" and cpu == torch.device("cpu")  # as torch: a device never equals a string
    x = torch.ones(2, 3)
    assert x.device == cpu and not x.is_cuda
    assert x.to("cpu") is x and x.to(cpu) is x and x.cpu() is x
    assert not torch.cuda.is_available() and torch.cuda.device_count() == 0
    assert not torch.backends.mps.is_available() and not torch.accelerator.is_available()
    device = "cuda" if torch.cuda.is_available() else "cpu"  # the tutorial idiom picks the CPU
    assert torch.zeros(2, device=device).device == cpu
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        x.cuda()
    with pytest.raises(AssertionError, match="CPU"):  # torch's type on a CPU-only build, too
        x.to("cuda")
    with pytest.raises(torch.DeviceError, match="cuda:1"):
        x.cuda(1)
    with pytest.raises(RuntimeError, match="mps"):
        torch.zeros(2, device="mps")
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        torch.device("gpu")


def test_to_forms():
    x = torch.ones(2, dtype=torch.float32, requires_grad=True)
    assert x.to(torch.float64).dtype == np.float64
    assert x.to("cpu", torch.float64).dtype == np.float64
    assert x.to(device="cpu", dtype=torch.float16).dtype == np.float16
    assert x.to(torch.zeros(1, dtype=torch.int64)).dtype == np.int64
    y = x.to(copy=True)
    assert y is not x and not np.shares_memory(y.array, x.array)
    x.to(torch.float64).sum().backward()  # the cast is differentiable
    assert x.grad.tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        x.to(colour="red")


def test_size():
    x = torch.zeros(2, 3, 4)
    s = x.shape
    assert isinstance(s, torch.Size) and isinstance(s, tuple) and s == (2, 3, 4) and x.size() == s
    assert s.numel() == 24 and torch.Size([]).numel() == 1
    assert isinstance(s[1:], torch.Size) and s[1:] == (3, 4) and s[0] == 2 and isinstance(s + (5,), torch.Size)
    assert repr(s) == "pathgrad.Size([2, 3, 4])" and str(s) == repr(s)
    assert torch.zeros(torch.Size([2, 5])).shape == (2, 5)
    with pytest.raises(TypeError, match="Size"):
        torch.Size([2, "a"])


def test_legacy_types_and_variable():
    assert torch.FloatTensor(2, 3).shape == (2, 3) and torch.FloatTensor(2, 3).dtype == torch.float
    assert torch.LongTensor([1, 2]).dtype == torch.long and torch.LongTensor([1, 2]).tolist() == [1, 2]
    assert torch.ByteTensor([1]).dtype == np.uint8 and torch.BoolTensor([1]).dtype == torch.bool
    assert torch.FloatTensor(torch.Size([4])).shape == (4,)
    assert isinstance(torch.ones(2), torch.FloatTensor) and not isinstance(torch.ones(2), torch.DoubleTensor)
    assert not isinstance(np.ones(2), torch.FloatTensor)
    with pytest.raises(TypeError, match="FloatTensor"):
        torch.FloatTensor(2, "x")
    t = torch.ones(2)
    v = torch.autograd.Variable(t, requires_grad=True)
    assert v is t and v.requires_grad and isinstance(t, torch.autograd.Variable)


def test_questions_about_tensors():
    assert torch.is_tensor(torch.ones(1)) and not torch.is_tensor(np.ones(1))
    assert torch.numel(torch.ones(2, 3)) == 6
    assert torch.equal(torch.ones(2), torch.ones(2)) and not torch.equal(torch.ones(2), torch.ones(3))
    assert not torch.equal(torch.ones(2), torch.tensor([1.0, 2.0]))
    assert torch.is_floating_point(torch.ones(1)) and not torch.is_floating_point(torch.tensor([1]))
    assert torch.is_nonzero(torch.tensor([2])) and not torch.is_nonzero(torch.tensor(0.0))
    with pytest.raises(RuntimeError, match="more than one"):
        torch.is_nonzero(torch.ones(2))


def test_rng_state_round_trip():
    torch.manual_seed(3)
    assert torch.initial_seed() == 3
    state = torch.get_rng_state()
    a = torch.rand(4)
    torch.set_rng_state(state)
    assert torch.equal(a, torch.rand(4))
    with pytest.raises(RuntimeError, match="set_rng_state"):
        torch.set_rng_state(torch.tensor([1, 2, 3], dtype=torch.uint8))


def test_compile_returns_the_model():
    model = torch.nn.Linear(2, 1)
    assert torch.compile(model) is model

    @torch.compile(mode="reduce-overhead")
    def f(x):
        return x * 2

    assert f(torch.ones(1)).item() == 2.0


@pytest.mark.parametrize("make", [
    lambda d: torch.nn.Linear(2, 3, device=d),
    lambda d: torch.nn.Conv2d(1, 2, 3, device=d),
    lambda d: torch.nn.Conv1d(1, 2, 3, device=d),
    lambda d: torch.nn.BatchNorm1d(3, device=d),
    lambda d: torch.nn.LayerNorm(3, device=d),
    lambda d: torch.nn.Embedding(3, 2, device=d),
])
def test_layers_take_device_cpu_and_refuse_others(make):
    layer = make("cpu")
    assert all(p.device == torch.device("cpu") for p in layer.parameters())
    with pytest.raises(torch.DeviceError, match=f"{type(layer).__name__}: device 'cuda' is not available"):
        make("cuda")


def test_an_alias_import_leaves_the_real_module_its_own_spec():
    """importlib sets __spec__ on whatever a loader returns; the alias loader puts the real one back, so that
    importlib.resources (nn.data's bundled files) still sees nn.data as the package it is."""
    import subprocess

    code = ("import pathgrad.utils.data, nn.data\n"
            "from importlib import resources\n"
            "assert nn.data.__spec__.name == 'nn.data'\n"
            "print(resources.files('nn.data').joinpath('_files').is_dir())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
