"""pathgrad's command line: ``pathgrad demo`` and friends. The libraries are the packages autograd, nn and optim."""

__version__ = "0.1.0"
