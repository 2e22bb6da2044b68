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


# ---- hardening: one error type for bad files, atomic and durable saves --------------------------------------------

def test_bad_files_raise_checkpoint_error_a_value_error(tmp_path):
    from nn.serialization import CheckpointError

    assert issubclass(CheckpointError, ValueError)
    cases = {"empty.npz": b"", "text.npz": b"hello", "pickle.pt": b"\x80\x04\x95" + bytes(20)}
    torch_like = io.BytesIO()
    with zipfile.ZipFile(torch_like, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    cases["torch.pt"] = torch_like.getvalue()
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(CheckpointError, match=rf"^nn.load: '.*{name}' ") as exc:
            nn.load(tmp_path / name)
        assert "\n" not in str(exc.value)
    with pytest.raises(CheckpointError, match="torch.save checkpoint: load it with torch.load"):
        nn.load(tmp_path / "torch.pt")
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.npz")
    with pytest.raises(IsADirectoryError):
        nn.load(tmp_path)


def test_a_file_object_must_be_seekable():
    from nn.serialization import CheckpointError

    class Stream(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, b):
            return 0

    with pytest.raises(CheckpointError, match=r"cannot seek.*io.BytesIO"):
        nn.load(Stream())


def test_cycles_and_deep_nesting_are_refused_on_save(tmp_path):
    loop = [1]
    loop.append(loop)
    with pytest.raises(ValueError, match=r"obj\['a'\]\[1\] contains itself"):
        nn.save({"a": loop}, tmp_path / "x")
    deep = []
    for _ in range(150):
        deep = [deep]
    with pytest.raises(ValueError, match="more than 100 deep"):
        nn.save(deep, tmp_path / "x")
    ok = []
    for _ in range(99):
        ok = [ok]
    nn.save(ok, tmp_path / "x")
    assert nn.load(tmp_path / "x") == ok


def test_save_fsyncs_the_file_before_renaming_it(tmp_path, monkeypatch):
    import os

    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.fstat(fd).st_size))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", os.path.dirname(src) == str(tmp_path), dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    path = tmp_path / "m.npz"
    nn.save({"w": autograd.ones(3)}, path)
    assert events[0][0] == "fsync" and events[0][1] == path.stat().st_size  # the whole file, before the rename
    assert events[1] == ("replace", True, str(path))  # a temporary file in the same folder, renamed onto it
    assert events[2:] == [("fsync", events[2][1])]  # then the folder, so that the rename is durable
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_a_failed_save_names_the_destination_and_keeps_the_old_file(tmp_path, monkeypatch):
    import errno

    path = tmp_path / "m.npz"
    nn.save({"w": autograd.ones(3)}, path)
    before = path.read_bytes()

    def disk_full(f, **arrays):
        f.write(b"PK\x03\x04 partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match=r"nn.save: cannot write '.*m.npz': the disk is full; the file that was there, "
                                      r"if any, is unchanged") as exc:
        nn.save({"w": autograd.zeros(3)}, path)
    assert exc.value.errno == errno.ENOSPC and ".tmp" not in str(exc.value)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary left
    monkeypatch.undo()

    with pytest.raises(FileNotFoundError, match=r"nn.save: cannot write '.*missing/m.npz': its folder '.*missing' "
                                                r"does not exist; create it first") as exc:
        nn.save({}, tmp_path / "missing" / "m.npz")
    assert ".tmp" not in str(exc.value)
    with pytest.raises(IsADirectoryError, match="it is a folder; give a file name"):
        nn.save({}, tmp_path)


def test_saving_over_a_file_keeps_its_permissions_and_writes_through_symlinks(tmp_path):
    import os
    import stat

    path = tmp_path / "m.npz"
    nn.save({"w": autograd.ones(2)}, path)
    os.chmod(path, 0o600)
    nn.save({"w": autograd.zeros(2)}, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and nn.load(path)["w"].sum().item() == 0
    link = tmp_path / "latest.npz"
    link.symlink_to(path)
    nn.save({"w": autograd.full((2,), 7.0)}, link)
    assert link.is_symlink() and nn.load(path)["w"].array.tolist() == [7.0, 7.0]


KILLED_SAVER = """
import sys
import numpy as np
import nn
big = np.empty(8_000_000)  # 64 MB: each save takes a while to write
for step in range(1000):
    big.fill(step)
    nn.save({"w": big, "step": step}, sys.argv[1])
"""


def test_a_save_killed_midway_leaves_the_previous_checkpoint_intact(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    path = tmp_path / "model.npz"
    nn.save({"w": np.full(10, -1.0), "step": -1}, path)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SAVER, str(path)], cwd=root, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:  # kill it as soon as a save has started writing its temporary file
            sizes = []
            for p in tmp_path.glob(".model.npz.*.tmp"):
                try:
                    sizes.append(p.stat().st_size)
                except FileNotFoundError:  # renamed onto model.npz meanwhile
                    pass
            if any(sizes):
                break
            assert proc.poll() is None, "the saver exited before it started writing"
            assert time.monotonic() < deadline, "the saver never started writing"
            time.sleep(0.001)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert list(tmp_path.glob(".model.npz.*.tmp"))  # killed midway: its temporary file is left behind
    back = nn.load(path)  # intact: the previous checkpoint, or a save that completed before the kill
    assert back["w"].shape in ((10,), (8_000_000,)) and np.all(back["w"] == back["step"])


def test_tutorial_checkpoint_round_trip(tmp_path):
    """What tutorials pass to torch.save: epoch, model and optimizer state dicts, a loss tensor, a device, a dtype,
    a Size, numpy scalars; all come back as what they were."""
    import pathgrad as torch

    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(5, 3)).sum().backward()
    opt.step()
    ck = {"epoch": 3, "model_state_dict": model.state_dict(), "optimizer_state_dict": opt.state_dict(),
          "loss": torch.tensor(0.25), "device": torch.device("cpu"), "dtype": torch.float64,
          "shape": torch.zeros(2, 3).shape, "best": np.float32(1.5)}
    torch.save(ck, tmp_path / "ck.pt")
    back = torch.load(tmp_path / "ck.pt", map_location=torch.device("cpu"), weights_only=True)
    assert back["epoch"] == 3 and back["loss"].item() == 0.25 and back["device"] == torch.device("cpu")
    assert back["dtype"] == np.float64 and back["shape"] == (2, 3) and isinstance(back["shape"], torch.Size)
    assert back["best"] == np.float32(1.5) and back["best"].dtype == np.float32
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(back["model_state_dict"])
    x = torch.randn(2, 3)
    assert torch.equal(fresh(x), model(x))
    torch.optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9).load_state_dict(back["optimizer_state_dict"])


def test_saving_a_whole_module_or_loading_to_a_gpu_is_refused_clearly(tmp_path):
    import pathgrad as torch

    with pytest.raises(TypeError, match=r"save its state_dict\(\)"):
        torch.save(nn.Linear(2, 2), tmp_path / "m.pt")
    torch.save({"w": torch.ones(1)}, tmp_path / "ok.pt")
    with pytest.raises(RuntimeError, match="cuda:0' is not available"):
        torch.load(tmp_path / "ok.pt", map_location="cuda:0")
    with pytest.raises(RuntimeError, match="is not available"):
        torch.load(tmp_path / "ok.pt", map_location={"cpu": "cuda"})
    assert torch.load(tmp_path / "ok.pt", map_location=lambda storage, loc: storage)["w"].item() == 1.0
