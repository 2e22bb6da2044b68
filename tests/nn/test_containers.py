"""Sequential, ModuleList and ModuleDict: registration, indexing, mutation, repr."""

from collections import OrderedDict

import numpy as np
import pytest

import autograd
import nn


def test_sequential_runs_in_order_and_indexes():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    x = autograd.randn(4, 2)
    assert np.array_equal(seq(x).array, c(b(a(x))).array)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b] and head[1] is b
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and [n for n, _ in seq.named_children()] == ["0", "1", "2", "3"]
    del seq[1]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"] and seq[1] is c
    seq[0] = nn.Identity()
    assert isinstance(seq[0], nn.Identity) and len(list(seq.parameters())) == 2
    seq.insert(-1, nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Identity", "Linear", "Tanh", "Sigmoid"]


def test_sequential_from_ordered_dict_keeps_names():
    seq = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["hidden.weight", "hidden.bias"]
    assert seq.hidden is seq[0]
    assert repr(seq) == "Sequential(\n  (hidden): Linear(in_features=2, out_features=2, bias=True)\n  (act): ReLU()\n)"


def test_module_list_registers_and_mutates():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    assert list(layers.state_dict())[:2] == ["0.weight", "0.bias"]
    layers.append(nn.ReLU())
    layers += [nn.Tanh()]
    assert isinstance(layers[-1], nn.Tanh) and len(layers) == 5
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    layers.insert(0, nn.Identity())
    assert isinstance(layers[0], nn.Identity) and [n for n, _ in layers.named_children()][-1] == "5"
    assert isinstance(layers.pop(0), nn.Identity) and len(layers) == 5
    with pytest.raises(TypeError, match="iterable"):
        layers.extend(nn.ReLU())
    with pytest.raises(NotImplementedError):
        layers(autograd.zeros(1))


def test_module_list_repr_groups_repeats_like_torch():
    layers = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)] + [nn.ReLU()])
    assert repr(layers) == ("ModuleList(\n  (0-2): 3 x Linear(in_features=1, out_features=1, bias=True)\n"
                            "  (3): ReLU()\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"


def test_module_dict():
    d = nn.ModuleDict({"enc": nn.Linear(2, 3), "act": nn.ReLU()})
    assert list(d) == ["enc", "act"] and "enc" in d and len(d) == 2
    assert [k for k, _ in d.items()] == ["enc", "act"] and isinstance(d["act"], nn.ReLU)
    d["dec"] = nn.Linear(3, 2)
    d.update([("out", nn.Sigmoid())])
    assert list(d.keys()) == ["enc", "act", "dec", "out"]
    assert list(d.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert isinstance(d.pop("act"), nn.ReLU) and "act" not in d
    with pytest.raises(ValueError, match="length 3"):
        d.update([("a", nn.ReLU(), 1)])


def test_containers_match_torch_names():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleDict({"body": nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 1)])})
    theirs = torch.nn.ModuleDict({"body": torch.nn.ModuleList([torch.nn.Linear(2, 2), torch.nn.Linear(2, 1)])})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
