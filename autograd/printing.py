"""How tensors print: torch's style (``tensor([1.0000, 2.5000])``, whole numbers as ``1.``), and
``set_printoptions`` with torch's arguments and profiles."""

from __future__ import annotations

from typing import Any

import numpy as np

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": np.inf, "edgeitems": 3, "linewidth": 80},
}
options: dict[str, Any] = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """As torch: ``profile`` ("default", "short", "full") resets the four numbers first; the others then override.
    ``sci_mode`` True/False forces scientific notation on/off; None lets the values decide."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {', '.join(_PROFILES)}, got {profile!r}")
        options.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    options.update({k: v for k, v in given.items() if v is not None})
    options["sci_mode"] = sci_mode


def format_array(d: np.ndarray, prefix: str) -> str:
    """The body of a tensor's repr: whole-number floats as "1.", others with ``precision`` decimals; scientific
    notation when asked, or (sci_mode None) when the magnitudes span more than 1e8 or reach below 1e-4."""
    finite = d[np.isfinite(d)] if d.dtype.kind == "f" else d
    whole = d.dtype.kind != "f" or not np.isfinite(d).all() or bool(np.all(d == np.round(d)))
    sci = options["sci_mode"]
    if sci is None and d.dtype.kind == "f" and finite.size:
        nonzero = np.abs(finite[finite != 0])
        sci = bool(nonzero.size) and (nonzero.max() / nonzero.min() > 1e8 or nonzero.min() < 1e-4
                                      or nonzero.max() >= 1e8) and not whole
    formatter = None
    if sci and d.dtype.kind == "f":
        p = options["precision"]
        formatter = {"float_kind": lambda v: np.format_float_scientific(v, precision=p, unique=False, exp_digits=2)}
    return np.array2string(d, separator=", ", precision=options["precision"], prefix=prefix,
                           floatmode="maxprec_equal" if whole else "fixed", threshold=options["threshold"],
                           edgeitems=options["edgeitems"], max_line_width=options["linewidth"], formatter=formatter)
