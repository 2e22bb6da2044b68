"""``pathgrad demo``: a small CNN learns the bundled 8×8 digits; writes a loss curve, the model's graph and a
checkpoint."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import autograd
import nn
import optim
from nn.data import DataLoader, TensorDataset, load_digits, random_split
from nn.train import evaluate, fit

N_TEST = 360  # of 1,797 digits: 1,437 to train on, 360 to test on


def make_model() -> nn.Module:
    """Two conv blocks (8×8 → 4×4 → 2×2 feature maps) and a linear classifier over their 256 features."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(256, 10),
    )


class OutputError(ValueError):
    """The output folder cannot be created or written to; raised by ``run`` before any training."""


def prepare_output(out: str | Path) -> Path:
    """Create the folder ``out`` if needed and check that a file can be written in it, so that a bad ``--out`` is
    reported at once, not after the training. Raises OutputError naming the path and the reason."""
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except FileExistsError:
        raise OutputError(f"--out {str(out)!r} is a file, not a folder; give a folder name") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        reason = getattr(e, "strerror", None) or str(e)
        raise OutputError(f"--out {str(out)!r}: cannot create the folder or write in it ({reason}); choose a "
                          "writable folder") from None
    return path


@dataclass
class DemoResult:
    test_accuracy: float
    seconds: float
    files: dict[str, Path | None]  # what -> where it was written, None when skipped


def run(out: str | Path = "pathgrad-demo", epochs: int = 20, seed: int = 0, batch_size: int = 32, lr: float = 3e-3,
        progress: bool = True) -> DemoResult:
    """Train, test, and write ``loss.png``, ``model.svg`` and ``model.npz`` into ``out``; prints as it goes.

    ``out`` is created and checked first (OutputError if it cannot be written); ``epochs`` must be at least 1."""
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"demo.run: epochs must be a whole number of at least 1, got {epochs!r}")
    out = prepare_output(out)
    start = time.perf_counter()
    autograd.manual_seed(seed)
    X, y = load_digits()
    # pixels are counts 0..16; scaled to [0, 1] and shaped (1, 8, 8): one channel for Conv2d
    digits = TensorDataset(X.reshape(-1, 1, 8, 8) / 16, y)
    train_set, test_set = random_split(digits, [len(digits) - N_TEST, N_TEST])
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=N_TEST)

    model = make_model()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)  # large steps first, then settle
    n_params = sum(p.numel() for p in model.parameters())
    print(f"pathgrad demo: a CNN with {n_params:,} parameters on {len(train_set):,} digits (8×8), "
          f"testing on {len(test_set)}; {epochs} epoch{'s' if epochs != 1 else ''}, seed {seed}")
    # The test set is shown after each epoch (val_*) to watch for overfitting; nothing is chosen by it.
    history = fit(model, train_loader, loss_fn=loss_fn, optimizer=optimizer, epochs=epochs, val_loader=test_loader,
                  scheduler=scheduler, progress=progress)
    test = evaluate(model, test_loader, loss_fn)
    print(f"test accuracy: {test['accuracy']:.2%} ({round(test['accuracy'] * len(test_set))}/{len(test_set)}), "
          f"test loss {test['loss']:.4f}")

    out.mkdir(parents=True, exist_ok=True)  # again, in case it was removed during the training
    files: dict[str, Path | None] = {"loss curve": _loss_curve(history, out / "loss.png"),
                                     "graph": _graph(model, test_set, out / "model.svg")}
    files["checkpoint"] = out / "model.npz"
    nn.save(model.state_dict(), files["checkpoint"])
    seconds = time.perf_counter() - start
    print(f"wrote to {out}/:")
    for what, path in files.items():
        if path is not None:
            print(f"  {path.name:<10} {what}")
    print(f"done in {seconds:.1f} s")
    return DemoResult(test["accuracy"], seconds, files)


def _loss_curve(history: nn.train.History, path: Path) -> Path | None:
    from nn import plot

    try:
        plot.plot_history(history, path, val_label="test")
    except ModuleNotFoundError:
        print(f"skipped {path.name} (loss curve): matplotlib is not installed; {plot.INSTALL_HINT}")
        return None
    return path


def _graph(model: nn.Module, dataset: TensorDataset, path: Path) -> Path:
    """The graph of one forward pass on four test digits, each layer drawn as one box."""
    from autograd import viz

    x, _ = next(iter(DataLoader(dataset, batch_size=4)))
    model.eval()
    viz.save(viz.draw_graph(model(x), module=model, collapse_modules=True), path)
    return path
