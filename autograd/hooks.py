"""``RemovableHandle``: what every ``register_*hook`` returns (torch.utils.hooks.RemovableHandle).

It lives in autograd, not nn, because ``Tensor.register_hook`` returns one too (and autograd cannot import nn).
"""

from __future__ import annotations

import itertools
from typing import Any


class RemovableHandle:
    """``handle.remove()`` unregisters the hook (a second call does nothing); ``with handle:`` removes it on exit.

    ``hooks_dict`` maps ``handle.id`` to the hook; ``extra_dict`` are dicts (or sets) that also hold that id (the
    hook's flags, such as with_kwargs), cleaned up with it. A list of hooks (a tensor's, which the backward sweep
    walks in order) is accepted too, with the hook given as ``hook``: removal then drops that very object."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: dict | list, *, extra_dict: Any = None, hook: Any = None) -> None:
        self.hooks_dict = hooks_dict
        self.id = next(RemovableHandle._next_id)
        self.extra_dicts = () if extra_dict is None else tuple(extra_dict) if isinstance(extra_dict, list | tuple) \
            else (extra_dict,)
        self._hook = hook

    def remove(self) -> None:
        if isinstance(self.hooks_dict, list):
            for i, h in enumerate(self.hooks_dict):
                if h is self._hook:
                    del self.hooks_dict[i]
                    break
        else:
            self.hooks_dict.pop(self.id, None)
        for extra in self.extra_dicts:
            if isinstance(extra, set):
                extra.discard(self.id)
            else:
                extra.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()
