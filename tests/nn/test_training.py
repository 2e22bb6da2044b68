"""nn.train (fit, evaluate, callbacks) and nn.plot."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import autograd
import nn
import optim
from nn.data import DataLoader, TensorDataset, make_blobs
from nn.train import Callback, EarlyStopping, GradNormTracker, History, LambdaCallback, TrainState, evaluate, fit

CENTERS = [[-3.0, 0.0], [3.0, 0.0], [0.0, 4.0]]


def blobs(n: int = 120, seed: int = 0) -> TensorDataset:
    X, y = make_blobs(n, centers=CENTERS, cluster_std=1.5, random_state=seed)
    return TensorDataset(X, y)


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))


def snapshot(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.array.copy() for k, v in model.state_dict().items()}


def test_fit_reduces_loss_and_returns_history():
    autograd.manual_seed(0)
    model = mlp()
    train, val = DataLoader(blobs(), batch_size=16, shuffle=True), DataLoader(blobs(60, seed=1), batch_size=60)
    loss_fn = nn.CrossEntropyLoss()
    before = evaluate(model, train, loss_fn)["loss"]
    history = fit(model, train, loss_fn=loss_fn, optimizer=optim.Adam(model.parameters(), lr=0.05), epochs=8,
                  val_loader=val, progress=False)
    assert isinstance(history, History)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert history.epoch == list(range(1, 9))
    assert all(len(v) == 8 for v in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert evaluate(model, train, loss_fn)["loss"] < 0.5 * before
    assert history["val_accuracy"][-1] > 0.8
    assert not history.stopped_early


def test_fit_without_classification_targets_reports_loss_only():
    X = np.linspace(-1, 1, 32, dtype=np.float32).reshape(-1, 1)
    model = nn.Linear(1, 1)
    history = fit(model, DataLoader(TensorDataset(X, 3 * X), batch_size=8), loss_fn=nn.MSELoss(),
                  optimizer=optim.SGD(model.parameters(), lr=0.3), epochs=5, progress=False)
    assert set(history) == {"loss", "lr"}
    assert history["loss"][-1] < 0.1 * history["loss"][0]


def test_progress_bar_shows_loss_and_accuracy():
    autograd.manual_seed(0)
    model, out = mlp(), io.StringIO()
    fit(model, DataLoader(blobs(), batch_size=40), loss_fn=nn.CrossEntropyLoss(),
        optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=2, val_loader=DataLoader(blobs(30), batch_size=30),
        file=out)
    text = out.getvalue()
    assert "epoch 1/2" in text and "epoch 2/2" in text
    assert "loss=" in text and "acc=" in text and "val_loss=" in text and "val_acc=" in text


def feed(stopper: EarlyStopping, values: list[float], monitor: str = "val_loss") -> int:
    """Run the callback on a made-up sequence of epoch metrics; return the epoch it stopped at (0: never)."""
    state = TrainState(model=None, optimizer=None, epochs=len(values), history=History())
    stopper.on_train_begin(state)
    for epoch, value in enumerate(values, 1):
        state.epoch, state.logs = epoch, {monitor: value}
        stopper.on_epoch_end(state)
        if state.stop_training:
            return epoch
    return 0


def test_early_stopping_counts_epochs_without_improvement():
    assert feed(EarlyStopping(patience=2), [1.0, 0.8, 0.85, 0.9, 0.7]) == 4  # best at 2, then 2 worse epochs
    assert feed(EarlyStopping(patience=2), [1.0, 0.8, 0.85, 0.7, 0.75]) == 0  # 0.7 resets the count
    assert feed(EarlyStopping(patience=1, min_delta=0.1), [1.0, 0.95]) == 2  # 0.05 better is not enough
    assert feed(EarlyStopping("val_accuracy", patience=1), [0.5, 0.6, 0.55], "val_accuracy") == 3  # mode max
    with pytest.raises(KeyError, match="val_loader"):
        feed(EarlyStopping(), [1.0], monitor="loss")


def test_early_stopping_in_fit_stops_and_restores_best_weights():
    # Validation labels contradict the training labels on the same points: every epoch of training makes the
    # validation loss worse, so the best epoch is the first.
    X, y = make_blobs(60, centers=CENTERS, random_state=0)
    train = DataLoader(TensorDataset(X, y), batch_size=60)
    val = DataLoader(TensorDataset(X, (y + 1) % 3), batch_size=60)
    autograd.manual_seed(0)
    model = mlp()
    weights: list[dict[str, np.ndarray]] = []
    stopper = EarlyStopping(patience=2, restore_best_weights=True)
    history = fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=optim.SGD(model.parameters(), lr=0.2),
                  epochs=20, val_loader=val, progress=False,
                  callbacks=[LambdaCallback(on_epoch_end=lambda s: weights.append(snapshot(s.model))), stopper])
    assert history["val_loss"][1] > history["val_loss"][0]
    assert history.stopped_early and history.epoch == [1, 2, 3]
    assert stopper.best_epoch == 1 and stopper.stopped_epoch == 3
    final = snapshot(model)
    assert all(np.array_equal(final[k], weights[0][k]) for k in final)
    assert not all(np.array_equal(final[k], weights[2][k]) for k in final)


def test_clip_grad_norm_bounds_the_step():
    # With SGD at lr=1 the update is minus the (clipped) gradient, so its norm is the clipped norm.
    autograd.manual_seed(0)
    model, tracker = mlp(), GradNormTracker()
    before = snapshot(model)
    fit(model, DataLoader(blobs(), batch_size=120), loss_fn=nn.CrossEntropyLoss(),
        optimizer=optim.SGD(model.parameters(), lr=1.0), epochs=1, clip_grad_norm=0.01, callbacks=[tracker],
        progress=False)
    raw = np.sqrt(sum(v[0] ** 2 for v in tracker.norms.values()))
    step = np.sqrt(sum(np.sum((snapshot(model)[k] - before[k]).astype(np.float64) ** 2) for k in before))
    assert raw > 0.1  # the unclipped gradient is far larger than the bound
    assert step == pytest.approx(0.01, rel=1e-3)


def test_clip_grad_value_clamps_each_entry():
    autograd.manual_seed(0)
    model = mlp()
    before = snapshot(model)
    fit(model, DataLoader(blobs(), batch_size=120), loss_fn=nn.CrossEntropyLoss(),
        optimizer=optim.SGD(model.parameters(), lr=1.0), epochs=1, clip_grad_value=1e-3, progress=False)
    changes = np.concatenate([np.abs(snapshot(model)[k] - before[k]).ravel() for k in before])
    assert changes.max() == pytest.approx(1e-3, rel=1e-3)
    assert np.mean(np.isclose(changes, 1e-3, rtol=1e-3)) > 0.5  # most entries were clamped


def test_plain_loop_still_works_before_and_after_fit():
    autograd.manual_seed(0)
    model, loss_fn = mlp(), nn.CrossEntropyLoss()
    loader = DataLoader(blobs(), batch_size=16, shuffle=True)
    opt = optim.SGD(model.parameters(), lr=0.1)
    fit(model, loader, loss_fn=loss_fn, optimizer=opt, epochs=1, progress=False)
    assert model.training and autograd.is_grad_enabled()
    start = evaluate(model, loader, loss_fn)["loss"]
    for _ in range(10):
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
    assert evaluate(model, loader, loss_fn)["loss"] < 0.7 * start


def test_evaluate_restores_mode_and_records_no_graph():
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5))
    seen = []
    model.register_forward_hook(lambda m, args, out: seen.append((m.training, out.requires_grad)))
    result = evaluate(model, DataLoader(blobs(20), batch_size=10), nn.CrossEntropyLoss(), prefix="test_")
    assert set(result) == {"test_loss", "test_accuracy"}
    assert seen == [(False, False), (False, False)]
    assert model.training


def test_scheduler_steps_once_per_epoch_and_lr_is_logged():
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, DataLoader(blobs(40), batch_size=10), loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                  epochs=4, scheduler=optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.05])


def test_callback_hooks_run_in_order():
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, state):
            calls.append("train_begin")

        def on_epoch_begin(self, state):
            calls.append(f"epoch_begin {state.epoch}")

        def on_after_backward(self, state):
            assert all(p.grad is not None for p in state.model.parameters())
            calls.append("after_backward")

        def on_batch_end(self, state, loss):
            calls.append("batch_end")

        def on_epoch_end(self, state):
            calls.append(f"epoch_end {sorted(state.logs)}")

        def on_train_end(self, state):
            calls.append("train_end")

    model = mlp()
    fit(model, DataLoader(blobs(20), batch_size=10), loss_fn=nn.CrossEntropyLoss(),
        optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=1, callbacks=[Recorder()], progress=False)
    assert calls == ["train_begin", "epoch_begin 1", "after_backward", "batch_end", "after_backward", "batch_end",
                     "epoch_end ['accuracy', 'loss', 'lr']", "train_end"]
    with pytest.raises(TypeError, match="on_epoch_ending"):
        LambdaCallback(on_epoch_ending=print)


def test_grad_norm_tracker_groups_parameters_by_layer():
    autograd.manual_seed(0)
    model, tracker = mlp(), GradNormTracker(every=2)
    fit(model, DataLoader(blobs(), batch_size=10), loss_fn=nn.CrossEntropyLoss(),
        optimizer=optim.SGD(model.parameters(), lr=0.1), epochs=1, callbacks=[tracker], progress=False)
    assert tracker.steps == list(range(0, 12, 2))
    assert set(tracker.norms) == {"0", "2"}
    assert all(len(v) == 6 and min(v) > 0 for v in tracker.norms.values())


# ---- nn.plot -------------------------------------------------------------------------------------------------------

def test_plots_write_png_files(tmp_path):
    pytest.importorskip("matplotlib")
    from nn import plot

    autograd.manual_seed(0)
    model, tracker = mlp(), GradNormTracker()
    data = blobs()
    history = fit(model, DataLoader(data, batch_size=20), loss_fn=nn.CrossEntropyLoss(),
                  optimizer=optim.Adam(model.parameters(), lr=0.05), epochs=3, callbacks=[tracker], progress=False,
                  val_loader=DataLoader(data, batch_size=120))
    X, y = data.tensors[0].array, data.tensors[1].array
    for name, fig in [("history.png", plot.plot_history(history, tmp_path / "history.png")),
                      ("boundary.png", plot.plot_decision_boundary(model, X, y, tmp_path / "boundary.png", 50)),
                      ("norms.png", plot.plot_grad_norms(tracker.norms, tracker.steps, tmp_path / "norms.png"))]:
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert fig.axes
    assert len(plot.plot_history(history, tmp_path / "h2.png").axes) == 2  # loss and accuracy panels
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot.plot_decision_boundary(model, np.zeros((3, 3)), np.zeros(3))


def test_plot_without_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    from nn import plot

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ModuleNotFoundError, match=r"pip install .*\[plot\]"):
        plot.plot_history({"loss": [1.0, 0.5]}, tmp_path / "h.png")
    assert not (tmp_path / "h.png").exists()
