"""Calendar months as integers: one helper for every chapter that counts months.

A month is the integer ``12 * year + month - 1`` (January 2020 -> 24240), so that month
differences are plain subtraction. Bottom layer: imports nothing of the package.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["add_months", "month_index", "month_label", "month_number", "month_param", "month_start"]

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def month_number(values: object, name: str = "month") -> np.ndarray:
    """Absolute month numbers ``12 * year + month - 1`` of dates (int64 array).

    Parameters
    ----------
    values : array-like of dates
        Anything :func:`pandas.to_datetime` reads (timestamps, ``"YYYY-MM"`` strings).
    name : str
        What the values are, for the error message.

    Raises
    ------
    ValueError
        Naming ``name`` when a value is missing or not a date.
    """
    stamps = pd.to_datetime(pd.Series(values).reset_index(drop=True), errors="coerce")
    if stamps.isna().any():
        raise ValueError(f"{name} must hold dates (month starts) without missing values")
    return (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype=np.int64)


def month_start(value: object, name: str) -> pd.Timestamp:
    """The first day of a month written ``"YYYY-MM"``; ValueError naming ``name`` otherwise."""
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise ValueError(f"{name} must be a month 'YYYY-MM', got {value!r}")
    return pd.Timestamp(f"{value}-01")


def month_param(name: str, value: object, low: str, high: str) -> pd.Timestamp:
    """A notebook parameter ``"YYYY-MM"`` between ``low`` and ``high`` (inclusive).

    Returns the month's first day; raises ValueError naming ``name`` otherwise.
    """
    stamp = month_start(value, name)
    if not month_start(low, "low") <= stamp <= month_start(high, "high"):
        raise ValueError(f"{name}={value!r} is out of range: must be between {low} and "
                         f"{high}")
    return stamp


def month_index(value: object, name: str) -> int:
    """Absolute month number ``12 * year + month - 1`` of a ``"YYYY-MM"`` string.

    Raises ValueError naming ``name`` if ``value`` is not such a string.
    """
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise ValueError(f"{name} must be a month 'YYYY-MM', got {value!r}")
    return 12 * int(value[:4]) + int(value[5:7]) - 1


def month_label(index: int) -> str:
    """Inverse of :func:`month_index`: ``"YYYY-MM"``."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_months(month: str, offset: int, name: str = "month") -> str:
    """The month ``offset`` months after ``month`` (before it if negative), as ``"YYYY-MM"``."""
    return month_label(month_index(month, name) + offset)
