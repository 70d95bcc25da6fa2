"""Numbers as a reader should see them: one formatting rule per kind of quantity.

Every number the book shows, glued into prose (:mod:`causalxai.glue`) or in a table
(:func:`fmt_table`, :mod:`causalxai.tables`), goes through :func:`fmt`, so that prose and
table round the same value the same way. A *quantity* names the rule:

============ ================================================ ===========================
quantity     rule                                             examples
============ ================================================ ===========================
number       3 significant digits, at most 4 decimals         ``-0.825``, ``1,452``
effect       as ``number`` (an effect in outcome units)       ``-0.3``  -> ``-0.300``
probability  as ``number``, for values in [0, 1]              ``0.0123``
auc          3 decimals (ROC-AUC, PR-AUC, C-index)            ``0.873``
score        3 decimals (Brier, ECE, correlation, Jaccard)    ``0.046``
ratio        2 decimals (observed / expected, odds ratios)    ``1.23``
percent      a share in [0, 1] shown in %, 2 significant      ``0.0213`` -> ``2.1 %``
             digits, at most 1 decimal
points       a difference of shares in percentage points      ``-0.032`` -> ``-3.2 pp``
pvalue       ``< 0.001``, else 2 significant digits           ``0.012``
count        integer with thousands separator                 ``5896.235`` -> ``5,896``
money        whole units with thousands separator             ``1183.8081`` -> ``1,184``
months       2 significant digits, at most 1 decimal          ``7.3``, ``12``
years        as ``months``                                    ``4.5``
kg           1 decimal                                        ``3.4``
seconds      2 significant digits, at most 1 decimal          ``0.4``, ``38``
year         a calendar year, no separator                    ``2019``
text         ``str(value)``                                   ``yes``
============ ================================================ ===========================

For every quantity: a value that rounds to zero is shown as zero without a sign (no
``-0.0000``, no ``9.1e-13``); NaN and None as ``—``; infinities as ``∞``/``-∞``; booleans
as ``yes``/``no``; anything that is not a number as ``str(value)``. Units other than % and
percentage points are not part of the number: prose writes them after the glued value, a
table in its column header (:mod:`causalxai.names`). No scientific notation is ever used.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MISSING", "QUANTITIES", "Quantity", "fmt", "fmt_table", "rule"]

#: What a missing value (NaN, None, NA) looks like.
MISSING = "—"

_NBSP = "\u00a0"  # between a number and its % / pp, so they never wrap apart


@dataclass(frozen=True)
class Quantity:
    """How one kind of quantity is written.

    Attributes
    ----------
    name : str
        The name used in :func:`fmt` (``"percent"``).
    digits : int or None
        Significant digits; None: always ``decimals`` decimals.
    decimals : int
        With ``digits``: the finest decimal place shown (smaller values round to 0);
        without: the fixed number of decimals.
    scale : float
        Factor applied before writing (100 for percentages).
    suffix : str
        Written after the number (``" %"``).
    separator : bool
        Thousands separator (``1,452``).
    """

    name: str
    digits: int | None
    decimals: int
    scale: float = 1.0
    suffix: str = ""
    separator: bool = True


QUANTITIES: dict[str, Quantity] = {q.name: q for q in [
    Quantity("number", 3, 4),
    Quantity("effect", 3, 4),
    Quantity("probability", 3, 4),
    Quantity("auc", None, 3),
    Quantity("score", None, 3),
    Quantity("ratio", None, 2),
    Quantity("percent", 2, 1, scale=100.0, suffix=_NBSP + "%"),
    Quantity("points", 2, 1, scale=100.0, suffix=_NBSP + "pp"),
    Quantity("pvalue", 2, 3),
    Quantity("count", None, 0),
    Quantity("money", None, 0),
    Quantity("months", 2, 1),
    Quantity("years", 2, 1),
    Quantity("kg", None, 1),
    Quantity("seconds", 2, 1),
    Quantity("year", None, 0, separator=False),
    Quantity("text", None, 0),
]}
"""Every quantity :func:`fmt` knows, by name."""

#: Below this, a p-value is written ``< 0.001``.
_P_FLOOR = 0.001


def rule(name: str) -> Quantity:
    """The :class:`Quantity` called ``name``.

    Raises
    ------
    ValueError
        If no quantity has that name (the message lists those that exist).
    """
    try:
        return QUANTITIES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown quantity {name!r}; expected one of: "
                         f"{', '.join(QUANTITIES)}") from None


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _decimals(x: float, digits: int | None, decimals: int) -> int:
    """Decimals that give ``x`` its ``digits`` significant digits, within [0, decimals]."""
    if digits is None or x == 0:
        return decimals
    wanted = digits - 1 - math.floor(math.log10(abs(x)))
    return min(max(wanted, 0), decimals)


def fmt(value: Any, quantity: str = "number", *, digits: int | None = None,
        decimals: int | None = None, signed: bool = False) -> str:
    """Write one value for a reader.

    Parameters
    ----------
    value : number, bool, str, None or any object
        The raw value (numpy scalars accepted).
    quantity : str
        What the value is: a key of :data:`QUANTITIES` (the module docstring lists the
        rules).
    digits : int, optional
        Override the quantity's significant digits.
    decimals : int, optional
        Override with a fixed number of decimals (``digits`` is then ignored).
    signed : bool
        Write ``+`` before positive values (for differences); zero is never signed.

    Returns
    -------
    str
        The text, e.g. ``fmt(-0.00002, "effect") == "0"``, ``fmt(0.0213, "percent") ==
        "2.1 %"`` (with a no-break space), ``fmt(0.0004, "pvalue") == "< 0.001"``.

    Raises
    ------
    ValueError
        If ``quantity`` is unknown, or ``digits``/``decimals`` is negative.
    """
    q = rule(quantity)
    if digits is not None and (not isinstance(digits, int) or digits < 1):
        raise ValueError(f"digits must be a positive integer, got {digits!r}")
    if decimals is not None and (not isinstance(decimals, int) or decimals < 0):
        raise ValueError(f"decimals must be a non-negative integer, got {decimals!r}")
    if _is_missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, _dt.datetime | pd.Timestamp):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if q.name == "text" or not isinstance(value, numbers.Real):
        return str(value)
    x = float(value)
    if math.isinf(x):
        return ("∞" if x > 0 else "-∞") + q.suffix
    x *= q.scale
    if q.name == "pvalue" and value < _P_FLOOR:
        return f"< {_P_FLOOR:g}"
    if decimals is not None:
        digits, places = None, decimals
    else:
        digits = digits if digits is not None else q.digits
        places = q.decimals
        if isinstance(value, numbers.Integral) and q.scale == 1:
            digits, places = None, 0  # an integer stays an integer
    dec = _decimals(x, digits, places)
    rounded = round(x, dec)
    if digits is not None and rounded != 0:  # 9.996 -> 10.0, not 10.00
        dec = _decimals(rounded, digits, places)
        rounded = round(x, dec)
    if rounded == 0:
        zero = "0" if digits is not None else f"{0:.{dec}f}"
        return zero + q.suffix
    sep = "," if q.separator else ""
    text = f"{rounded:{sep}.{dec}f}"
    if signed and rounded > 0:
        text = "+" + text
    return text + q.suffix


def fmt_table(frame: pd.DataFrame, quantities: Mapping[str, str] | str | None = None, *,
              default: str = "number", by: str = "column") -> pd.DataFrame:
    """Format every cell of a table with :func:`fmt`, column by column (or row by row).

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw values.
    quantities : mapping or str, optional
        Quantity of each column (``{"median_rel_error": "percent"}``), or one quantity
        for all; columns not named get ``default``.
    default : str
        Quantity of the columns not in ``quantities``.
    by : {"column", "row"}
        Whether ``quantities`` names columns or rows (a table with one metric per row).

    Returns
    -------
    pandas.DataFrame
        Same index and columns, every cell a ``str``.

    Raises
    ------
    ValueError
        If ``frame`` is not a DataFrame, ``by`` is not ``"column"``/``"row"``, a quantity
        is unknown, or ``quantities`` names a column (row) the table does not have.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if by not in ("column", "row"):
        raise ValueError(f"by must be 'column' or 'row', got {by!r}")
    labels = frame.columns if by == "column" else frame.index
    if quantities is None or isinstance(quantities, str):
        wanted = {label: quantities or default for label in labels}
    else:
        unknown = [k for k in quantities if k not in labels]
        if unknown:
            raise ValueError(
                f"quantities names {by}(s) {', '.join(map(repr, unknown))} that the table "
                f"does not have ({by}s: {', '.join(map(str, labels))})")
        wanted = {label: quantities.get(label, default) for label in labels}
    for name in set(wanted.values()):
        rule(name)
    data = frame if by == "column" else frame.T
    out = pd.DataFrame({i: [fmt(v, wanted[label]) for v in data.iloc[:, i]]
                        for i, label in enumerate(data.columns)})
    out.columns, out.index = data.columns, data.index
    return out if by == "column" else out.T
