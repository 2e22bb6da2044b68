"""The exercises of notebooks 14 and 15: each reference solution passes its check, a plausible wrong answer gets a
hint that names the mistake (not a pass), and an unanswered exercise reads "not answered yet" without raising."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))

from exercises import feedback  # noqa: E402

SOLUTIONS = {  # exercise -> the name of its answer in solutions_NN
    "14_1": "state_adjoints", "14_2": "weight_grad", "14_3": "forget_bias",
    "15_1": "attention_weights", "15_2": "causal_mask", "15_3": "sinusoidal",
}


def check(number: str) -> Any:
    return getattr(importlib.import_module(f"exercises.checks_{number[:2]}"), f"check_{number}")


def solution(number: str) -> Any:
    return getattr(importlib.import_module(f"exercises.solutions_{number[:2]}"), SOLUTIONS[number])


@pytest.mark.parametrize("number", SOLUTIONS)
def test_solution_passes(number: str) -> None:
    result = check(number)(solution(number))
    assert result.ok and result.status == feedback.RIGHT, result.message
    assert result.message.startswith(f"Exercise {number.replace('_', '.')}: ✓ right")


@pytest.mark.parametrize("number", SOLUTIONS)
def test_unanswered_is_not_an_error(number: str) -> None:
    result = check(number)(None)
    assert result.status == feedback.UNANSWERED and not result
    assert "not answered yet" in repr(result)


@pytest.mark.parametrize("number", ["14_1", "14_2", "15_1", "15_2", "15_3"])
def test_template_returning_none_is_unanswered(number: str) -> None:
    """The notebooks' templates are functions whose body is ``return None``."""
    result = check(number)(lambda *args: None)
    assert result.status == feedback.UNANSWERED, result.message


# ---- plausible wrong answers ---------------------------------------------------------------------------------------

def states(w, u, xs, h0):
    hs = [h0]
    for x in xs:
        hs.append(np.tanh(w * hs[-1] + u * x))
    return np.array(hs)


def adjoints_with(factor):
    """∂L/∂h_t built backwards from 1 with factor(w, hs, t) per step (the right one is w·(1 − h_t²))."""
    def answer(w, u, xs, h0):
        hs, adj = states(w, u, xs, h0), [1.0]
        for t in range(len(xs), 0, -1):
            adj.append(adj[-1] * factor(w, hs, t))
        return adj[::-1]
    return answer


def weight_grad_with(term, last_only=False):
    def answer(w, u, xs, h0):
        hs, adj = states(w, u, xs, h0), solution("14_1")(w, u, xs, h0)
        ts = [len(xs)] if last_only else range(1, len(xs) + 1)
        return sum(term(adj, hs, t) for t in ts)
    return answer


def heads(x, W, b, h, scale=None, axis=-1, bias=True):
    d = x.shape[1]
    b = b if bias else np.zeros_like(b)
    q, k = x @ W[:d].T + b[:d], x @ W[d:2 * d].T + b[d:2 * d]
    q, k = (a.reshape(len(x), h, d // h).transpose(1, 0, 2) for a in (q, k))
    s = q @ k.transpose(0, 2, 1) * (1 / np.sqrt(d // h) if scale is None else scale)
    e = np.exp(s - s.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def pe(n, d, swap=False, column_frequency=False, exponent_i=False):
    cols = np.arange(d)
    k = cols if column_frequency else cols - cols % 2
    if exponent_i:
        k = k // 2
    angle = np.arange(n)[:, None] / 10000 ** (k[None, :] / d)
    even = (cols % 2 == 0) != swap
    return np.where(even, np.sin(angle), np.cos(angle))


ones = lambda n: np.ones((n, n), dtype=bool)  # noqa: E731

WRONG = [  # (exercise, a plausible wrong answer, a phrase its hint must contain)
    ("14_1", lambda w, u, xs, h0: solution("14_1")(w, u, xs, h0)[::-1], "runs backwards"),
    ("14_1", adjoints_with(lambda w, hs, t: w), "not by w alone"),
    ("14_1", adjoints_with(lambda w, hs, t: w * (1 - hs[t - 1] ** 2)), "*later* state"),
    ("14_1", lambda w, u, xs, h0: [0.0] * (len(xs) + 1), "∂L/∂h_T = 1"),
    ("14_1", lambda w, u, xs, h0: solution("14_1")(w, u, xs, h0)[1:], "return 4 numbers"),
    ("14_1", adjoints_with(lambda w, hs, t: -w * (1 - hs[t] ** 2)), "is off"),
    ("14_2", weight_grad_with(lambda adj, hs, t: adj[t] * (1 - hs[t] ** 2) * hs[t - 1], last_only=True),
     "only the last step's term"),
    ("14_2", weight_grad_with(lambda adj, hs, t: adj[t] * hs[t - 1]), "tanh's derivative"),
    ("14_2", weight_grad_with(lambda adj, hs, t: adj[t] * (1 - hs[t] ** 2)), "Sum over t"),
    ("14_2", lambda w, u, xs, h0: [1.0, 2.0], "one number"),
    ("14_3", 4.27, "only 0.4"),
    ("14_3", 2.0, "σ(b)^50"),
    ("14_3", 5.0, "a smaller bias does it too"),
    ("14_3", [4.28], "one number"),
    ("15_1", lambda x, W, b, h: heads(x, W, b, h), "weights of each head"),
    ("15_1", lambda x, W, b, h: heads(x, W, b, h, scale=1 / np.sqrt(x.shape[1])).mean(0), "not 1/√d"),
    ("15_1", lambda x, W, b, h: heads(x, W, b, h, scale=1.0).mean(0), "scale the dot products"),
    ("15_1", lambda x, W, b, h: heads(x, W, b, h, axis=-2).mean(0), "over the keys"),
    ("15_1", lambda x, W, b, h: heads(x, W, b, h, bias=False).mean(0), "add the biases"),
    ("15_1", lambda x, W, b, h: heads(x, W, b, h).mean(0)[:-1], "return an (L, L) array"),
    ("15_2", lambda n: np.tril(ones(n)), "scaled_dot_product_attention's convention"),
    ("15_2", lambda n: np.triu(ones(n)), "attend to itself"),
    ("15_2", lambda n: np.tril(ones(n), -1), "masked the past"),
    ("15_2", lambda n: np.where(np.triu(ones(n), 1), -np.inf, 0.0), "float form"),
    ("15_2", lambda n: np.triu(np.ones((n, n), dtype=int), 1), "bool array"),
    ("15_2", lambda n: np.triu(ones(n + 1), 1), "must have shape"),
    ("15_3", lambda n, d: pe(n, d, swap=True), "sin goes in the even columns"),
    ("15_3", lambda n, d: pe(n, d, column_frequency=True), "share one frequency"),
    ("15_3", lambda n, d: pe(n, d, exponent_i=True), "the exponent is 2i/d"),
    ("15_3", lambda n, d: pe(n, d).T, "must have shape"),
    ("15_3", lambda n, d: pe(n, d) + 0.1, "is off"),
]


@pytest.mark.parametrize("number, answer, phrase", WRONG, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_wrong_answer_gets_a_hint(number: str, answer: Any, phrase: str) -> None:
    result = check(number)(answer)
    assert result.status == feedback.WRONG and not result, result.message
    assert phrase in result.text, result.message
    assert "Hint: " in result.message


def test_every_exercise_has_a_wrong_answer_tested() -> None:
    assert {n for n, _, _ in WRONG} == set(SOLUTIONS)


def test_the_solutions_agree_with_the_engine() -> None:
    """Independent of the checks: the NumPy answers equal autograd's and nn's numbers."""
    import autograd
    import nn
    w, u, xs, h0 = 0.8, -1.1, np.array([0.5, -1.0, 2.0, 0.1]), 0.4
    wt = autograd.tensor(w, dtype=autograd.float64, requires_grad=True)
    h = autograd.tensor(h0, dtype=autograd.float64, requires_grad=True)
    for x in xs:
        h = autograd.tanh(wt * h + u * x)
    h.backward()
    assert np.isclose(solution("14_2")(w, u, xs, h0), wt.grad.item())
    autograd.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dtype=autograd.float64)
    x = autograd.tensor(np.random.default_rng(0).normal(size=(5, 8)))
    with autograd.no_grad():
        _, weights = mha(x, x, x)
    got = solution("15_1")(x.numpy(), mha.in_proj_weight.detach().numpy(), mha.in_proj_bias.detach().numpy(), 2)
    np.testing.assert_allclose(got, weights.numpy(), atol=1e-12)
    mask = solution("15_2")(4)
    np.testing.assert_array_equal(np.isneginf(nn.Transformer.generate_square_subsequent_mask(4).numpy()), mask)


def test_hints_do_not_give_the_answer() -> None:
    """No hint of 14.3 states the bias asked for."""
    for answer in (4.0, 4.27, 5.0, 9.0):
        assert "4.28" not in check("14_3")(answer).text


def test_checks_do_not_import_nn() -> None:
    code = (f"import sys; sys.path.insert(0, r'{NOTEBOOKS}'); import exercises.checks_14, exercises.checks_15; "
            "assert not [k for k in sys.modules if k == 'nn' or k.startswith('nn.')], 'checks import nn'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("n", [14, 15])
def test_notebook_cells_use_the_checks(n: int) -> None:
    """Each notebook ends with its exercises, each calling its check and not its solution."""
    source = next(NOTEBOOKS.glob(f"{n}_*.py")).read_text(encoding="utf-8")
    headings = re.findall(r"^# ## (.*)$", source, re.M)
    first = next((i for i, h in enumerate(headings) if "Exercise" in h), len(headings))
    assert len(headings[first:]) >= 2 and all("Exercise" in h for h in headings[first:])
    assert set(re.findall(rf"^check_({n}_\d)\(", source, re.M)) == {k for k in SOLUTIONS if k.startswith(str(n))}
    assert "solutions_" not in source
