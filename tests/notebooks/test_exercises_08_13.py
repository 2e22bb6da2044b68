"""The exercises of notebooks 08–13: each reference solution passes its check, plausible wrong answers get a hint
that points at the mistake (not a pass), and an unanswered exercise (the notebook's template) reads "not answered
yet" without raising. Where a check's reference is written with the engine's ops, it is compared with nn here."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))

from exercises import feedback  # noqa: E402
from exercises import solutions_08 as S8  # noqa: E402
from exercises import solutions_13 as S13  # noqa: E402

SOLUTIONS = {  # exercise -> the name of its answer in solutions_NN
    "8_1": "conv_out", "8_2": "conv_input_grad", "8_3": "conv_weight_grad",
    "9_1": "dC_db1", "9_2": "balanced_w",
    "10_1": "bn_backward", "10_2": "sum_of_outputs_grad", "10_3": "running_stats",
    "11_1": "sgd_step_l2", "11_2": "MyDropout",
    "12_1": "n_parameters", "12_2": "grad_logits",
    "13_1": "tangents", "13_2": "Dual", "13_3": "jacobian_by_jvp",
}


def module(kind: str, number: str) -> Any:
    return importlib.import_module(f"exercises.{kind}_{int(number.split('_')[0]):02d}")


def check(number: str) -> Any:
    return getattr(module("checks", number), f"check_{number}")


def solution(number: str) -> Any:
    return getattr(module("solutions", number), SOLUTIONS[number])


def sig(z):
    return 1 / (1 + np.exp(-z))


rot = np.rot90  # by 90° once; rot(rot(k)) is the 180° rotation


# ---- the plausible wrong answers ----------------------------------------------------------------------------------

def product19(first=True, w1=False, act=lambda z: sig(z) * (1 - sig(z)), last=True):
    """Eq. (19) with one chosen mistake."""
    def dC_db1(w, b, a0):
        z, a = [], a0
        for wj, bj in zip(w, b):
            z.append(wj * a + bj)
            a = sig(z[-1])
        f = act(np.array(z))
        out = np.prod(np.asarray(w)[1:] * f[1:]) * (f[0] if first else 1) * (w[0] if w1 else 1)
        return out / (f[-1] if not last else 1)
    return dC_db1


def bn_paths(*which):
    """bn_backward adding only some of the three paths."""
    checks_10 = importlib.import_module("exercises.checks_10")

    def bn_backward(dy, x, gamma, eps):
        parts = checks_10.paths(x, gamma, dy, eps)
        x_hat = (x - x.mean(0)) / np.sqrt(x.var(0) + eps)
        return sum(parts[i] for i in which), (dy * x_hat).sum(0), dy.sum(0)
    return bn_backward


def running(ddof=1, k=lambda m: m, start_var=1.0):
    def running_stats(batches, momentum):
        mean, var = np.zeros(4), np.full(4, start_var)
        for x in batches:
            mean = (1 - k(momentum)) * mean + k(momentum) * x.mean(0)
            var = (1 - k(momentum)) * var + k(momentum) * x.var(0, ddof=ddof)
        return mean, var
    return running_stats


def dropout(forward_scale=True, backward="right", n_grads=3):
    class Dropout(autograd.Function):
        @staticmethod
        def forward(ctx, x, mask, p):
            ctx.save_for_backward(mask)
            ctx.p = p
            return x * mask / (1 - p) if forward_scale else x * mask

        @staticmethod
        def backward(ctx, grad):
            (mask,) = ctx.saved_tensors
            g = {"right": grad * mask / (1 - ctx.p), "through": grad, "unscaled": grad * mask}[backward]
            return (g, None, None) if n_grads == 3 else g
    return Dropout


def dual(mul_tangent=lambda a, b: a.tangent * b.value + a.value * b.tangent, constant_tangent=0.0, numbers=True):
    """A Dual class with one chosen mistake."""
    class Dual:
        def __init__(self, value, tangent=0.0):
            self.value, self.tangent = value, tangent

        def lift(self, o):
            return o if isinstance(o, Dual) or not numbers else Dual(o, constant_tangent)

        def __add__(self, o):
            o = self.lift(o)
            return Dual(self.value + o.value, self.tangent + o.tangent)

        def __mul__(self, o):
            o = self.lift(o)
            return Dual(self.value * o.value, mul_tangent(self, o))

        __radd__, __rmul__ = __add__, __mul__
    return Dual


def full_unrotated(ybar, w):
    m, n = w.shape
    return S8.correlate(np.pad(ybar, ((m - 1, m - 1), (n - 1, n - 1))), w)


def reverse_mode_jacobian(f, x):
    from autograd.functional import jacobian
    return jacobian(f, x)


WRONG = [  # (exercise, a plausible wrong answer, a phrase its hint must contain)
    ("8_1", lambda H, M, p, s: (H + 2 * p - M) // s, "count the positions, not the steps"),
    ("8_1", lambda H, M, p, s: (H + p - M) // s + 1, "both sides"),
    ("8_1", lambda H, M, p, s: H + 2 * p - M + 1, "stride"),
    ("8_1", lambda H, M, p, s: -(-(H + 2 * p - M) // s) + 1, "round down"),
    ("8_1", lambda H, M, p, s: (H + 2 * p - M) / s + 1, "integer (floor) division"),
    ("8_1", lambda H, M, p, s: H, "count the positions of an M-wide window"),
    ("8_2", full_unrotated, "rotated by 180°"),
    ("8_2", lambda ybar, w: S8.correlate(ybar, rot(rot(w))), "pad ȳ with M − 1 zeros"),
    ("8_2", lambda ybar, w: 2 * S8.conv_input_grad(ybar, w), "eq. (7)"),
    ("8_3", lambda x, ybar: rot(rot(S8.conv_weight_grad(x, ybar))), "no rotation"),
    ("8_3", lambda x, ybar: S8.correlate(x, ybar).T, "rows and columns are swapped"),
    ("8_3", lambda x, ybar: S8.correlate(x, ybar)[:-1], "w's shape"),
    ("8_3", lambda x, ybar: S8.correlate(x, 2 * ybar), "cross-correlation of x with ȳ"),
    ("9_1", product19(first=False), "starts with σ'(z_1)"),
    ("9_1", product19(w1=True), "w_1 multiplies a_0"),
    ("9_1", product19(act=sig), "not σ(z_j)"),
    ("9_1", product19(last=False), "σ'(z_L) belongs"),
    ("9_1", lambda w, b, a0: 0.25 ** len(w), "compute every z_j"),
    ("9_2", 1, "multiplied by 0.25"),
    ("9_2", 100.0, "multiplied by 25"),
    ("9_2", 0.25, "σ'(0) itself"),
    ("9_2", "four", "one number"),
    ("10_1", bn_paths(0), "direct path only"),
    ("10_1", bn_paths(0, 1), "through σ²_B is missing"),
    ("10_1", bn_paths(0, 2), "through μ_B is missing"),
    ("10_1", lambda dy, x, g, eps: (solution("10_1")(dy, x, g, eps)[0], dy.sum(0), dy.sum(0)), "dx is right"),
    ("10_1", lambda dy, x, g, eps: solution("10_1")(dy, x, g, eps)[0], "return three things"),
    ("10_1", lambda dy, x, g, eps: (x, g, g), "add the three paths"),
    ("10_2", 1.0, "only the direct path"),
    ("10_2", 0.5, "Σ_i x̂_i"),
    ("10_2", [0.0, 1.0], "one number"),
    ("10_3", running(ddof=0), "unbiased batch variance"),
    ("10_3", running(k=lambda m: 1 - m), "weight of the new batch"),
    ("10_3", running(start_var=0.0), "running_var = 1"),
    ("10_3", lambda batches, momentum: (batches[-1].mean(0), batches[-1].var(0)), "start from mean 0"),
    ("11_1", lambda w, g, lr, lam: w - lr * (g + lam * w), "2λw, not λw"),
    ("11_1", lambda w, g, lr, lam: w + lr * (g + 2 * lam * w), "against the gradient"),
    ("11_1", lambda w, g, lr, lam: w - lr * g - 2 * lam * w, "learning rate multiplies it too"),
    ("11_1", lambda w, g, lr, lam: w - lr * g, "differentiate L + λΣw²"),
    ("11_2", dropout(forward_scale=False), "scales the kept units by 1/(1 − p)"),
    ("11_2", dropout(backward="through"), "no gradient reaches it"),
    ("11_2", dropout(backward="unscaled"), "masked but not scaled"),
    ("11_2", dropout(n_grads=1), "one gradient per input of forward"),
    ("11_2", int, "subclass of autograd.Function"),
    ("12_1", lambda ws: sum(i * o for i, o in zip(ws[:-1], ws[1:])), "also has a bias"),
    ("12_1", lambda ws: sum(i * o + i for i, o in zip(ws[:-1], ws[1:])), "per *output* unit"),
    ("12_1", lambda ws: sum(ws), "add up weights and biases"),
    ("12_2", lambda z, x: 2 * (sig(z) - x) / x.size, "σ'(z) = x̂(1 − x̂)"),
    ("12_2", lambda z, x: solution("12_2")(z, x) / 2, "2(x̂ − x)"),
    ("12_2", lambda z, x: solution("12_2")(z, x) * x.shape[1], "N·D of them"),
    ("12_2", lambda z, x: -solution("12_2")(z, x), "sign"),
    ("12_2", lambda z, x: sig(z) - x, "chain rule"),
    ("13_1", (2, 1, 2), "the product rule, not ċ·ḋ"),
    ("13_1", (2, 1, 5), "uses both factors"),
    ("13_1", (1, 1, 7), "local derivative 1"),
    ("13_1", (2, 1), "three numbers"),
    ("13_2", dual(mul_tangent=lambda a, b: a.tangent * b.tangent), "not the product of the tangents"),
    ("13_2", dual(mul_tangent=lambda a, b: a.tangent * b.value), "(a'b + ab')ε"),
    ("13_2", dual(numbers=False), "plain numbers too"),
    ("13_2", dual(constant_tangent=1.0), "tangent"),
    ("13_3", lambda f, x: S13.jacobian_by_jvp(f, x).T, "column j of J"),
    ("13_3", reverse_mode_jacobian, "f ran 1 times"),
    ("13_3", lambda f, x: autograd.zeros(3, 4), "e_j the j-th unit vector"),
]


# ---- the contract --------------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("number, answer, phrase", WRONG, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(WRONG)])
def test_wrong_answer_gets_a_hint(number: str, answer: Any, phrase: str) -> None:
    result = check(number)(answer)
    assert result.status == feedback.WRONG and not result, result.message
    assert phrase in result.text, result.message
    assert "Hint: " in result.message


def test_every_exercise_has_a_wrong_answer_tested() -> None:
    assert {n for n, _, _ in WRONG} == set(SOLUTIONS)


@pytest.mark.parametrize("number", ["8_1", "8_2", "8_3", "9_1", "10_1", "10_3", "11_1", "12_1", "12_2", "13_3"])
def test_template_returning_none_is_unanswered(number: str) -> None:
    """The notebooks' function templates have the body ``return None``."""
    result = check(number)(lambda *args: None)
    assert result.status == feedback.UNANSWERED, result.message


class DropoutTemplate(autograd.Function):
    """Notebook 11's template, as the student finds it."""
    @staticmethod
    def forward(ctx, x, mask, p):
        return None

    @staticmethod
    def backward(ctx, grad):
        return None, None, None


class DropoutHalfDone(DropoutTemplate):
    @staticmethod
    def forward(ctx, x, mask, p):
        return x * mask / (1 - p)


class DualTemplate:
    """Notebook 13's template, as the student finds it."""
    def __init__(self, value, tangent=0.0):
        self.value, self.tangent = value, tangent

    def __add__(self, other):
        return None

    def __mul__(self, other):
        return None


def test_class_templates_are_unanswered() -> None:
    for number, template in [("11_2", DropoutTemplate), ("11_2", DropoutHalfDone), ("13_2", DualTemplate)]:
        result = check(number)(template)
        assert result.status == feedback.UNANSWERED, result.message


def test_a_crashing_answer_is_wrong_with_the_error() -> None:
    result = check("8_2")(lambda ybar, w: ybar[99])
    assert result.status == feedback.WRONG and "IndexError" in result.text


def test_hints_do_not_give_the_answer() -> None:
    """No hint of a numeric exercise states the number it asks for."""
    for number, answer, _ in WRONG:
        text = check(number)(answer).text
        if number == "9_2":
            assert not re.search(r"\b4(\.0)?\b", text), text
        if number == "13_1":
            assert not re.search(r"\b7\b", text), text


def test_checks_do_not_import_nn() -> None:
    code = ("import sys; sys.path.insert(0, sys.argv[1]); "
            + "; ".join(f"import exercises.checks_{n:02d}" for n in range(8, 14))
            + "; assert not [k for k in sys.modules if k == 'nn' or k.startswith('nn.')], 'a check imports nn'")
    subprocess.run([sys.executable, "-c", code, str(NOTEBOOKS)], check=True)


def test_notebook_cells_use_the_checks() -> None:
    """Each of notebooks 08–13 ends with two or more exercises, each calling its check and not its solution."""
    for n in range(8, 14):
        source = next(NOTEBOOKS.glob(f"{n:02d}_*.py")).read_text(encoding="utf-8")
        headings = re.findall(r"^# ## (.*)$", source, re.M)
        first = next((i for i, h in enumerate(headings) if "Exercise" in h), len(headings))
        assert len(headings[first:]) >= 2, f"notebook {n:02d} has fewer than two exercises"
        assert all("Exercise" in h for h in headings[first:]), f"notebook {n:02d}: the exercises are not last"
        calls = set(re.findall(rf"^check_({n}_\d)\(", source, re.M))
        assert calls == {k for k in SOLUTIONS if k.split("_")[0] == str(n)}, f"notebook {n:02d} calls {calls}"
        assert "solutions_" not in source, f"notebook {n:02d} imports a solution"


# ---- the checks' references agree with nn and optim ----------------------------------------------------------------

def test_conv_out_is_conv2d_output_size() -> None:
    checks_08 = importlib.import_module("exercises.checks_08")
    for H, M, p, s in checks_08.CASES:
        y = F.conv2d(autograd.zeros(1, 1, H, H), autograd.zeros(1, 1, M, M), padding=p, stride=s)
        assert y.shape[-1] == solution("8_1")(H, M, p, s)


def test_conv_reference_is_conv2d() -> None:
    checks_08 = importlib.import_module("exercises.checks_08")
    rng = np.random.default_rng(0)
    x0, w0, ybar = rng.normal(size=(6, 8)), rng.normal(size=(2, 3)), rng.normal(size=(5, 6))
    x = autograd.tensor(x0[None, None], dtype=autograd.float64, requires_grad=True)
    w = autograd.tensor(w0[None, None], dtype=autograd.float64, requires_grad=True)
    F.conv2d(x, w).backward(autograd.tensor(ybar[None, None]))
    xbar, wbar = checks_08._engine_grads(x0, w0, ybar)
    assert np.allclose(x.grad.numpy()[0, 0], xbar) and np.allclose(w.grad.numpy()[0, 0], wbar)


def test_batch_norm_reference_is_nn_batch_norm() -> None:
    checks_10 = importlib.import_module("exercises.checks_10")
    rng = np.random.default_rng(0)
    x0, g0, dy = rng.normal(3, 2, size=(8, 3)), rng.normal(size=3), rng.normal(size=(8, 3))
    x = autograd.tensor(x0, dtype=autograd.float64, requires_grad=True)
    g = autograd.tensor(g0, dtype=autograd.float64, requires_grad=True)
    F.batch_norm(x, None, None, g, None, training=True, eps=1e-5).backward(autograd.tensor(dy))
    dx, dgamma, _ = checks_10.engine_grads(x0, g0, dy, 1e-5)
    assert np.allclose(x.grad.numpy(), dx, atol=1e-10) and np.allclose(g.grad.numpy(), dgamma, atol=1e-10)
    assert np.allclose(sum(checks_10.paths(x0, g0, dy, 1e-5)), dx, atol=1e-10)


def test_running_stats_are_batchnorm1d() -> None:
    rng = np.random.default_rng(1)
    batches = [rng.normal(3, 2, size=(8, 4)) for _ in range(3)]
    bn = nn.BatchNorm1d(4, momentum=0.1, dtype=autograd.float64)
    for b in batches:
        bn(autograd.tensor(b))
    mean, var = solution("10_3")(batches, 0.1)
    assert np.allclose(bn.running_mean.numpy(), mean) and np.allclose(bn.running_var.numpy(), var)


def test_l2_step_is_sgd_weight_decay() -> None:
    rng = np.random.default_rng(2)
    w0, g0 = rng.normal(size=5), rng.normal(size=5)
    p = nn.Parameter(autograd.tensor(w0))
    p.grad = autograd.tensor(g0)
    optim.SGD([p], lr=0.1, weight_decay=2 * 0.05).step()
    assert np.allclose(p.detach().numpy(), solution("11_1")(w0, g0, 0.1, 0.05))


def test_n_parameters_counts_nn_linear() -> None:
    for widths in importlib.import_module("exercises.checks_12").WIDTHS:
        net = nn.Sequential(*[nn.Linear(i, o) for i, o in zip(widths[:-1], widths[1:])])
        assert sum(p.numel() for p in net.parameters()) == solution("12_1")(widths)


def test_grad_logits_is_mse_loss_through_sigmoid() -> None:
    rng = np.random.default_rng(3)
    z0, x0 = rng.normal(size=(5, 64)), rng.random((5, 64))
    z = autograd.tensor(z0, dtype=autograd.float64, requires_grad=True)
    nn.MSELoss()(autograd.sigmoid(z), autograd.tensor(x0, dtype=autograd.float64)).backward()
    assert np.allclose(z.grad.numpy(), solution("12_2")(z0, x0))
