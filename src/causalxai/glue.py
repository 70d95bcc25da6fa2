"""Glue numbers and figures for the prose: the reader sees formatted text, machines the raw value.

A value glued with :func:`glue` is a :class:`Glued` object whose display bundle holds

- ``text/plain``: the text of :func:`causalxai.fmt.fmt`, as a quoted Python string, so
  that myst-nb's ``{glue:text}`` prints it as it is (myst-nb ``literal_eval``s the plain
  text: unquoted, ``0.10`` would print ``0.1`` and ``1,452`` the tuple ``(1, 452)``);
- ``text/markdown``: the same text, for ``{glue}`` / ``{glue:md}``;
- :data:`RAW_MIME` (``application/vnd.causalxai.glue+json``): ``{"value": raw, "repr":
  repr(raw), "quantity": ..., "text": ...}``, which :func:`causalxai.compendium.book.glued`
  (and so ``python -m causalxai compare``) reads in preference to the text, so that a
  change of format never hides a change of value, and vice versa. (Not plain
  ``application/json``: behind myst-nb's ``application/papermill.record/`` prefix only a
  type ending in ``+json`` may hold JSON in a valid notebook.)

In prose, write ``{glue:text}`name``` **without** a format spec: the quantity already
chose the digits (a spec such as ``:.2f`` would re-round the rounded text, and fails on
``1,452``, ``2.1 %`` or ``< 0.001``).

:func:`glue_table` glues every cell of a table under ``<prefix>_<row>_<column>`` with the
column's quantity, so that a sentence quoting a table cell shows exactly what the table
shows. :func:`glue_figure` glues a matplotlib figure at the book's resolution, for a
numbered ``{glue:figure}`` with ``:name:`` and ``:alt:``.
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from causalxai import fmt as _fmt
from causalxai import names

__all__ = ["DPI", "GLUE_PREFIX", "MAX_WIDTH", "RAW_MIME", "Glued", "glue", "glue_figure", "glue_table",
           "key", "myst_glue", "raw"]

#: Widest figure the book's column shows at its natural size, in inches.
MAX_WIDTH = 7.0
#: Pixels per inch of glued figures (7 in -> 700 px, the content column of the book).
DPI = 100
#: The mime type that carries a glued value's raw form.
RAW_MIME = "application/vnd.causalxai.glue+json"


#: The mime prefix under which myst-nb stores a glued (hidden) display bundle.
GLUE_PREFIX = "application/papermill.record/"


def ipy_display(bundle: dict[str, Any], raw: bool, metadata: dict[str, Any]) -> None:
    """IPython's ``display`` of a raw bundle (imported when first called; tests replace it)."""
    from IPython.core.display_functions import display

    display(bundle, raw=raw, metadata=metadata)


def myst_glue(name: str, variable: Any, display: bool = True) -> None:
    """Glue ``variable`` exactly as ``myst_nb.glue`` does, without importing ``myst_nb``.

    The same display bundle and metadata (``scrapbook``: name and mime prefix), so the
    book reads it as myst-nb's own; but ``myst_nb.ext.glue`` imports ``nbformat`` and,
    through it, ``jsonschema`` (about a second of CPU per kernel, for nothing: gluing
    validates no notebook).

    Parameters
    ----------
    name : str
        The glue name.
    variable : object
        What to glue: its IPython display bundle is stored.
    display : bool
        Also show it in the cell's output.
    """
    from IPython.core.formatters import format_display_data

    bundle, metadata = format_display_data(variable)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


def key(*parts: object) -> str:
    """A glue name from parts: lower case, non-alphanumerics to ``_``.

    >>> key("symptom", "late_payments", "GraphDML[linear]")
    'symptom_late_payments_graphdml_linear'
    """
    text = "_".join(map(str, parts)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def raw(value: Any) -> Any:
    """``value`` as a plain Python scalar (numpy scalars unwrapped), unchanged otherwise."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON has no NaN / Infinity
    return str(value)


class Glued:
    """A value with the text a reader sees (what :func:`glue` stores).

    Parameters
    ----------
    value : object
        The raw value (a number, a string, a bool, None).
    quantity : str
        Its :mod:`causalxai.fmt` quantity.
    **options
        ``digits``, ``decimals``, ``signed``: passed to :func:`causalxai.fmt.fmt`.

    Attributes
    ----------
    value : object
        The raw value, numpy scalars unwrapped.
    text : str
        The formatted text.
    """

    def __init__(self, value: Any, quantity: str = "number", **options: Any) -> None:
        self.value = raw(value)
        self.quantity = quantity
        self.text = _fmt.fmt(self.value, quantity, **options)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {
            "text/plain": repr(self.text),
            "text/markdown": self.text,
            RAW_MIME: {"value": _json_safe(self.value), "repr": repr(self.value),
                                 "quantity": self.quantity, "text": self.text},
        }

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Glued({self.value!r}, {self.quantity!r}) -> {self.text!r}"


def glue(name: str, value: Any, quantity: str = "number", *, display: bool = False,
         **options: Any) -> Glued:
    """Glue ``value`` under ``name``, shown as :func:`causalxai.fmt.fmt` writes it.

    Parameters
    ----------
    name : str
        The glue name (build it with :func:`key`).
    value : object
        The raw number (or a string, a bool).
    quantity : str
        Its quantity (``"effect"``, ``"percent"``, ``"count"``, ...); strings are glued as
        they are whatever the quantity.
    display : bool
        Also show it in the cell's output (default: hidden).
    **options
        ``digits``, ``decimals``, ``signed`` (see :func:`causalxai.fmt.fmt`).

    Returns
    -------
    Glued
        What was glued (``.value``, ``.text``).

    Raises
    ------
    ValueError
        If ``name`` is empty or not a string, or the quantity is unknown.

    Examples
    --------
    >>> glue("family_shap_error", 0.2468, "percent").text  # doctest: +SKIP
    '25 %'
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue name must be a non-empty string, got {name!r}")
    glued = Glued(value, quantity, **options)
    myst_glue(name, glued, display=display)
    return glued


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_)
            and math.isfinite(float(value)))


def glue_table(table: pd.DataFrame, prefix: str,
               quantities: Mapping[str, str] | str | None = None, *,
               default: str = "number", formatted: bool = True) -> dict[str, float]:
    """Glue every finite number of a table as ``<prefix>_<row>_<column>``.

    Each value is formatted with its column's quantity: from ``quantities``, else from
    :func:`causalxai.names.column_quantity`, else ``default`` — the rule
    :func:`causalxai.tables.reader_table` uses, so prose and table agree. Missing values
    (a coverage for a method without intervals) are not glued: prose cannot quote them.

    Parameters
    ----------
    table : pandas.DataFrame
        Raw values, labelled by the names the keys are built from.
    prefix : str
        First part of every key.
    quantities : mapping or str, optional
        Quantity per column, or one for all.
    default : str
        Quantity of the columns nobody named.
    formatted : bool
        False: glue the raw floats instead (what chapters whose prose still formats with a
        spec, ``{glue:text}`name:.2f```, need until they are restyled).

    Returns
    -------
    dict of str to float
        Glue name -> raw value.

    Raises
    ------
    ValueError
        If ``table`` is not a DataFrame, ``quantities`` names a column it does not have,
        or a quantity is unknown.
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    wanted = column_quantities(table, quantities, default=default)
    values: dict[str, float] = {}
    for row, series in table.iterrows():
        for column, value in series.items():
            if _is_number(value):
                name = key(prefix, str(row), str(column))
                values[name] = float(value)
                if formatted:
                    glue(name, float(value), wanted[column])
                else:
                    myst_glue(name, float(value), display=False)
    return values


def column_quantities(table: pd.DataFrame, quantities: Mapping[str, str] | str | None = None,
                      *, default: str = "number") -> dict[Any, str]:
    """The quantity of each column: ``quantities``, else the names mapping, else ``default``.

    Raises
    ------
    ValueError
        If ``quantities`` names a column the table does not have, or a quantity is unknown.
    """
    if isinstance(quantities, str):
        out = dict.fromkeys(table.columns, quantities)
    else:
        given = dict(quantities or {})
        unknown = [c for c in given if c not in table.columns]
        if unknown:
            raise ValueError(
                f"quantities names column(s) {', '.join(map(repr, unknown))} that the table "
                f"does not have (columns: {', '.join(map(str, table.columns))})")
        out = {c: given.get(c) or names.column_quantity(c) or default for c in table.columns}
    for quantity in set(out.values()):
        _fmt.rule(quantity)
    return out


class _Figure:
    """A rendered figure: PNG at :data:`DPI`, its width in the output metadata."""

    def __init__(self, png: bytes, width: int, height: int, alt: str) -> None:
        self.png, self.width, self.height, self.alt = png, width, height, alt

    def _repr_mimebundle_(self, include: Any = None,
                          exclude: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        data = {"image/png": base64.b64encode(self.png).decode("ascii"),
                "text/plain": self.alt}
        return data, {"image/png": {"width": self.width, "height": self.height}}


def glue_figure(name: str, fig: Any, *, alt: str | None = None, close: bool = True) -> None:
    """Glue a matplotlib figure for ``{glue:figure}``, after checking it fits the column.

    The figure is rendered once as PNG at :data:`DPI` (its size in pixels is its size in
    inches times 100: what the page shows), then closed so that it is not shown a second
    time. In the markdown, give it a number, a name and an alt text::

        ```{glue:figure} confounding_observed_figure
        :name: fig-confounding-observed
        :alt: Causal graph, SHAP importance and each method's estimate against the truth

        What the figure shows, in one or two sentences (glued numbers allowed).
        ```

    and refer to it with ``{numref}`fig-confounding-observed```.

    Parameters
    ----------
    name : str
        The glue name.
    fig : matplotlib.figure.Figure
        The figure (at most :data:`MAX_WIDTH` inches wide).
    alt : str, optional
        A plain-text description stored with the image (the page takes its alt text from
        the directive's ``:alt:``).
    close : bool
        Close the figure after rendering it.

    Raises
    ------
    ValueError
        If ``name`` is empty, ``fig`` is not a matplotlib figure, or it is wider than
        :data:`MAX_WIDTH` inches.
    """
    from matplotlib.figure import Figure

    if not isinstance(name, str) or not name:
        raise ValueError(f"glue name must be a non-empty string, got {name!r}")
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    import matplotlib

    width_in, height_in = fig.get_size_inches()
    if width_in > MAX_WIDTH + 1e-9:
        raise ValueError(f"figure {name!r} is {width_in:.1f} in wide; the book's column "
                         f"takes at most {MAX_WIDTH:g} in (stack panels or split it)")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"savefig.bbox": "standard"}):  # the whole canvas, no crop
        fig.savefig(buffer, format="png", dpi=DPI)
    width, height = round(width_in * DPI), round(height_in * DPI)
    if close:
        import matplotlib.pyplot as plt

        plt.close(fig)
    myst_glue(name, _Figure(buffer.getvalue(), width, height, alt or f"Figure {name}"),
               display=False)
