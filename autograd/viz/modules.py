"""Modules in the drawing: each op records the Modules whose forward was running (``node.scope``, outermost first).

The model is the ``module=`` given to ``draw_graph``, else the outermost Module most ops were recorded in. Its
submodules go by their names in ``model.named_modules()`` (``features``, ``features.0``); a Module outside it (a loss
module called on its own) by its class name. Collapsed, each top-level Module is one box; ``expand`` opens a Module
(a cluster with its own submodules as boxes); not collapsed, every op is drawn inside clusters for its Modules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ..function import Function
from ..tensor import Tensor

Place = tuple[tuple[str, ...], str | None]  # (the cluster path, the id of the box hiding it or None)


class Modules:
    """Names the Modules of a graph and places ops and parameters in clusters and boxes."""

    def __init__(self, model: Any, collapse: bool = True, expand: Iterable[str] = ()) -> None:
        self.model = model
        self.collapse = collapse
        self.names: dict[int, str] = {}
        self.kinds: dict[str, str] = {}  # name -> class name
        if hasattr(model, "named_modules"):
            for name, m in model.named_modules():
                if id(m) not in self.names:
                    self.names[id(m)] = name
                    self.kinds.setdefault(name, type(m).__name__)
        self.param_owner: dict[int, str] = {}  # parameter -> the name of the module holding it
        self.param_names: dict[int, str] = {}  # parameter -> its name in the model ("0.weight")
        if hasattr(model, "named_parameters"):
            for name, p in model.named_parameters():
                self.param_owner.setdefault(id(p), name.rpartition(".")[0])
                self.param_names.setdefault(id(p), name)
        self.expanded: set[str] = set()
        for name in expand:
            parts = str(name).split(".")
            self.expanded.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        self._requested = list(expand)

    @classmethod
    def for_graph(cls, ops: Sequence[Function], module: Any, collapse: bool, expand: Iterable[str]) -> Modules | None:
        """The Modules of the ops' graph, or None when no op was recorded inside a Module and none was given."""
        if module is None:
            outer = Counter(id(n.scope[0]) for n in ops if n.scope)
            if not outer:
                if list(expand):
                    raise ValueError(f"draw_graph: expand={list(expand)!r}, but no op of this graph ran inside a "
                                     "Module; expand names a submodule of a model's graph")
                return None
            top = outer.most_common(1)[0][0]
            module = next(n.scope[0] for n in ops if n.scope and id(n.scope[0]) == top)
        mods = cls(module, collapse, expand)
        for n in ops:
            mods.path(n.scope)  # names every Module in order of first sight, for stable names
        mods._check_expand()
        return mods

    def _check_expand(self) -> None:
        unknown = [name for name in self._requested if str(name) not in self.kinds]
        if unknown:
            known = ", ".join(repr(n) for n in self.kinds if n) or "none"
            raise ValueError(f"draw_graph: expand names no Module of this graph: {', '.join(map(repr, unknown))}; "
                             f"the Modules are {known}")

    def name(self, m: Any) -> str:
        name = self.names.get(id(m))
        if name is None:  # a Module outside the model: its class name, made unique
            kind = type(m).__name__
            name, k = kind, 1
            while name in self.kinds:
                k += 1
                name = f"{kind}#{k}"
            self.names[id(m)] = name
            self.kinds[name] = kind
        return name

    def path(self, scope: tuple) -> tuple[str, ...]:
        """The cluster path of a node: the names of its Modules, outermost first, without the model itself."""
        return tuple(self.name(m) for m in scope if m is not self.model)

    def place_path(self, path: tuple[str, ...]) -> Place:
        """Where something inside the Modules ``path`` goes: in the innermost cluster drawn, or in a box."""
        if not self.collapse:
            return path, None
        for k, name in enumerate(path):
            if name not in self.expanded:
                return path[:k], "m_" + name
        return path, None

    def place(self, node: Function) -> Place:
        return self.place_path(self.path(node.scope))

    def place_parameter(self, t: Tensor) -> Place | None:
        """Where a parameter of the model goes (with its Module), or None if ``t`` is not one."""
        owner = self.param_owner.get(id(t))
        if owner is None:
            return None
        parts = owner.split(".") if owner else []
        path = tuple(p for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if p in self.kinds)
        return self.place_path(path)

    def label(self, name: str) -> str:
        """A cluster's label: ``features: Sequential``."""
        kind = self.kinds.get(name)
        return f"{name}: {kind}" if kind is not None and kind != name else name

    def box_label(self, name: str, inside: list[str]) -> str:
        """A collapsed Module's label: its name, its class, and its op when it holds just one (``conv2d 3×3 s1``)."""
        kind = self.kinds.get(name, name)
        lines = [name] if kind == name else [name, kind]
        if len(inside) == 1 and inside[0] not in lines and inside[0].lower() != kind.lower():
            lines.append(inside[0])
        return "\n".join(lines)
