"""Kernels split over threads (``autograd.parallel``): the same bits for the same thread count, the same values to
rounding across counts, gradients still right when split; ``set_num_threads``, the environment variable, the pool."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor, parallel

COUNTS = (1, 2, 3)


@pytest.fixture
def split(monkeypatch):
    """Split any array however small (so that test sizes are split), record the slices each call used, and restore
    the thread count afterwards."""
    monkeypatch.setattr(parallel, "MIN_ELEMENTS", 1)
    used = []
    cut = parallel.slices
    monkeypatch.setattr(parallel, "slices", lambda n, parts: used.append(parts) or cut(n, parts))
    before, blas = autograd.get_num_threads(), parallel._blas and parallel._blas[0]()
    yield used
    autograd.set_num_threads(before)
    if blas:
        parallel._blas[1](blas)  # set_num_threads set NumPy's OpenBLAS too: back to what it was


def leaf(shape, seed):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


def conv_ws(fn, x_shape, w_shape, bias=True, **kw):
    def run(seed=0):
        x, w = leaf(x_shape, seed), leaf(w_shape, seed + 1)
        b = leaf((w_shape[1] * kw.get("groups", 1) if fn.__name__.startswith("conv_transpose") else w_shape[0],),
                 seed + 2) if bias else None
        return fn, (x, w) + ((b,) if bias else ()), kw
    return run


def bn(training):
    def f(x, w, b):
        mean, var = autograd.zeros(x.shape[1], dtype=x.dtype), autograd.ones(x.shape[1], dtype=x.dtype)
        return F.batch_norm(x, mean, var, w, b, training=training)
    return f


CASES = {
    "conv1d": conv_ws(F.conv1d, (7, 3, 11), (4, 3, 3), padding=1),
    "conv2d": conv_ws(F.conv2d, (7, 2, 6, 7), (3, 2, 3, 2)),
    "conv2d strided grouped": conv_ws(F.conv2d, (5, 4, 7, 6), (6, 2, 3, 3), stride=2, padding=1, dilation=(1, 2),
                                      groups=2),
    "conv3d": conv_ws(F.conv3d, (5, 2, 3, 4, 3), (2, 2, 2, 2, 2), padding=1),
    "conv_transpose1d": conv_ws(F.conv_transpose1d, (6, 3, 5), (3, 2, 3), stride=2),
    "conv_transpose2d": conv_ws(F.conv_transpose2d, (6, 2, 4, 5), (2, 3, 3, 2), stride=(2, 1), padding=1),
    "max_pool2d": lambda seed=0: (F.max_pool2d, (leaf((7, 3, 6, 7), seed),), dict(kernel_size=2)),
    "max_pool2d overlapping": lambda seed=0: (F.max_pool2d, (leaf((7, 3, 6, 7), seed),),
                                              dict(kernel_size=3, stride=2, padding=1)),
    "max_pool1d": lambda seed=0: (F.max_pool1d, (leaf((7, 3, 9), seed),), dict(kernel_size=3, stride=2)),
    "avg_pool2d": lambda seed=0: (F.avg_pool2d, (leaf((7, 3, 6, 7), seed),),
                                  dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    "batch_norm train": lambda seed=0: (bn(True), (leaf((7, 3, 5, 4), seed), leaf(3, seed + 1), leaf(3, seed + 2)),
                                        {}),
    "batch_norm eval": lambda seed=0: (bn(False), (leaf((7, 3, 5, 4), seed), leaf(3, seed + 1), leaf(3, seed + 2)),
                                       {}),
}


def forward_backward(case, threads):
    """The output and every input's gradient, with the kernels on ``threads`` threads."""
    autograd.set_num_threads(threads)
    fn, inputs, kw = CASES[case]()
    y = fn(*inputs, **kw)
    y.backward(Tensor(np.random.default_rng(9).standard_normal(y.shape)))
    return [y.array] + [t.grad.array for t in inputs]


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_bits_for_a_thread_count_and_same_values_across_counts(case, split):
    results = {}
    for threads in COUNTS:
        split.clear()
        results[threads] = forward_backward(case, threads)
        assert max(split, default=1) >= threads, "the kernels did not split the batch as asked"
        for a, b in zip(results[threads], forward_backward(case, threads)):
            np.testing.assert_array_equal(a, b)
    for threads in COUNTS[1:]:
        for a, b in zip(results[1], results[threads]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_when_split_over_two_threads(case, split):
    autograd.set_num_threads(2)
    fn, inputs, kw = CASES[case]()
    inputs = (Tensor(inputs[0].array[:4], requires_grad=True),) + inputs[1:]  # 4 samples: gradcheck's cost
    assert autograd.gradcheck(lambda *a: fn(*a, **kw), inputs, check_forward_ad=True)
    assert autograd.gradgradcheck(lambda *a: fn(*a, **kw), inputs)
    assert max(split) >= 2


def test_float32_results_across_counts(split):
    x = np.random.default_rng(0).standard_normal((16, 3, 12, 12)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((8, 3, 3, 3)).astype(np.float32)
    out = {}
    for threads in COUNTS:
        autograd.set_num_threads(threads)
        xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
        y = F.max_pool2d(F.relu(F.conv2d(xt, wt, padding=1)), 2)
        y.sum().backward()
        out[threads] = (y.array, xt.grad.array, wt.grad.array)
        assert all(a.dtype == np.float32 for a in out[threads])
    for threads in COUNTS[1:]:
        np.testing.assert_array_equal(out[1][0], out[threads][0])  # nothing summed across the batch: same bits
        np.testing.assert_array_equal(out[1][1], out[threads][1])
        np.testing.assert_allclose(out[1][2], out[threads][2], rtol=1e-5, atol=1e-4)


# ---- the knob --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad, message", [(0, "positive integer"), (-2, "positive integer"), (1.5, "but got float"),
                                          (True, "but got bool"), ("2", "but got str")])
def test_set_num_threads_rejects_what_torch_rejects(bad, message):
    before = autograd.get_num_threads()
    with pytest.raises(RuntimeError, match=message):
        autograd.set_num_threads(bad)
    assert autograd.get_num_threads() == before


def test_set_num_threads_takes_numpy_ints_and_pathgrad_exports_it():
    import pathgrad

    before = autograd.get_num_threads()
    try:
        pathgrad.set_num_threads(np.int64(3))
        assert pathgrad.get_num_threads() == 3 and type(autograd.get_num_threads()) is int
    finally:
        autograd.set_num_threads(before)


@pytest.mark.skipif(parallel._blas is None, reason="NumPy's OpenBLAS not found in this process")
def test_set_num_threads_sets_numpy_openblas_too():
    get = parallel._blas[0]
    before = autograd.get_num_threads(), get()
    try:
        autograd.set_num_threads(1)
        assert get() == 1
        autograd.set_num_threads(2)
        assert get() == 2
    finally:
        autograd.set_num_threads(before[0])
        parallel._blas[1](before[1])


def _threads_in_fresh_interpreter(env_value):
    env = {k: v for k, v in os.environ.items() if k != "PATHGRAD_NUM_THREADS"}
    if env_value is not None:
        env["PATHGRAD_NUM_THREADS"] = env_value
    code = "import warnings, autograd; print(autograd.get_num_threads())"
    done = subprocess.run([sys.executable, "-W", "always", "-c", code], env=env, capture_output=True, text=True,
                          check=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    return int(done.stdout), done.stderr


def test_default_is_the_core_count_or_the_environment_variable():
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert _threads_in_fresh_interpreter(None) == (cores, "")
    assert _threads_in_fresh_interpreter("5")[0] == 5
    n, err = _threads_in_fresh_interpreter("zero")
    assert n == cores and "PATHGRAD_NUM_THREADS='zero' is not a positive integer" in err


# ---- parallel_for --------------------------------------------------------------------------------------------------
def test_parallel_for_covers_the_range_in_order_on_several_threads(split):
    autograd.set_num_threads(3)
    names, seen = set(), threading.Condition()

    def work(s):  # every slice waits until three different threads have run one
        with seen:
            names.add(threading.current_thread().name)
            seen.notify_all()
            assert seen.wait_for(lambda: len(names) >= 3, timeout=20)
        return s.start, s.stop

    assert parallel.parallel_for(10, work, min_per_thread=3) == [(0, 3), (3, 6), (6, 10)]
    parts = min(3 * parallel.OVERSPLIT, 5)  # up to OVERSPLIT slices a thread
    assert parallel.parallel_for(5, work) == [(s.start, s.stop) for s in parallel.slices(5, parts)]
    assert len(names) == 3 and threading.current_thread().name in names


def test_parallel_for_keeps_small_work_on_the_calling_thread():
    before = autograd.get_num_threads()
    autograd.set_num_threads(4)
    try:
        assert parallel.parallel_for(10, lambda s: (s.start, s.stop), min_per_thread=4) == [(0, 5), (5, 10)]
        assert parallel.parallel_for(10, lambda s: (s.start, s.stop), min_per_thread=6) == [(0, 10)]
        autograd.set_num_threads(1)
        assert parallel.parallel_for(10, lambda s: (s.start, s.stop)) == [(0, 10)]
        assert parallel.parallel_for(0, lambda s: (s.start, s.stop)) == [(0, 0)]
        assert parallel.grain(1000) == -(-parallel.MIN_ELEMENTS // 1000) and parallel.grain(10**9) == 1
    finally:
        autograd.set_num_threads(before)


def test_parallel_for_raises_the_first_error_after_every_slice_finished(split):
    autograd.set_num_threads(3)
    done = []

    def work(s):
        if s.start > 0:
            raise ValueError(f"slice {s.start}")
        threading.Event().wait(0.05)
        done.append(s.start)

    with pytest.raises(ValueError, match="slice 3"):
        parallel.parallel_for(9, work, min_per_thread=3)
    assert done == [0]
    assert parallel.parallel_for(4, lambda s: s.stop - s.start, min_per_thread=2) == [2, 2]  # the pool still works


def test_nested_parallel_for_runs_inline_on_a_worker(split):
    autograd.set_num_threads(2)
    def inner(s):
        return threading.current_thread().name, parallel.parallel_for(4, lambda t: (t.start, t.stop), 2)

    out = parallel.parallel_for(40, inner, min_per_thread=10)
    assert all(nested == ([(0, 4)] if name.startswith("pathgrad") else [(0, 2), (2, 4)]) for name, nested in out)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_child_starts_its_own_workers(split):
    autograd.set_num_threads(2)
    parallel.parallel_for(4, lambda s: None)  # the parent's workers exist now
    pid = os.fork()
    if pid == 0:  # the child: the parent's workers are not here; a call must not wait for them forever
        ok = parallel.parallel_for(4, lambda s: s.stop - s.start, min_per_thread=2) == [2, 2]
        os._exit(0 if ok else 1)
    for _ in range(400):  # up to 20 s: a child waiting for workers that do not exist would hang the suite
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        threading.Event().wait(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung in parallel_for")
    assert os.waitstatus_to_exitcode(status) == 0
