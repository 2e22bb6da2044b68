"""What a check function answers, and the decorator that turns a check into one.

A check is written as a function that inspects the answer and either returns (right, optionally with a remark) or
raises :class:`Hint` (wrong, with what to look at). ``@exercise("3.1")`` wraps it so that an unanswered exercise
(``None``, a function that returns ``None`` or raises ``NotImplementedError``) reads "not answered yet", and an
answer that crashes reads as wrong with the error, instead of a traceback in the student's notebook.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RIGHT, WRONG, UNANSWERED = "right", "wrong", "unanswered"


class Hint(Exception):
    """Raised by a check: the answer is wrong; the message says where to look (never the answer itself)."""


class Unanswered(Exception):
    """Raised by a check (or by :func:`ask`): there is no answer yet."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; shown as its message in a notebook, true when the answer is right."""

    exercise: str
    status: str          # RIGHT, WRONG or UNANSWERED
    text: str = ""       # the hint when wrong, a remark when right, what to fill in when unanswered

    @property
    def ok(self) -> bool:
        return self.status == RIGHT

    def __bool__(self) -> bool:
        return self.ok

    @property
    def message(self) -> str:
        head = {RIGHT: "✓ right", WRONG: "✗ not yet", UNANSWERED: "… not answered yet"}[self.status]
        sep = ". Hint: " if self.status == WRONG else (" — " if self.text else "")
        return f"Exercise {self.exercise}: {head}{sep}{self.text}"

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__


def ask(fn: Callable[..., Any], *args: Any) -> Any:
    """Call the student's function; ``None`` back (the template's ``return None``) means not answered yet."""
    if not callable(fn):
        raise Hint(f"pass a function (you passed a {type(fn).__name__})")
    result = fn(*args)
    if result is None:
        raise Unanswered("your function returns None: replace `return None` with your formula")
    return result


def exercise(number: str, todo: str = "replace None with your answer") -> Callable[[Callable[[Any], Any]],
                                                                             Callable[[Any], Feedback]]:
    """Make ``check(answer)`` return a :class:`Feedback` for exercise ``number``; ``todo`` says what to fill in."""
    def wrap(check: Callable[[Any], Any]) -> Callable[[Any], Feedback]:
        @functools.wraps(check)
        def run(answer: Any) -> Feedback:
            if answer is None:
                return Feedback(number, UNANSWERED, todo)
            try:
                remark = check(answer)
            except Unanswered as e:
                return Feedback(number, UNANSWERED, str(e))
            except NotImplementedError:
                return Feedback(number, UNANSWERED, todo)
            except Hint as e:
                return Feedback(number, WRONG, str(e))
            except Exception as e:  # the student's code failed: say how, as a hint, not a traceback
                return Feedback(number, WRONG, f"running your answer raised {type(e).__name__}: {e}")
            return Feedback(number, RIGHT, remark or "")
        return run
    return wrap
