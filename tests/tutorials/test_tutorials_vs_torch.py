"""Each tutorial program gives the same numbers under pathgrad and under torch (float32 tolerance)."""

import pytest

from .harness import assert_same, run
from .test_tutorials import NAMES

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", NAMES)
def test_same_numbers_as_torch(name):
    torch.manual_seed(0)
    assert_same(run(name, "pathgrad"), run(name, "torch"))
