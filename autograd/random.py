"""One random generator for the whole project, seeded by ``manual_seed`` like ``torch.manual_seed``."""

from __future__ import annotations

import json
from typing import Any

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

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed chosen (as torch's Generator.seed)."""
        self.manual_seed(int(np.random.SeedSequence().entropy) % 2**63)
        return self._seed

    def get_state(self) -> Any:
        """The generator's state as a uint8 tensor (JSON of NumPy's bit-generator state: no pickle)."""
        from .tensor import Tensor

        text = json.dumps({"seed": self._seed, "bit_generator": self.rng.bit_generator.state})
        return Tensor._make(np.frombuffer(text.encode(), dtype=np.uint8).copy())

    def set_state(self, new_state: Any) -> Generator:
        raw = np.asarray(new_state, dtype=np.uint8).tobytes()
        try:
            state = json.loads(raw.decode())
            self.rng.bit_generator.state = state["bit_generator"]
            self._seed = int(state["seed"])
        except (ValueError, KeyError, TypeError) as e:
            raise RuntimeError(f"set_rng_state: not a state returned by get_rng_state ({e})") from None
        return self


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Seed the generator every random function in pathgrad draws from (init, dropout, shuffling, rand)."""
    return default_generator.manual_seed(seed)


def get_rng(generator: Generator | None = None) -> np.random.Generator:
    """The numpy generator behind ``generator``, or behind the default generator."""
    return (generator or default_generator).rng


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    default_generator.set_state(new_state)
