"""Reference answers for notebook 03's exercises (kept out of the notebook)."""

from __future__ import annotations

import numpy as np

# majority: fires when at least two inputs are on, x1 + x2 + x3 - 1.5 >= 0
majority = ([1.0, 1.0, 1.0], -1.5)

# parity: one hidden unit per odd pattern (100, 010, 001, 111), each firing on its pattern only; the output ORs them
_odd = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], dtype=float)
parity = ((2 * _odd - 1).T,                    # +1 on the pattern's ones, -1 on its zeros
          -(_odd.sum(axis=1) - 0.5),           # threshold just below the number of ones
          np.ones((4, 1)),
          np.array([-0.5]))
