"""pathgrad.nn.train: an optional ``fit`` loop with a progress bar, validation, callbacks and a history.

Nothing in ``nn`` depends on it: the plain PyTorch-style loop (``zero_grad``, forward, ``backward``, ``step``) always
works, and ``fit`` is that loop with the bookkeeping written once.

    >>> from nn.train import EarlyStopping, fit
    >>> history = fit(model, train_loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=20,
    ...               val_loader=val_loader, callbacks=[EarlyStopping(patience=3, restore_best_weights=True)])
    >>> history["val_loss"]
"""

from .callbacks import Callback, EarlyStopping, GradNormTracker, LambdaCallback
from .loop import History, TrainState, evaluate, fit

__all__ = ["Callback", "EarlyStopping", "GradNormTracker", "History", "LambdaCallback", "TrainState", "evaluate", "fit"]
