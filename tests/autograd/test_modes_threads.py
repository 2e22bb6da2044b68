"""Tensor core v2: the recording modes are per thread. no_grad / enable_grad / set_grad_enabled / inference_mode
(thread-local in torch too), and detect_anomaly and forward_ad.dual_level, which pathgrad also keeps per thread.

Every cross-thread test forces its interleaving with Events or a Barrier (one thread is inside its mode while the
other one checks), so that none passes by luck of scheduling; each wait has a timeout, so that a broken
implementation fails instead of hanging."""

import threading

import numpy as np
import pytest

import autograd as ag
from autograd import forward_ad

TIMEOUT = 10


@pytest.fixture(autouse=True)
def _restore_modes():
    """A broken (process-wide) implementation must not leak a mode into the other tests."""
    yield
    ag.set_grad_enabled(True)
    ag.set_detect_anomaly(False)


class Worker(threading.Thread):
    """``with Worker(target, release=events):`` runs ``target`` in a thread for the body of the block. On leaving,
    the block sets the ``release`` events (so that a failed check in the main thread does not leave the worker
    waiting, inside its mode), joins the thread and re-raises the exception the target raised, if any."""

    def __init__(self, target, release=()):
        super().__init__(target=self._run, daemon=True)
        self.fn, self.release, self.error = target, release, None

    def _run(self):
        try:
            self.fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread on leaving the block
            self.error = e

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, *exc):
        for event in self.release:
            event.set()
        self.join(TIMEOUT)
        if exc_type is None:
            assert not self.is_alive(), "worker thread did not finish"
            if self.error is not None:
                raise self.error


def wait(event):
    assert event.wait(TIMEOUT), "the other thread never got there"


def test_no_grad_in_a_worker_does_not_stop_recording_in_the_main_thread():
    x = ag.ones(2, requires_grad=True)
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with ag.no_grad():
            seen["worker_enabled"] = ag.is_grad_enabled()
            inside.set()
            wait(checked)  # stay inside no_grad while the main thread records
            seen["worker_y"] = x * 2
        seen["worker_after"] = ag.is_grad_enabled()

    with Worker(worker, release=[checked]):
        wait(inside)
        assert ag.is_grad_enabled()
        z = x * 3
        assert z.requires_grad and z.grad_fn is not None
    assert seen["worker_enabled"] is False and seen["worker_after"] is True
    assert not seen["worker_y"].requires_grad and seen["worker_y"].grad_fn is None
    z.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and ag.is_grad_enabled()


def test_no_grad_in_the_main_thread_does_not_stop_recording_in_a_worker():
    x = ag.ones(2, requires_grad=True)
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def worker():
        wait(inside)
        seen["enabled"] = ag.is_grad_enabled()
        seen["y"] = x * 2
        done.set()

    with Worker(worker, release=[inside]):
        with ag.no_grad():
            inside.set()
            wait(done)
            assert not ag.is_grad_enabled() and not (x * 2).requires_grad
    assert seen["enabled"] is True and seen["y"].requires_grad


def test_set_grad_enabled_as_a_plain_call_in_a_worker_stays_in_that_thread():
    x = ag.ones(2, requires_grad=True)
    switched, checked = threading.Event(), threading.Event()
    seen = {}

    def worker():
        try:
            ag.set_grad_enabled(False)  # a plain call, not a context manager
            seen["worker"] = (ag.is_grad_enabled(), (x * 2).requires_grad)
            switched.set()
            wait(checked)
            seen["worker_later"] = ag.is_grad_enabled()
        finally:
            ag.set_grad_enabled(True)

    with Worker(worker, release=[checked]):
        wait(switched)
        assert ag.is_grad_enabled() and (x * 2).requires_grad
    assert seen["worker"] == (False, False) and seen["worker_later"] is False


def test_set_grad_enabled_as_a_plain_call_and_as_a_context_manager():
    x = ag.ones(2, requires_grad=True)
    ag.set_grad_enabled(False)
    try:
        assert not ag.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)
    assert ag.is_grad_enabled() and (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
        with ag.set_grad_enabled(True):
            assert ag.is_grad_enabled() and (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_a_new_thread_starts_with_grad_enabled_whatever_the_main_thread_does():
    seen = {}

    def worker():
        seen["enabled"] = ag.is_grad_enabled()
        seen["inference"] = ag.is_inference_mode_enabled()

    with ag.no_grad(), Worker(worker):
        pass
    assert seen == {"enabled": True, "inference": False}
    seen.clear()
    with ag.inference_mode(), Worker(worker):
        pass
    assert seen == {"enabled": True, "inference": False}


def test_interleaved_ops_record_by_each_threads_own_mode():
    """Lock-step rounds: in each round the worker enters no_grad, both threads compute, the worker leaves."""
    x = ag.ones(3, requires_grad=True)
    rounds = 20
    step = threading.Barrier(2, timeout=TIMEOUT)
    worker_results = []

    def worker():
        for _ in range(rounds):
            with ag.no_grad():
                step.wait()  # A: the worker is inside no_grad
                worker_results.append((x * 2).requires_grad)
                step.wait()  # B: both have computed
            step.wait()  # C: the worker is back outside
            worker_results.append((x * 2).requires_grad)

    main_results = []
    with Worker(worker):
        for _ in range(rounds):
            step.wait()
            main_results.append(((x * 2).requires_grad, ag.is_grad_enabled()))
            step.wait()
            step.wait()
    assert main_results == [(True, True)] * rounds
    assert worker_results == [False, True] * rounds


def test_create_graph_in_the_main_thread_while_a_worker_is_in_no_grad():
    x = ag.tensor(1.5, dtype=ag.float64, requires_grad=True)
    inside, checked = threading.Event(), threading.Event()

    def worker():
        with ag.no_grad():
            inside.set()
            wait(checked)

    with Worker(worker, release=[checked]):
        wait(inside)
        (g,) = ag.grad(x**3, x, create_graph=True)
        (h,) = ag.grad(g, x)
        assert g.requires_grad
    assert g.item() == pytest.approx(3 * 1.5**2) and h.item() == pytest.approx(6 * 1.5)


def test_inference_mode_as_a_context_manager():
    x = ag.ones(2, requires_grad=True)
    assert not ag.is_inference_mode_enabled()
    with ag.inference_mode():
        assert not ag.is_grad_enabled() and ag.is_inference_mode_enabled()
        y = x * 2
        assert not y.requires_grad and y.grad_fn is None
        with ag.inference_mode(False):
            assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
        assert not ag.is_grad_enabled() and ag.is_inference_mode_enabled()
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
    with ag.inference_mode(mode=False):
        assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled() and (x * 2).requires_grad
    with ag.no_grad():
        assert not ag.is_inference_mode_enabled()


def test_inference_mode_restores_the_modes_after_an_exception():
    with pytest.raises(ValueError):
        with ag.inference_mode():
            raise ValueError
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()


def test_inference_mode_as_a_decorator():
    x = ag.ones(2, requires_grad=True)

    @ag.inference_mode()
    def f(t):
        return t * 2, ag.is_inference_mode_enabled(), ag.is_grad_enabled()

    y, inference, enabled = f(x)
    assert inference and not enabled and not y.requires_grad
    assert ag.is_grad_enabled() and not ag.is_inference_mode_enabled()
    assert f.__name__ == "f"


def test_inference_mode_in_a_worker_stays_in_that_thread():
    x = ag.ones(2, requires_grad=True)
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with ag.inference_mode():
            seen["worker"] = (ag.is_inference_mode_enabled(), ag.is_grad_enabled())
            inside.set()
            wait(checked)

    with Worker(worker, release=[checked]):
        wait(inside)
        assert not ag.is_inference_mode_enabled() and ag.is_grad_enabled() and (x * 2).requires_grad
    assert seen["worker"] == (True, False)


# torch keeps anomaly mode and forward-AD levels process-wide (checked in torch 2.13: a detect_anomaly() in one
# thread shows in is_anomaly_enabled() of another, and make_dual works in a thread while another holds a dual level).
# pathgrad keeps them per thread, like the grad mode: the two tests below are pathgrad's own spec, not torch parity.


def test_detect_anomaly_in_a_worker_stays_in_that_thread():
    inside, checked, switched, checked_again = (threading.Event() for _ in range(4))
    seen = {}

    def worker():
        try:
            with ag.detect_anomaly():
                seen["context"] = ag.is_anomaly_enabled()
                inside.set()
                wait(checked)
            ag.set_detect_anomaly(True)  # the plain call, too
            seen["call"] = ag.is_anomaly_enabled()
            switched.set()
            wait(checked_again)
        finally:
            ag.set_detect_anomaly(False)

    with Worker(worker, release=[checked, checked_again]):
        for entered, done in ((inside, checked), (switched, checked_again)):
            wait(entered)
            assert not ag.is_anomaly_enabled()
            out = ag.tensor([-1.0], requires_grad=True).log()  # pathgrad's anomaly mode would raise here
            assert np.isnan(out.detach().numpy()).all()
            done.set()
    assert seen == {"context": True, "call": True}


def test_forward_ad_dual_level_in_a_worker_stays_in_that_thread():
    inside, checked = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with forward_ad.dual_level():
            x = forward_ad.make_dual(ag.tensor([1.0, 2.0], dtype=ag.float64), ag.tensor([1.0, 0.0], dtype=ag.float64))
            inside.set()
            wait(checked)
            seen["tangent"] = forward_ad.unpack_dual(x * x).tangent.tolist()

    with Worker(worker, release=[checked]):
        wait(inside)
        with pytest.raises(RuntimeError):  # no dual level in this thread
            forward_ad.make_dual(ag.ones(2, dtype=ag.float64), ag.ones(2, dtype=ag.float64))
    assert seen["tangent"] == [2.0, 0.0]  # d(x²) along e0 at x = [1, 2]
