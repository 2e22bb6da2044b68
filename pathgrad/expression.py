"""Arithmetic expressions from the command line, evaluated on autograd tensors without ``eval``.

The text is parsed with ``ast`` and only a whitelist is evaluated: numbers, variables that were given values, the
operators + - * / ** and unary minus, and one-argument calls of the functions in ``FUNCTIONS``. Anything else
(attribute access, subscripts, other calls, lambdas, comparisons, ...) is an ``ExpressionError`` naming the piece.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

import autograd
from autograd import Tensor

FUNCTIONS = ("exp", "log", "log1p", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "erf")

_BINARY = {
    ast.Add: lambda x, y: x + y,
    ast.Sub: lambda x, y: x - y,
    ast.Mult: lambda x, y: x * y,
    ast.Div: lambda x, y: x / y,
    ast.Pow: lambda x, y: x**y,
}
_UNARY = {ast.USub: lambda x: -x, ast.UAdd: lambda x: +x}

# Why a node is refused, by type, for the error message.
_REFUSED = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambdas",
    ast.Compare: "comparisons",
    ast.BoolOp: "boolean operators",
    ast.IfExp: "conditional expressions",
    ast.Starred: "starred expressions",
    ast.NamedExpr: "assignment expressions",
}


class ExpressionError(ValueError):
    """The expression uses something outside the whitelist, or a variable has no value."""


def parse_assignments(items: list[str]) -> dict[str, float]:
    """``["a=2", "b=-1.5"]`` -> ``{"a": 2.0, "b": -1.5}``."""
    values: dict[str, float] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"expected NAME=VALUE, got {item!r}")
        try:
            values[name] = float(text)
        except ValueError:
            raise ExpressionError(f"the value of {name} is not a number: {text!r}") from None
    return values


class _Evaluator:
    def __init__(self, source: str, variables: Mapping[str, Tensor]) -> None:
        self.source = source
        self.variables = variables

    def piece(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ast.dump(node)

    def refuse(self, node: ast.AST, what: str) -> ExpressionError:
        return ExpressionError(f"{what} not allowed: {self.piece(node)!r}")

    def eval(self, node: ast.AST) -> Tensor | float:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self.refuse(node, "only real numbers are constants;")
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in self.variables:
                hint = f"; {node.id} is a function, call it: {node.id}(x)" if node.id in FUNCTIONS else (
                    f"; give it a value: {node.id}=...")
                raise ExpressionError(f"undefined variable {node.id!r}{hint}")
            return self.variables[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](self.eval(node.left), self.eval(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](self.eval(node.operand))
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            raise self.refuse(node, f"operator {type(node.op).__name__}")
        raise self.refuse(node, _REFUSED.get(type(node), type(node).__name__))

    def call(self, node: ast.Call) -> Tensor | float:
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node.func, "calling anything but a function name is")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name!r} in {self.piece(node)!r}; allowed: {', '.join(FUNCTIONS)}")
        if node.keywords or len(node.args) != 1:
            raise ExpressionError(f"{name} takes exactly one argument: {self.piece(node)!r}")
        arg = self.eval(node.args[0])
        return getattr(arg if isinstance(arg, Tensor) else autograd.tensor(arg, dtype=autograd.float64), name)()


def evaluate(source: str, values: Mapping[str, float]) -> tuple[Tensor, dict[str, Tensor]]:
    """Evaluate ``source`` with each variable a named 0-d float64 tensor requiring grad.

    Returns ``(result, variables)``; only the variables the expression uses are created. Raises ExpressionError
    for syntax outside the whitelist, unknown names, and values given for names the expression does not use.
    """
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"not a valid expression: {source!r} ({e.msg})") from None
    source = source.strip()
    reserved = sorted(set(values) & set(FUNCTIONS))
    if reserved:
        raise ExpressionError(f"{', '.join(reserved)} is a function name, not a variable")
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(FUNCTIONS)
    variables: dict[str, Tensor] = {}
    for name in sorted(used & set(values)):  # a name without a value is reported where it is used
        t = autograd.tensor(values[name], dtype=autograd.float64, requires_grad=True)
        t.name = name
        variables[name] = t
    try:
        result = _Evaluator(source, variables).eval(tree.body)
    except (ArithmeticError, RecursionError) as e:  # 1/0 or 9.0**9**9 among the constants
        raise ExpressionError(f"cannot evaluate {source!r}: {e}") from None
    unused = sorted(set(values) - used)
    if unused:
        raise ExpressionError(f"value given for {', '.join(unused)}, which is not in the expression {source!r}")
    if not variables or not isinstance(result, Tensor):
        raise ExpressionError(f"the expression has no variables to differentiate by: {source!r}")
    return result, variables
