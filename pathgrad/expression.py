"""Arithmetic expressions from the command line, evaluated on autograd tensors without ``eval``.

The text is parsed with ``ast`` and only a whitelist is evaluated: numbers, variables that were given values, the
operators + - * / ** and unary minus, and one-argument calls of the functions in ``FUNCTIONS``. Anything else
(attribute access, subscripts, other calls, lambdas, comparisons, ...) is an ``ExpressionError`` naming the piece.

Nothing recurses on the expression's depth: the tree is evaluated with an explicit stack, and an expression nested too
deeply for CPython's own parser (``ast.parse`` raises RecursionError for a sum of a few thousand terms) is parsed by
``parse_iteratively``, a shunting-yard parser of the same whitelist that builds the same ``ast`` nodes.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections.abc import Mapping
from itertools import accumulate

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

    def eval(self, root: ast.AST) -> Tensor | float:
        """Evaluate left to right, depth first, with an explicit stack: no recursion, however deep the tree."""
        todo: list[tuple[ast.AST, bool]] = [(root, False)]
        values: list[Tensor | float] = []
        while todo:
            node, children_done = todo.pop()
            if children_done:
                if isinstance(node, ast.BinOp):
                    right = values.pop()
                    values.append(_BINARY[type(node.op)](values.pop(), right))
                elif isinstance(node, ast.UnaryOp):
                    values.append(_UNARY[type(node.op)](values.pop()))
                else:  # a Call, checked before its argument was visited
                    arg = values.pop()
                    arg = arg if isinstance(arg, Tensor) else autograd.tensor(arg, dtype=autograd.float64)
                    values.append(getattr(arg, node.func.id)())
                continue
            if isinstance(node, ast.Constant | ast.Name):
                values.append(self.leaf(node))
                continue
            if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
                children = [node.left, node.right]
            elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
                children = [node.operand]
            elif isinstance(node, ast.Call):
                self.check_call(node)
                children = [node.args[0]]
            elif isinstance(node, ast.BinOp | ast.UnaryOp):
                raise self.refuse(node, f"operator {type(node.op).__name__}")
            else:
                raise self.refuse(node, _REFUSED.get(type(node), type(node).__name__))
            todo.append((node, True))
            todo.extend((child, False) for child in reversed(children))  # the left one is popped first
        (result,) = values
        return result

    def leaf(self, node: ast.Constant | ast.Name) -> Tensor | float:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise self.refuse(node, "only real numbers are constants;")
            return float(node.value)
        if node.id not in self.variables:
            hint = f"; {node.id} is a function, call it: {node.id}(x)" if node.id in FUNCTIONS else (
                f"; give it a value: {node.id}=...")
            raise ExpressionError(f"undefined variable {node.id!r}{hint}")
        return self.variables[node.id]

    def check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            raise self.refuse(node.func, "calling anything but a function name is")
        name = node.func.id
        if name not in FUNCTIONS:
            raise ExpressionError(f"unknown function {name!r} in {self.piece(node)!r}; allowed: {', '.join(FUNCTIONS)}")
        if node.keywords or len(node.args) != 1:
            raise ExpressionError(f"{name} takes exactly one argument: {self.piece(node)!r}")


# ---- an iterative parser of the whitelist, for expressions too deep for ast.parse ----------------------------------

_TOKEN = re.compile(r"""
    (?P<space>(?:[ \t\f\r]|\\\r?\n)+)
  | (?P<newline>\n)
  | (?P<number>(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+
               |(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)(?![\w.]))
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*|//|<<|>>|<=|>=|==|!=|:=|->|[-+*/%@&|^~<>=()\[\]{},.:;'"`!?$\\#])
""", re.VERBOSE)
_BINARY_TOKENS = {"+": (ast.Add, 1), "-": (ast.Sub, 1), "*": (ast.Mult, 2), "/": (ast.Div, 2), "**": (ast.Pow, 4)}
_UNARY_TOKENS = {"-": ast.USub, "+": ast.UAdd}
_UNARY_PRECEDENCE = 3  # -a**b is -(a**b), -a*b is (-a)*b, a**-b is a**(-b), as in Python


def parse_iteratively(source: str) -> ast.Expression:
    """Parse the whitelisted subset of Python expressions (numbers, names, + - * / **, unary + and -, parentheses
    and one-argument calls of a name) into the ``ast`` nodes ``ast.parse(source, mode="eval")`` gives, without
    recursion: a shunting-yard parser with explicit operand and operator stacks. Anything outside the subset is an
    ExpressionError naming the token and its column."""
    starts = [0] + [i + 1 for i, c in enumerate(source) if c == "\n"]  # where each line begins
    utf8 = None if source.isascii() else list(accumulate((len(c.encode()) for c in source), initial=0))

    def position(offset: int) -> tuple[int, int]:
        """(lineno, utf-8 column) of a character offset, as ast nodes store them."""
        line = bisect_right(starts, offset) - 1
        return line + 1, (offset - starts[line] if utf8 is None else utf8[offset] - utf8[starts[line]])

    def locate(node: ast.AST, start: int, end: int) -> ast.AST:
        node.lineno, node.col_offset = position(start)
        node.end_lineno, node.end_col_offset = position(end)
        return node

    def unexpected(text: str, offset: int, what: str) -> ExpressionError:
        line, col = position(offset)
        where = f"column {col + 1}" if len(starts) == 1 else f"line {line}, column {col + 1}"
        return ExpressionError(f"not a valid expression: {text!r} at {where}: {what}")

    # operands: (node, start, end), the span including any parentheses around it
    operands: list[tuple[ast.AST, int, int]] = []
    # operators: ("binary", token, start) | ("unary", token, start) | ("(", start) | ("call", name, start)
    operators: list[tuple] = []

    def reduce() -> None:
        top = operators.pop()
        if top[0] == "binary":
            right, (left, start, _) = operands.pop(), operands.pop()
            node = ast.BinOp(left=left, op=_BINARY_TOKENS[top[1]][0](), right=right[0])
            operands.append((locate(node, start, right[2]), start, right[2]))
        else:  # unary
            operand, _, end = operands.pop()
            node = ast.UnaryOp(op=_UNARY_TOKENS[top[1]](), operand=operand)
            operands.append((locate(node, top[2], end), top[2], end))

    def precedence(entry: tuple) -> int:
        return _UNARY_PRECEDENCE if entry[0] == "unary" else _BINARY_TOKENS[entry[1]][1]

    tokens: list[tuple[str, str, int, int]] = []  # (kind, text, start, end)
    pos = depth = 0  # depth: of parentheses, inside which a line may break
    while pos < len(source):
        m = _TOKEN.match(source, pos)
        if m is None:
            raise unexpected(source[pos], pos, "an unexpected character")
        depth += {"(": 1, ")": -1}.get(m.group(), 0) if depth or m.group() != ")" else 0
        if m.lastgroup == "newline" and not depth:
            raise unexpected("\n", m.start(), "a line break outside parentheses")
        if m.lastgroup not in ("space", "newline"):
            tokens.append((m.lastgroup, m.group(), m.start(), m.end()))
        pos = m.end()
    expect_operand = True
    i = -1
    while i + 1 < len(tokens):
        i += 1
        kind, text, start, end = tokens[i]
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if expect_operand:
            if kind == "number":
                try:
                    value = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    raise unexpected(text, start, "not a number") from None
                operands.append((locate(ast.Constant(value=value), start, end), start, end))
                expect_operand = False
            elif kind == "name" and nxt == "(":
                operators.append(("call", text, start))
                i += 1  # the call's "("
            elif kind == "name":
                operands.append((locate(ast.Name(id=text, ctx=ast.Load()), start, end), start, end))
                expect_operand = False
            elif text == "(":
                operators.append(("(", start))
            elif text in _UNARY_TOKENS:
                operators.append(("unary", text, start))
            else:
                raise unexpected(text, start, "expected a number, a variable, a function call or (")
            continue
        if text in _BINARY_TOKENS:
            prec, right_assoc = _BINARY_TOKENS[text][1], text == "**"
            while operators and operators[-1][0] in ("binary", "unary") and (
                    precedence(operators[-1]) > prec or (precedence(operators[-1]) == prec and not right_assoc)):
                reduce()
            operators.append(("binary", text, start))
            expect_operand = True
        elif text == ")":
            while operators and operators[-1][0] in ("binary", "unary"):
                reduce()
            if not operators:
                raise unexpected(text, start, "unmatched )")
            opener = operators.pop()
            node, _, _ = operands.pop()
            if opener[0] == "call":
                func = locate(ast.Name(id=opener[1], ctx=ast.Load()), opener[2], opener[2] + len(opener[1]))
                call = locate(ast.Call(func=func, args=[node], keywords=[]), opener[2], end)
                operands.append((call, opener[2], end))
            else:
                operands.append((node, opener[1], end))
        elif text == ",":
            opener = next((op for op in reversed(operators) if op[0] in ("call", "(")), None)
            if opener is not None and opener[0] == "call":
                if nxt == ")":  # exp(a,) is one argument, as in Python
                    continue
                raise ExpressionError(f"{opener[1]} takes exactly one argument: {shorten(source[opener[2]:])!r}")
            raise unexpected(text, start, "tuples are not allowed")
        else:
            raise unexpected(text, start, "expected an operator + - * / ** or )")
    if expect_operand:
        raise ExpressionError(f"not a valid expression: {source[-40:]!r} ends without its last operand")
    while operators and operators[-1][0] in ("binary", "unary"):
        reduce()
    if operators:
        raise unexpected("(", operators[-1][-1], "this ( is never closed")
    (root, _, _), = operands
    return ast.Expression(body=root)


def evaluate(source: str, values: Mapping[str, float]) -> tuple[Tensor, dict[str, Tensor]]:
    """Evaluate ``source`` with each variable a named 0-d float64 tensor requiring grad.

    Returns ``(result, variables)``; only the variables the expression uses are created. Raises ExpressionError
    for syntax outside the whitelist, unknown names, and values given for names the expression does not use.
    """
    source = source.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"not a valid expression: {shorten(source)!r} ({e.msg})") from None
    except (RecursionError, MemoryError):  # nested too deeply for CPython's parser, but not for ours
        tree = parse_iteratively(source)
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
    except ArithmeticError as e:  # 1/0 or 9.0**9**9 among the constants
        raise ExpressionError(f"cannot evaluate {shorten(source)!r}: {e}") from None
    unused = sorted(set(values) - used)
    if unused:
        raise ExpressionError(f"value given for {', '.join(unused)}, which is not in the expression "
                              f"{shorten(source)!r}")
    if not variables or not isinstance(result, Tensor):
        raise ExpressionError(f"the expression has no variables to differentiate by: {shorten(source)!r}")
    return result, variables


def shorten(source: str, limit: int = 80) -> str:
    """The expression, or its start and end when it is long (a message stays one readable line)."""
    if len(source) <= limit:
        return source
    return f"{source[: limit // 2]} ... {source[-limit // 4:]} ({len(source):,} characters)"
