"""pathgrad.optim: torch.optim's optimisers and schedulers, plus QHAdam, Lion, BFGS, CG, Newton.

Every optimiser updates ``p.array`` in place from ``p.grad`` under ``no_grad`` and bumps ``p``'s version, as
torch's in-place updates do; ``step(closure)`` re-evaluates the loss where the method needs it (LBFGS, BFGS,
ConjugateGradient, Newton).
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .bfgs import BFGS
from .cg import ConjugateGradient
from .lbfgs import LBFGS
from .lion import Lion
from .nadam import NAdam
from .newton import Newton
from .optimizer import Optimizer, required
from .qhadam import QHAdam
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "ASGD",
    "BFGS",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "ConjugateGradient",
    "Lion",
    "NAdam",
    "Newton",
    "Optimizer",
    "QHAdam",
    "RAdam",
    "RMSprop",
    "Rprop",
    "lr_scheduler",
    "required",
]
