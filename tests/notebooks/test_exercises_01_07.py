"""The exercises of notebooks 01–07: each reference solution passes its check, a plausible wrong answer gets a hint
(not a pass), and an unanswered exercise reads "not answered yet" without raising."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))

from exercises import feedback  # noqa: E402

NUMBERS = ["1_1", "1_2", "2_1", "2_2", "3_1", "3_2", "4_1", "4_2", "5_1", "5_2", "6_1", "6_2", "7_1", "7_2"]
SOLUTIONS = {  # exercise -> the name of its answer in solutions_NN
    "1_1": "de_grad", "1_2": "adjoints", "2_1": "backprop_sigmoid", "2_2": "Tanh", "3_1": "majority",
    "3_2": "parity", "4_1": "n_params", "4_2": "hinge_grad", "5_1": "softmax_backward", "5_2": "smoothed_ce_grad",
    "6_1": "largest_stable_lr", "6_2": "nesterov_step", "7_1": "classify", "7_2": "newton_step",
}


def check(number: str) -> Any:
    return getattr(importlib.import_module(f"exercises.checks_0{number[0]}"), f"check_{number}")


def solution(number: str) -> Any:
    return getattr(importlib.import_module(f"exercises.solutions_0{number[0]}"), SOLUTIONS[number])


@pytest.mark.parametrize("number", NUMBERS)
def test_solution_passes(number: str) -> None:
    result = check(number)(solution(number))
    assert result.ok and result.status == feedback.RIGHT, result.message
    assert result.message.startswith(f"Exercise {number.replace('_', '.')}: ✓ right")


@pytest.mark.parametrize("number", NUMBERS)
def test_unanswered_is_not_an_error(number: str) -> None:
    result = check(number)(None)
    assert result.status == feedback.UNANSWERED and not result
    assert "not answered yet" in repr(result)


class TanhTemplate(autograd.Function):
    """Notebook 02's template, as the student finds it."""
    @staticmethod
    def forward(ctx, x):
        y = x.tanh()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        return None


def tanh_with(local):
    class Tanh(TanhTemplate):
        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return local(grad, y)
    return Tanh


def _sig(r):
    return 1 / (1 + np.exp(-r))


def backprop_tanh(x, V, w, y):  # notebook 02's tanh derivation, applied to the sigmoid network
    r = x @ V
    u = np.concatenate([[1.0], _sig(r)])
    delta = u @ w - y
    return np.outer(x, delta * w[1:] * (1 - np.tanh(r) ** 2)), delta * u


def softmax_of(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


WRONG = [  # (exercise, a plausible wrong answer, a phrase its hint must contain)
    ("1_1", lambda a, b: (b + 1, b + 1), "followed one path only"),
    ("1_1", lambda a, b: (1.0, a + 2 * b + 1), "∂e/∂a is wrong"),
    ("1_2", {"f": 1, "p": 5, "s": 6, "x": 15, "y": 16}, "x feeds both"),
    ("1_2", {"f": 1, "p": 6, "s": 5, "x": 21, "y": 16}, "other factor of the product"),
    ("1_2", {"f": 1, "p": 5}, "exactly the keys"),
    ("2_1", backprop_tanh, "tanh network's ε"),
    ("2_1", lambda x, V, w, y: (np.outer(x, w[1:]), w), "dL_dw is off"),
    ("2_1", lambda x, V, w, y: (np.zeros((3, 3)), np.zeros_like(w)), "V's shape"),
    ("2_1", lambda x, V, w, y: (lambda dV, dw: (dV.T, dw))(*solution("2_1")(x, V, w, y)), "row i (input i)"),
    ("2_2", tanh_with(lambda g, y: 1 - y ** 2), "multiply by grad"),
    ("2_2", tanh_with(lambda g, y: g * y * (1 - y)), "sigmoid's derivative"),
    ("2_2", int, "subclass of autograd.Function"),
    ("3_1", ([1, 1, 1], -0.5), "that is OR"),
    ("3_1", ([1, 1, 1], -3), "that is AND"),
    ("3_1", ([1, 1], -1.5), "shape"),
    ("3_2", (np.array([[1.0, -1], [1, -1], [0, 0]]), [-0.5, 1.5], [[1.0], [1]], [-1.5]), "wrong on"),
    ("3_2", (np.eye(3), np.zeros(3), np.ones((2, 1)), [0.0]), "W2 has shape"),
    ("4_1", lambda n_in, widths: sum(i * o for i, o in zip([n_in, *widths], widths)), "weights only"),
    ("4_1", lambda n_in, widths: sum((i + 1) * o for i, o in zip([n_in, *widths], widths)) + n_in,
     "inputs are not neurons"),
    ("4_1", lambda n_in, widths: n_in * sum(widths) + sum(widths), "different count"),
    ("4_2", lambda s, y: np.where(y * s < 1, -y, 0.0), "mean over the batch"),
    ("4_2", lambda s, y: -y / len(s), "flat there"),
    ("4_2", lambda s, y: np.where(y * s < 1, y, 0.0) / len(s), "sign"),
    ("5_1", lambda y, g: g * y * (1 - y), "only the diagonal"),
    ("5_1", lambda y, g: y * (g - (g * y).sum()), "each row is its own softmax"),
    ("5_2", lambda z, t, a: (softmax_of(z) - np.eye(z.shape[1])[t]) / len(z), "one-hot target"),
    ("5_2", lambda z, t, a: softmax_of(z) - ((1 - a) * np.eye(z.shape[1])[t] + a / z.shape[1]), "divide by"),
    ("6_1", lambda lams: 1 / max(lams), "lands on the minimum in one step"),
    ("6_1", lambda lams: 2 / min(lams), "steepest one diverges first"),
    ("6_2", lambda w, v, grad, eps, alpha: (w + alpha * v - eps * grad(w), alpha * v - eps * grad(w)),
     "plain momentum"),
    ("6_2", lambda w, v, grad, eps, alpha: (w + v, alpha * v - eps * grad(w + alpha * v)), "with the new v"),
    ("7_1", lambda H: "minimum" if (np.diag(H) > 0).all() else "maximum" if (np.diag(H) < 0).all() else "saddle",
     "eigenvalues"),
    ("7_1", lambda H: "minimum" if np.linalg.det(H) > 0 else "saddle", "curves down"),
    ("7_1", lambda H: "saddle" if np.linalg.det(H) < 0 else "inconclusive" if np.isclose(np.linalg.det(H), 0)
     else "minimum" if np.trace(H) > 0 else "maximum", "positive determinant and trace"),
    ("7_1", lambda H: "min", "answer with one of"),
    ("7_1", lambda H: "minimum" if (np.linalg.eigvalsh(H) >= 0).all() else
     "maximum" if (np.linalg.eigvalsh(H) <= 0).all() else "saddle", "inconclusive"),
    ("7_2", lambda g, H: -H @ g, "multiplies by H"),
    ("7_2", lambda g, H: np.linalg.solve(H, g), "sign"),
    ("7_2", lambda g, H: -g / np.diag(H), "diagonal"),
]


@pytest.mark.parametrize("number, answer, phrase", WRONG, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_wrong_answer_gets_a_hint(number: str, answer: Any, phrase: str) -> None:
    result = check(number)(answer)
    assert result.status == feedback.WRONG and not result, result.message
    assert phrase in result.text, result.message
    assert "Hint: " in result.message


def test_every_exercise_has_a_wrong_answer_tested() -> None:
    assert {n for n, _, _ in WRONG} == set(NUMBERS) == set(SOLUTIONS)


@pytest.mark.parametrize("number", ["1_1", "2_1", "4_2", "5_1", "6_2", "7_2"])
def test_template_returning_none_is_unanswered(number: str) -> None:
    """The notebooks' templates are functions whose body is ``return None``."""
    result = check(number)(lambda *args: None)
    assert result.status == feedback.UNANSWERED, result.message


def test_templates_with_placeholders_are_unanswered() -> None:
    assert check("1_2")({k: None for k in "fpsxy"}).status == feedback.UNANSWERED
    assert check("2_2")(TanhTemplate).status == feedback.UNANSWERED


def test_a_crashing_answer_is_wrong_with_the_error() -> None:
    result = check("4_1")(lambda n_in, widths: widths[7])
    assert result.status == feedback.WRONG and "IndexError" in result.text


def test_hints_do_not_give_the_answer() -> None:
    """No hint states the numbers a numeric answer asks for (exercise 1.2's adjoints)."""
    for answer in ({"f": 1, "p": 5, "s": 6, "x": 15, "y": 16}, {"f": 1, "p": 6, "s": 5, "x": 21, "y": 16}):
        text = check("1_2")(answer).text
        assert not re.search(r"\b(21|16)\b", text), text


def test_notebook_cells_use_the_checks() -> None:
    """Each of notebooks 01–07 ends with two or more exercises, each calling its check and not its solution."""
    for n in range(1, 8):
        source = next(NOTEBOOKS.glob(f"0{n}_*.py")).read_text(encoding="utf-8")
        headings = re.findall(r"^# ## (.*)$", source, re.M)
        first = next((i for i, h in enumerate(headings) if "Exercise" in h), len(headings))
        assert len(headings[first:]) >= 2, f"notebook 0{n} has fewer than two exercises"
        assert all("Exercise" in h for h in headings[first:]), f"notebook 0{n}: the exercises are not last"
        calls = set(re.findall(rf"^check_({n}_\d)\(", source, re.M))
        assert calls == {k for k in NUMBERS if k[0] == str(n)}, f"notebook 0{n} calls {calls}"
        assert "solutions_" not in source, f"notebook 0{n} imports a solution"
