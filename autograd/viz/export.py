"""``save``: write a drawing to a file, the extension picking the format.

PNG is drawn at 192 dpi, twice the 96 dpi Graphviz uses by default, so it stays sharp on high-density screens and in
slides. Formats beyond SVG and PNG (PDF, PostScript, ...) need a system Graphviz: ``graphviz-pure`` does not write
them, and asking for one without ``dot`` on PATH fails at once with a one-line error naming the fix.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import graphviz

from .executable import GraphvizNotFoundError, ensure_renderer

PNG_DPI = 192
_BITMAPS = {"png", "jpg", "jpeg", "jpe", "gif", "bmp", "tif", "tiff", "webp"}


@cache
def _formats_of(exe: str) -> frozenset[str]:
    try:
        done = subprocess.run([exe, "-T?"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        listed = re.search(r"Use one of:(.*)", done.stderr + done.stdout)
    except (OSError, subprocess.SubprocessError):
        listed = None
    if listed is None:
        return frozenset(graphviz.FORMATS)
    return frozenset(word.split(":")[0].lower() for word in listed.group(1).split())


def renderer_formats() -> tuple[str, frozenset[str]]:
    """The program that renders (``dot`` or ``graphviz-pure``) and the formats it lists (``dot -T?``).

    Raises GraphvizNotFoundError when there is no renderer at all."""
    exe = ensure_renderer()
    return exe, _formats_of(exe)


def check_format(fmt: str, where: str = "save") -> None:
    """Fail early, in one line, if ``fmt`` cannot be written here.

    ValueError for a format Graphviz does not have (``.nope``); GraphvizNotFoundError for one it has but the
    renderer found lacks (``.pdf`` without a system Graphviz), saying to install Graphviz or write .svg or .png.
    """
    fmt = fmt.lower()
    if fmt in ("dot", "gv"):
        return
    if not fmt:
        raise ValueError(f"{where}: no extension, and the extension picks the format; use .svg or .png (or .dot "
                         "for the source)")
    exe, formats = renderer_formats()
    if fmt in formats:
        return
    if fmt in graphviz.FORMATS:
        raise GraphvizNotFoundError(
            f"{where}: writing .{fmt} needs a system Graphviz (the `dot` program), and {Path(exe).name} cannot "
            f"write .{fmt}; install Graphviz (apt install graphviz, brew install graphviz or conda install "
            "graphviz), or write .svg or .png")
    raise ValueError(f"{where}: cannot write .{fmt}; use .svg, .png or .dot")


def save(graph: graphviz.Digraph, path: str | Path, dpi: int = PNG_DPI) -> Path:
    """Write ``graph`` to ``path``; the extension picks the format (.svg, .png, .pdf with a system Graphviz; .dot or
    .gv write the source). ``dpi`` sets the density of bitmap formats such as PNG."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    check_format(fmt, f"save: {str(path)!r}")
    if fmt in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    if fmt in _BITMAPS:
        graph = graph.copy()
        graph.graph_attr["dpi"] = str(dpi)
    path.write_bytes(graph.pipe(format=fmt, quiet=True))
    return path
