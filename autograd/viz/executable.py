"""Finding a program that lays out and renders DOT graphs.

The ``graphviz`` Python package only writes DOT text; it runs a ``dot`` executable to turn it into SVG or PNG, and
``pip install graphviz`` alone does not provide one (``ExecutableNotFound: dot``). We look, in order, for

1. ``dot`` on PATH: a system Graphviz (``apt install graphviz``, ``brew install graphviz``, conda's ``graphviz``);
2. ``graphviz-pure``, a self-contained port of Graphviz's dot that pip installs with pathgrad (a dependency), in
   this Python environment's scripts folder or on PATH.

It installs no ``dot`` command, so we tell the ``graphviz`` package which program to run instead, by setting its
``DOT_BINARY``. Then ``graph.pipe()``, ``graph.render()`` and Jupyter's inline display all work.
"""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

import graphviz
from graphviz.backend import dot_command

INSTALL_HINT = (
    "viz: no Graphviz renderer found: there is no `dot` on PATH and no `graphviz-pure` in this environment. "
    "Install one: `pip install graphviz-pure` (a self-contained dot, pathgrad's default), or a system Graphviz "
    "(`apt install graphviz`, `brew install graphviz`, `conda install graphviz`)."
)


class GraphvizNotFoundError(RuntimeError):
    """Raised when neither a system ``dot`` nor ``graphviz-pure`` can be found."""


def find_dot() -> str:
    """The path of the program to render DOT with: ``dot`` on PATH, else ``graphviz-pure``.

    Raises GraphvizNotFoundError, saying how to install one, when there is neither.
    """
    system = shutil.which("dot")
    if system:
        return system
    # The scripts folder first: a notebook kernel started from an environment may not have it on PATH.
    for folder in (sysconfig.get_path("scripts"), None):
        found = shutil.which("graphviz-pure", path=folder)
        if found:
            return found
    raise GraphvizNotFoundError(INSTALL_HINT)


def ensure_renderer() -> str:
    """Make the ``graphviz`` package able to render, and return the program it will run.

    A ``DOT_BINARY`` that already resolves (``dot`` on PATH, or one the user set) is left as it is.
    """
    current = str(dot_command.DOT_BINARY)
    resolved = shutil.which(current)
    if resolved:
        return resolved
    exe = find_dot()
    # graphviz builds every command from this module attribute, read at call time.
    dot_command.DOT_BINARY = Path(exe)
    graphviz.DOT_BINARY = dot_command.DOT_BINARY  # keep the package's public alias in step
    return exe
