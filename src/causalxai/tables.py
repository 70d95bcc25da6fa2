"""Tables as a reader meets them: display names and units, numbers rounded by quantity, no noise.

:func:`reader_table` takes the raw DataFrame a chapter computed and returns a
:class:`ReaderTable` that a notebook cell displays as HTML:

- headers and row labels by :mod:`causalxai.names` (``median_rel_error`` -> "Median
  relative error", ``GraphDML[linear]`` -> "Graph double ML (linear)");
- cells by :func:`causalxai.fmt.fmt`, each column with its quantity (given, else the one
  :func:`causalxai.names.column_quantity` knows, else ``default``);
- the index shown as ordinary first columns when it means something (it has a name, or
  its labels are not ``0, 1, 2, ...``), dropped otherwise; no all-NaN columns; the
  columns named in ``first`` first; every column shown (no ``...``), no cell cut;
- optionally, every cell glued for the prose under ``<glue>_<row>_<column>`` with the same
  quantity (:func:`causalxai.glue.glue_table`), so that a sentence quoting the table prints
  exactly what the table shows.

Long listings (hashes, sweeps, per-seed rows) are displayed in a cell tagged
``hide-output`` (collapsed, one click away), see CONTRIBUTING.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Mapping, Sequence

import pandas as pd
from pandas.io.formats.style import Styler

from causalxai import fmt as _fmt
from causalxai import glue as _glue
from causalxai import names

__all__ = ["ReaderTable", "meaningful_index", "reader_table"]


class ReaderTable:
    """A table ready for the page (what :func:`reader_table` returns).

    Attributes
    ----------
    data : pandas.DataFrame
        The raw values shown (columns kept and ordered, index as it was).
    text : pandas.DataFrame
        What the reader sees: display headers, formatted cells, index as columns.
    glued : dict of str to float
        The values glued for the prose (empty unless ``glue`` was given).
    caption : str or None
        Shown above the table.
    """

    def __init__(self, data: pd.DataFrame, text: pd.DataFrame, glued: dict[str, float],
                 caption: str | None = None, right: Sequence[int] = ()) -> None:
        self.data, self.text, self.glued, self.caption = data, text, glued, caption
        self._right = list(right)

    def to_html(self) -> str:
        """The table as HTML: no index column, numbers right-aligned, nothing truncated."""
        # ids from the content: the same table gives the same HTML (stable outputs), two
        # tables of a page do not share their CSS selectors
        digest = hashlib.sha256(self.text.to_json().encode() + repr(self._right).encode())
        styler = Styler(self.text, uuid=digest.hexdigest()[:10], cell_ids=False)
        styler = styler.hide(axis="index").set_table_attributes('class="dataframe reader-table"')
        styles = [{"selector": f"td.col{i}, th.col_heading.col{i}", "props": "text-align: right"}
                  for i in self._right]
        if styles:
            styler = styler.set_table_styles(styles, overwrite=False)
        if self.caption:
            styler = styler.set_caption(self.caption)
        return styler.to_html()

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        body = self.text.to_string(index=False) if len(self.text.columns) else "(no columns)"
        return f"{self.caption}\n{body}" if self.caption else body


def meaningful_index(index: pd.Index) -> bool:
    """Whether an index says something (a name, or labels other than ``0, 1, ..., n-1``)."""
    if any(name is not None for name in index.names):
        return True
    if isinstance(index, pd.RangeIndex):
        return not (index.start == 0 and index.step == 1)
    if index.dtype.kind in "iu":
        return list(index) != list(range(len(index)))
    return True


def _header(label: Hashable, context: str | None, overrides: Mapping[Hashable, str]) -> str:
    if label in overrides:
        return overrides[label]
    if isinstance(label, tuple):
        return ", ".join(_header(part, context, overrides) for part in label if part != "")
    if label is None:
        return ""
    return names.display_name(label, context) if isinstance(label, str) else str(label)


def reader_table(frame: pd.DataFrame | pd.Series,
                 quantities: Mapping[str, str] | str | None = None, *,
                 context: str | None = None, first: Sequence[Hashable] = (),
                 index: bool | None = None, drop_empty: bool = True,
                 overrides: Mapping[Hashable, str] | None = None, default: str = "number",
                 glue: str | None = None, caption: str | None = None) -> ReaderTable:
    """What a reader should see of ``frame``.

    Parameters
    ----------
    frame : pandas.DataFrame or Series
        The raw table, labelled by code names (methods, features, snake_case columns).
    quantities : mapping or str, optional
        :mod:`causalxai.fmt` quantity per column (raw column names), or one for all.
    context : str, optional
        Scenario or data-set name, for feature names (:func:`causalxai.names.feature_name`).
    first : sequence, optional
        Raw column names to put first, in this order (the important ones).
    index : bool, optional
        Show the index as first column(s); default: when :func:`meaningful_index`.
    drop_empty : bool
        Leave out columns with no value at all.
    overrides : mapping, optional
        Display names for this table only (raw label -> header or row label).
    default : str
        Quantity of columns nobody named.
    glue : str, optional
        Glue prefix: glue every finite cell as ``<glue>_<row>_<column>`` (raw labels).
    caption : str, optional
        A caption above the table.

    Returns
    -------
    ReaderTable

    Raises
    ------
    ValueError
        If ``frame`` is not a DataFrame/Series, ``first`` or ``quantities`` names a column
        the table does not have, or a quantity is unknown.

    Examples
    --------
    >>> board = pd.DataFrame({"median_rel_error": [0.021, 0.25]},
    ...                      index=pd.Index(["GraphDML[linear]", "ShapSlope"], name="method"))
    >>> print(reader_table(board))
                      Method Median relative error
    Graph double ML (linear)                2.1 %
                  SHAP slope                 25 %
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}")
    overrides = dict(overrides or {})
    missing = [c for c in first if c not in frame.columns]
    if missing:
        raise ValueError(f"first names column(s) {', '.join(map(repr, missing))} that the "
                         f"table does not have (columns: {', '.join(map(str, frame.columns))})")
    wanted = _glue.column_quantities(frame, quantities, default=default)
    glued = _glue.glue_table(frame, glue, wanted) if glue else {}
    data = frame
    if drop_empty:
        data = data.loc[:, [c for c in data.columns if data[c].notna().any()]]
    data = data[[*first, *[c for c in data.columns if c not in first]]]

    text = _fmt.fmt_table(data, {c: wanted[c] for c in data.columns})
    text.columns, text.index = range(len(data.columns)), range(len(data))
    headers = [_header(c, context, overrides) for c in data.columns]
    right = [i for i, c in enumerate(data.columns) if wanted[c] != "text"
             and pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c])]
    show_index = meaningful_index(data.index) if index is None else index
    if show_index:
        idx = data.index
        levels = [idx.get_level_values(i) for i in range(idx.nlevels)]
        for depth, level in reversed(list(enumerate(levels))):
            labels = [_header(v, context, overrides) if isinstance(v, str | tuple)
                      else _fmt.fmt(v, "text" if isinstance(v, str) else _index_quantity(level))
                      for v in level]
            text.insert(0, f"_index{depth}", labels)
            headers.insert(0, _header(level.name, context, overrides))
        right = [i + idx.nlevels for i in right]
    text.columns = _unique(headers)
    return ReaderTable(data, text, glued, caption, right)


def _unique(headers: list[str]) -> list[str]:
    """Headers made distinct (a page table needs unique columns): a repeated header gets
    a number, a repeated empty one (unnamed index levels) one more space."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        n = seen.get(h, 0)
        seen[h] = n + 1
        out.append(h if n == 0 else (h + " " * n if not h.strip() else f"{h} ({n + 1})"))
    return out


def _index_quantity(level: pd.Index) -> str:
    name = level.name
    quantity = names.column_quantity(name) if isinstance(name, str) else None
    if quantity:
        return quantity
    return "count" if level.dtype.kind in "iu" else "number"

