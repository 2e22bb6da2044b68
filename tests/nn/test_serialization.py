"""nn.save / nn.load: .npz files with JSON structure metadata, no pickle."""

import io
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd
import nn


def small_model():
    return nn.Sequential(OrderedDict(fc=nn.Linear(3, 4), act=nn.Tanh(), out=nn.Linear(4, 2)))


def test_state_dict_round_trip_gives_identical_outputs(tmp_path):
    autograd.manual_seed(0)
    a, b = small_model(), small_model()
    path = tmp_path / "model.pt"  # written exactly there, whatever the suffix
    nn.save(a.state_dict(), path)
    assert path.exists() and not (tmp_path / "model.pt.npz").exists()
    loaded = nn.load(path)
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(a.state_dict())
    assert all(type(t) is autograd.Tensor and t.dtype == np.float32 for t in loaded.values())
    b.load_state_dict(loaded)
    x = autograd.randn(5, 3)
    assert np.array_equal(a(x).array, b(x).array)


def test_flat_state_dict_is_readable_by_numpy_and_torch(tmp_path):
    model = small_model()
    path = tmp_path / "m.npz"
    nn.save(model.state_dict(), path)
    with np.load(path, allow_pickle=False) as z:
        for key, t in model.state_dict().items():
            assert np.array_equal(z[key], t.array) and z[key].dtype == t.dtype
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Sequential(OrderedDict(fc=torch.nn.Linear(3, 4), act=torch.nn.Tanh(),
                                             out=torch.nn.Linear(4, 2)))
    with np.load(path) as z:
        theirs.load_state_dict({k: torch.from_numpy(z[k]) for k in theirs.state_dict()})
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(theirs(torch.from_numpy(x)).detach().numpy(), model(autograd.tensor(x)).array,
                               rtol=1e-6)


def test_nested_optimizer_state_round_trip(tmp_path):
    state = {
        "state": {
            0: {"step": autograd.tensor(3.0), "exp_avg": autograd.randn(2, 3, dtype=autograd.float64)},
            1: {"step": 3.0, "exp_avg": np.arange(4, dtype=np.int16), "momentum_buffer": None},
        },
        "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "nesterov": False, "foreach": None,
                          "name": "main", "eps": float("inf"), "count": np.int64(5)}],
    }
    nn.save(state, tmp_path / "opt.npz")
    back = nn.load(tmp_path / "opt.npz")
    assert set(back) == {"state", "param_groups"} and list(back["state"]) == [0, 1]  # int keys stay ints
    s0, s1 = back["state"][0], back["state"][1]
    assert isinstance(s0["step"], autograd.Tensor) and s0["step"].item() == 3.0
    assert s0["exp_avg"].dtype == np.float64 and np.array_equal(s0["exp_avg"].array, state["state"][0]["exp_avg"].array)
    assert s1["step"] == 3.0 and type(s1["step"]) is float and s1["momentum_buffer"] is None
    assert isinstance(s1["exp_avg"], np.ndarray) and s1["exp_avg"].dtype == np.int16
    g = back["param_groups"][0]
    assert g["betas"] == (0.9, 0.999) and isinstance(g["betas"], tuple)
    assert g["params"] == [0, 1] and g["nesterov"] is False and g["foreach"] is None and g["lr"] == 0.1
    assert g["name"] == "main" and g["eps"] == float("inf") and g["count"] == 5 and g["count"].dtype == np.int64
    s0["exp_avg"].array[0, 0] = 100.0  # loaded arrays are writable


def test_parameters_and_requires_grad_survive(tmp_path):
    p = nn.Parameter(autograd.tensor([1.0, 2.0]))
    t = autograd.tensor([3.0], requires_grad=True)
    nn.save([p, t, autograd.tensor([1, 2])], tmp_path / "x")
    q, u, v = nn.load(tmp_path / "x")
    assert isinstance(q, nn.Parameter) and q.requires_grad and u.requires_grad and not v.requires_grad
    assert v.dtype == np.int64


def test_file_objects_and_a_real_optimizer(tmp_path):
    optim = pytest.importorskip("optim")
    model = small_model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    model(autograd.randn(4, 3)).sum().backward()
    opt.step()
    buf = io.BytesIO()
    nn.save(opt.state_dict(), buf)
    buf.seek(0)
    opt2 = optim.Adam(model.parameters(), lr=0.5)
    opt2.load_state_dict(nn.load(buf))
    assert opt2.param_groups[0]["lr"] == 0.01 and opt2.param_groups[0]["betas"] == (0.9, 0.999)
    saved, restored = opt.state_dict()["state"], opt2.state_dict()["state"]
    assert saved.keys() == restored.keys()
    for k in saved:
        for name, v in saved[k].items():
            assert np.array_equal(np.asarray(v), np.asarray(restored[k][name])), name


def test_unsupported_objects_are_named(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save an object of type object at obj\['a'\]\[1\]"):
        nn.save({"a": [1, object()]}, tmp_path / "bad")
    with pytest.raises(TypeError, match="dict key"):
        nn.save({frozenset(): 1}, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_corrupt_and_foreign_files_are_clear_errors(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file")
    with pytest.raises(ValueError, match=r"nn.load: .*junk.npz.* is not a file written by nn.save"):
        nn.load(junk)

    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, w=np.ones(3))
    with pytest.raises(ValueError, match="without the '__pathgrad__' entry"):
        nn.load(foreign)

    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match="single .npy array"):
        nn.load(single)

    good = tmp_path / "good.npz"
    nn.save({"w": autograd.ones(2)}, good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:-60])
    with pytest.raises(ValueError, match="truncated.npz"):
        nn.load(truncated)

    bad_meta = tmp_path / "bad_meta.npz"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad_meta, "w") as zout:
        for item in zin.namelist():
            data = zin.read(item)
            if item == "__pathgrad__.npy":
                buf = io.BytesIO()
                np.save(buf, np.frombuffer(b'{"format": "pathgrad.nn.save", "root": {"T": "tensor", "k": "x"}}',
                                           dtype=np.uint8))
                data = buf.getvalue()
            zout.writestr(item, data)
    with pytest.raises(ValueError, match="bad_meta.npz.* is corrupt: .*'x'"):
        nn.load(bad_meta)

    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")


def test_saved_file_gets_the_usual_permissions(tmp_path):
    import os
    import stat

    import autograd

    path = tmp_path / "w.npz"
    nn.save({"w": autograd.ones(2)}, path)
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~mask
