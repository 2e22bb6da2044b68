"""Reference answers for notebook 01's exercises (kept out of the notebook)."""

from __future__ import annotations


def de_grad(a: float, b: float) -> tuple[float, float]:
    """e = c·d with c = a + b, d = b + 1: ∂e/∂a = d·1; ∂e/∂b = d·1 + c·1 (two paths)."""
    return b + 1, (b + 1) + (a + b)


# f = p·s, p = x·y = 6, s = x + y = 5: f̄ = 1, p̄ = s = 5, s̄ = p = 6, x̄ = p̄·y + s̄ = 21, ȳ = p̄·x + s̄ = 16
adjoints = {"f": 1.0, "p": 5.0, "s": 6.0, "x": 21.0, "y": 16.0}
