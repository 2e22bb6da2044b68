"""One random generator for the whole project, seeded by ``manual_seed`` like ``torch.manual_seed``."""

from __future__ import annotations

import numpy as np


class Generator:
    """A seedable source of random numbers (``torch.Generator``'s role), backed by ``numpy.random.Generator``."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = 0 if seed is None else int(seed)
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Seed the generator every random function in pathgrad draws from (init, dropout, shuffling, rand)."""
    return default_generator.manual_seed(seed)


def get_rng(generator: Generator | None = None) -> np.random.Generator:
    """The numpy generator behind ``generator``, or behind the default generator."""
    return (generator or default_generator).rng
