import numpy as np
import pytest

import autograd


@pytest.fixture(autouse=True)
def _defaults():
    """Every test starts from the default dtype and a seeded generator, and leaves them that way."""
    autograd.manual_seed(0)
    autograd.set_default_dtype(autograd.float32)
    yield
    autograd.set_default_dtype(autograd.float32)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
