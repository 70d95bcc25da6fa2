"""The 64 ratios of the Polish bankruptcy data read as accounting formulas: which balance-
sheet items each one uses, and which features are tied mechanically by a shared item.

:func:`parse_ratio` reads a published definition into its numerator and denominator
items, :func:`component_table` and :func:`features_by_component` tabulate them, and
:func:`mechanical_groups` joins the features sharing an item (connected components).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = [
    "POLISH_RATIOS",
    "component_table",
    "features_by_component",
    "mechanical_groups",
    "parse_ratio",
    "ratio_label",
]

#: Composite items and the balance-sheet items they are made of (used with ``expand``).
_COMPOSITES: dict[str, frozenset[str]] = {
    "working capital": frozenset({"current assets", "short-term liabilities"}),
    "constant capital": frozenset({"equity", "long-term liabilities"}),
}



#: Definitions of the 64 ratios of the Polish companies bankruptcy data, as published with
#: the data (UCI dataset 365, doi:10.24432/C5F600; Zięba, Tomczak & Tomczak, 2016, Expert
#: Systems with Applications 58:93-101, doi:10.1016/j.eswa.2016.04.001). ``Attr<i>`` is
#: ``X<i>`` of the source. Checked against the UCI/OpenML description text (X1-X15) and
#: against two independent transcriptions of the full UCI list (X1-X64), which agree
#: word for word. The unbalanced parenthesis of X52 is in the source.
POLISH_RATIOS: dict[str, str] = {
    "Attr1": "net profit / total assets",
    "Attr2": "total liabilities / total assets",
    "Attr3": "working capital / total assets",
    "Attr4": "current assets / short-term liabilities",
    "Attr5": "[(cash + short-term securities + receivables - short-term liabilities) / "
             "(operating expenses - depreciation)] * 365",
    "Attr6": "retained earnings / total assets",
    "Attr7": "EBIT / total assets",
    "Attr8": "book value of equity / total liabilities",
    "Attr9": "sales / total assets",
    "Attr10": "equity / total assets",
    "Attr11": "(gross profit + extraordinary items + financial expenses) / total assets",
    "Attr12": "gross profit / short-term liabilities",
    "Attr13": "(gross profit + depreciation) / sales",
    "Attr14": "(gross profit + interest) / total assets",
    "Attr15": "(total liabilities * 365) / (gross profit + depreciation)",
    "Attr16": "(gross profit + depreciation) / total liabilities",
    "Attr17": "total assets / total liabilities",
    "Attr18": "gross profit / total assets",
    "Attr19": "gross profit / sales",
    "Attr20": "(inventory * 365) / sales",
    "Attr21": "sales (n) / sales (n-1)",
    "Attr22": "profit on operating activities / total assets",
    "Attr23": "net profit / sales",
    "Attr24": "gross profit (in 3 years) / total assets",
    "Attr25": "(equity - share capital) / total assets",
    "Attr26": "(net profit + depreciation) / total liabilities",
    "Attr27": "profit on operating activities / financial expenses",
    "Attr28": "working capital / fixed assets",
    "Attr29": "logarithm of total assets",
    "Attr30": "(total liabilities - cash) / sales",
    "Attr31": "(gross profit + interest) / sales",
    "Attr32": "(current liabilities * 365) / cost of products sold",
    "Attr33": "operating expenses / short-term liabilities",
    "Attr34": "operating expenses / total liabilities",
    "Attr35": "profit on sales / total assets",
    "Attr36": "total sales / total assets",
    "Attr37": "(current assets - inventories) / long-term liabilities",
    "Attr38": "constant capital / total assets",
    "Attr39": "profit on sales / sales",
    "Attr40": "(current assets - inventory - receivables) / short-term liabilities",
    "Attr41": "total liabilities / ((profit on operating activities + depreciation) * (12/365))",
    "Attr42": "profit on operating activities / sales",
    "Attr43": "rotation receivables + inventory turnover in days",
    "Attr44": "(receivables * 365) / sales",
    "Attr45": "net profit / inventory",
    "Attr46": "(current assets - inventory) / short-term liabilities",
    "Attr47": "(inventory * 365) / cost of products sold",
    "Attr48": "EBITDA (profit on operating activities - depreciation) / total assets",
    "Attr49": "EBITDA (profit on operating activities - depreciation) / sales",
    "Attr50": "current assets / total liabilities",
    "Attr51": "short-term liabilities / total assets",
    "Attr52": "(short-term liabilities * 365) / cost of products sold)",
    "Attr53": "equity / fixed assets",
    "Attr54": "constant capital / fixed assets",
    "Attr55": "working capital",
    "Attr56": "(sales - cost of products sold) / sales",
    "Attr57": "(current assets - inventory - short-term liabilities) / "
              "(sales - gross profit - depreciation)",
    "Attr58": "total costs /total sales",
    "Attr59": "long-term liabilities / equity",
    "Attr60": "sales / inventory",
    "Attr61": "sales / receivables",
    "Attr62": "(short-term liabilities *365) / sales",
    "Attr63": "sales / short-term liabilities",
    "Attr64": "sales / fixed assets",
}


#: Phrases of the definitions and the accounting item each one names. Matched longest
#: first, on word boundaries. "current liabilities" (X32) is read as short-term
#: liabilities, "total sales" as sales, "book value of equity" as equity.
_ITEMS: dict[str, str] = {
    "gross profit (in 3 years)": "gross profit (3 years)",
    "profit on operating activities": "operating profit",
    "rotation receivables": "receivables",
    "inventory turnover in days": "inventory",
    "book value of equity": "equity",
    "cost of products sold": "cost of products sold",
    "short-term securities": "short-term securities",
    "short-term liabilities": "short-term liabilities",
    "current liabilities": "short-term liabilities",
    "long-term liabilities": "long-term liabilities",
    "total liabilities": "total liabilities",
    "extraordinary items": "extraordinary items",
    "financial expenses": "financial expenses",
    "operating expenses": "operating expenses",
    "retained earnings": "retained earnings",
    "constant capital": "constant capital",
    "working capital": "working capital",
    "current assets": "current assets",
    "profit on sales": "profit on sales",
    "share capital": "share capital",
    "fixed assets": "fixed assets",
    "total assets": "total assets",
    "gross profit": "gross profit",
    "total costs": "total costs",
    "total sales": "sales",
    "sales (n-1)": "sales (previous year)",
    "net profit": "net profit",
    "depreciation": "depreciation",
    "inventories": "inventory",
    "inventory": "inventory",
    "receivables": "receivables",
    "interest": "interest",
    "equity": "equity",
    "sales": "sales",
    "cash": "cash",
    "EBIT": "EBIT",
}


_PHRASES = sorted(_ITEMS, key=len, reverse=True)


_PATTERN = re.compile(
    "|".join(rf"(?<![\w-]){re.escape(ph)}(?![\w-])" for ph in _PHRASES)
)


def _feature_number(name: str) -> int:
    """The number in a feature name (``Attr17`` -> 17), for a natural sort order."""
    digits = re.sub(r"\D", "", name)
    return int(digits) if digits else 0


def _connected_groups(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components (of two or more nodes) of an undirected graph given by edges.

    Each group is sorted by feature number; largest groups first.
    """
    parent: dict[str, str] = {}

    def find(n: str) -> str:
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for n in list(parent):
        groups.setdefault(find(n), []).append(n)
    def key(name: str) -> tuple[int, str]:
        return _feature_number(name), name

    out = [sorted(g, key=key) for g in groups.values() if len(g) > 1]
    return sorted(out, key=lambda g: (-len(g), key(g[0])))


def _items(text: str) -> frozenset[str]:
    return frozenset(_ITEMS[m.group(0)] for m in _PATTERN.finditer(text))


def _main_division(text: str) -> int | None:
    """Position of the '/' with the fewest enclosing brackets (the first one if tied)."""
    depth, best, where = 0, None, None
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "/" and not text[i + 1:i + 4].isdigit() and (best is None or depth < best):
            best, where = depth, i
    return where


def parse_ratio(definition: str, *, expand: bool = False) -> tuple[frozenset[str], frozenset[str]]:
    """Accounting items in the numerator and the denominator of a ratio's definition.

    The main fraction bar is the ``/`` inside the fewest brackets (``12/365`` is a number,
    not a fraction bar). A definition without one (``working capital``, ``logarithm of
    total assets``) has all its items in the numerator.

    Parameters
    ----------
    definition : str
        A definition as in :data:`POLISH_RATIOS`.
    expand : bool
        Replace composite items (working capital, constant capital) by their parts.

    Returns
    -------
    (numerator, denominator) : tuple of frozenset of str

    Raises
    ------
    ValueError
        If the definition names no known accounting item.
    """
    cut = _main_division(definition)
    num = _items(definition if cut is None else definition[:cut])
    den = frozenset() if cut is None else _items(definition[cut + 1:])
    if not num | den:
        raise ValueError(f"no accounting item recognised in {definition!r}")
    if expand:
        def grow(items: frozenset[str]) -> frozenset[str]:
            return frozenset().union(*(_COMPOSITES.get(i, {i}) for i in items))
        num, den = grow(num), grow(den)
    return num, den


def component_table(
    definitions: Mapping[str, str] = POLISH_RATIOS, *, expand: bool = False
) -> pd.DataFrame:
    """One row per ratio: its definition, numerator and denominator items, all items.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature; columns ``definition``, ``numerator``, ``denominator``
        (sorted tuples) and ``items`` (frozenset, numerator and denominator together).
    """
    rows = {}
    for name, text in definitions.items():
        num, den = parse_ratio(text, expand=expand)
        rows[name] = {"definition": text, "numerator": tuple(sorted(num)),
                      "denominator": tuple(sorted(den)), "items": num | den}
    return pd.DataFrame.from_dict(rows, orient="index")


def features_by_component(
    definitions: Mapping[str, str] = POLISH_RATIOS, *, expand: bool = False,
    where: str = "any",
) -> dict[str, list[str]]:
    """For each accounting item, the ratios built with it.

    Parameters
    ----------
    where : {"any", "numerator", "denominator"}
        Where the item must appear.

    Returns
    -------
    dict of str to list of str
        Items sorted by how many ratios use them (most first).
    """
    if where not in {"any", "numerator", "denominator"}:
        raise ValueError(f"where must be 'any', 'numerator' or 'denominator', got {where!r}")
    table = component_table(definitions, expand=expand)
    out: dict[str, list[str]] = {}
    for name, row in table.iterrows():
        items = row["items"] if where == "any" else frozenset(row[where])
        for item in items:
            out.setdefault(item, []).append(name)
    return dict(sorted(out.items(), key=lambda kv: (-len(kv[1]), kv[0])))


def mechanical_groups(
    definitions: Mapping[str, str] = POLISH_RATIOS, *, expand: bool = True,
    min_jaccard: float = 1.0,
) -> list[list[str]]:
    """Groups of ratios built from the same accounting items.

    Two ratios are linked when the Jaccard similarity of their item sets (numerator and
    denominator together) is at least ``min_jaccard``; groups are the connected components
    of that graph. With the default ``1.0`` a group holds ratios made of exactly the same
    items: reciprocals (total liabilities / total assets and its inverse), re-scalings
    (days of sales against turnover), the same quantity spelled twice, or a ratio and a
    difference of the same two items (current assets / short-term liabilities against
    working capital). A change in any of these items moves every ratio of the group.

    Returns
    -------
    list of list of str
        Groups of two or more ratios, each sorted by feature number, largest groups first.

    Raises
    ------
    ValueError
        If ``min_jaccard`` is not in (0, 1].
    """
    if not 0 < min_jaccard <= 1:
        raise ValueError(f"min_jaccard must be in (0, 1], got {min_jaccard!r}")
    items = component_table(definitions, expand=expand)["items"].to_dict()
    edges = [
        (a, b) for a, b in itertools.combinations(items, 2)
        if len(items[a] & items[b]) / len(items[a] | items[b]) >= min_jaccard
    ]
    return _connected_groups(edges)


def ratio_label(attr: str, width: int = 46) -> str:
    """``"Attr27: <definition>"``, the definition cut to ``width`` characters with "…".

    Raises
    ------
    KeyError
        If ``attr`` is not one of the 64 ratios (:data:`POLISH_RATIOS`).
    ValueError
        If ``width`` is smaller than 2.
    """
    if attr not in POLISH_RATIOS:
        raise KeyError(f"{attr!r} is not a Polish ratio (Attr1 ... Attr64)")
    if width < 2:
        raise ValueError(f"width must be at least 2, got {width}")
    text = POLISH_RATIOS[attr]
    return f"{attr}: {text if len(text) <= width else text[:width - 1] + '…'}"
