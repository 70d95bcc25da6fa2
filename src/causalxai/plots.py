"""Figures shared by the chapters: the book's style, causal graphs, estimate-versus-truth charts,
sweeps.

Every figure of the book is drawn under :func:`book_style` (at most 7 inches wide, fonts
of 9-11 pt, one colour-blind-safe palette, :data:`PALETTE`) and labels methods and
features by their human names (:mod:`causalxai.names`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from cycler import cycler
from matplotlib.transforms import offset_copy

from causalxai.glue import MAX_WIDTH
from causalxai.names import feature_name, method_name

__all__ = ["BOOK_WIDTH", "PALETTE", "ROLE_COLOURS", "STYLE", "book_style", "check_width",
           "draw_graph", "estimates_vs_truth", "methods_vs_truth", "sweep_lines", "sweep_summary"]

#: Width of a full-column figure, inches (the widest :func:`causalxai.glue.glue_figure` takes).
BOOK_WIDTH = MAX_WIDTH


def check_width(width: float) -> float:
    """``width`` (inches) if a figure that wide fits the book's column; ValueError otherwise."""
    if not 0 < width <= BOOK_WIDTH:
        raise ValueError(f"width must be in (0, {BOOK_WIDTH:g}] inches, got {width!r}")
    return width


#: One colour per series, colour-blind safe (Okabe & Ito, then Tol's muted), in order.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#882255",
           "#999933", "#44AA99", "#666666"]

#: The book's matplotlib settings (see :func:`book_style`).
STYLE: dict[str, Any] = {
    "figure.figsize": (BOOK_WIDTH, 4.0),
    "figure.dpi": 100,  # 7 in -> 700 px, the content column at its natural size
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.titlesize": 11,
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
}


class book_style:  # lower case: called like a function, ``book_style()``
    """Apply the book's figure style; as a context manager, only inside the block.

    >>> book_style()            # doctest: +SKIP  (top of a notebook: every figure after it)
    >>> with book_style():      # doctest: +SKIP  (only these figures)
    ...     fig = study_figure(st)

    The style (:data:`STYLE`): figures :data:`BOOK_WIDTH` (7) inches wide by default at
    100 dpi, constrained layout, 10 pt text (9 pt ticks and legends, 11 pt titles), the
    palette :data:`PALETTE`, no top/right spines, legends without frame.
    """

    def __init__(self) -> None:
        self._saved = dict(mpl.rcParams.copy())
        mpl.rcParams.update(STYLE)
        _show_whole_canvas()

    def __enter__(self) -> book_style:
        return self

    def __exit__(self, *exc: object) -> None:
        dict.update(mpl.rcParams, self._saved)  # as matplotlib.rc_context restores


def _show_whole_canvas() -> None:
    """In a notebook, show figures (``plt.show()``) as their whole canvas, as
    :func:`causalxai.glue.glue_figure` does: the inline backend's default crops or pads
    to the drawn area (``bbox_inches="tight"``), so that a 7 in figure came out 711 px."""
    import sys

    if "IPython" not in sys.modules or "inline" not in mpl.get_backend():
        return
    from IPython import get_ipython

    if get_ipython() is None:
        return
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png", bbox_inches=None)


def _wrap(text: str, width: int = 11) -> str:
    # a word is never cut ("Interactions" is not "Interaction / s"); a longer one overflows
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text

#: One colour per feature role (see :data:`causalxai.synthetic.scenarios.ROLES`).
ROLE_COLOURS = {
    "outcome": "#d62728",
    "lever": "#2ca02c",
    "confounded lever": "#98df8a",
    "lever via mediator": "#17becf",
    "mediator": "#9edae5",
    "confounder": "#ff7f0e",
    "symptom": "#9467bd",
    "non-actionable": "#7f7f7f",
    "collider": "#e377c2",
    "proxy": "#c7c7c7",
    "redundant proxy": "#dbdb8d",
    "effect modifier": "#bcbd22",
    "latent": "#ffffff",
}


def _layers(graph: nx.DiGraph) -> dict[str, np.ndarray]:
    """Left-to-right layout by longest path from a root; nodes spread vertically."""
    depth: dict[str, int] = {}
    for node in nx.topological_sort(graph):
        preds = list(graph.predecessors(node))
        depth[node] = 1 + max(depth[p] for p in preds) if preds else 0
    pos = {}
    for d in set(depth.values()):
        column = [v for v in depth if depth[v] == d]
        for i, v in enumerate(column):
            pos[v] = np.array([d, (len(column) - 1) / 2 - i])
    return pos


def draw_graph(
    scm: nx.DiGraph | object,
    roles: Mapping[str, str] | None = None,
    outcome: str | None = None,
    ax: plt.Axes | None = None,
    context: str | None = None,
) -> plt.Axes:
    """Draw the causal graph, coloured by role; latent nodes dashed; human node names.

    Parameters
    ----------
    scm : networkx.DiGraph or an object with a ``graph`` attribute
        The model whose graph is drawn (e.g. a :class:`causalxai.causal.scm.SCM`), or the graph itself (node attribute ``latent``),
        e.g. ``Scenario.causal_graph`` which hides pure noise nodes.
    roles : mapping, optional
        Role of each observed feature (colours and legend).
    outcome : str, optional
        Node drawn as the outcome.
    ax : matplotlib Axes, optional
        Where to draw.
    context : str, optional
        Scenario or data set, for the feature names (:func:`causalxai.names.feature_name`).

    Returns
    -------
    matplotlib Axes
    """
    graph = scm if isinstance(scm, nx.DiGraph) else scm.graph
    roles = dict(roles or {})
    ax = ax or plt.subplots(figsize=(BOOK_WIDTH, 3.5))[1]
    pos = _layers(graph)

    def role(v: str) -> str:
        if v == outcome:
            return "outcome"
        if graph.nodes[v].get("latent"):
            return "latent"
        return roles.get(v, "lever")

    colours = [ROLE_COLOURS.get(role(v), "#cccccc") for v in graph.nodes]
    styles = ["dashed" if graph.nodes[v].get("latent") else "solid" for v in graph.nodes]
    nx.draw_networkx_edges(graph, pos, ax=ax, arrowsize=16, node_size=2600,
                           edge_color="#555555")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=2600,
                           edgecolors="#333333", linewidths=1.2)
    for v, style in zip(graph.nodes, styles, strict=True):
        if style == "dashed":
            ax.scatter(*pos[v], s=2600, facecolors="none", edgecolors="#333333",
                       linestyles="dashed", linewidths=1.2, zorder=3)
    labels = {v: _wrap(feature_name(v, context))
              + ("\n(latent)" if graph.nodes[v].get("latent") else "") for v in graph.nodes}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=9)
    used = dict.fromkeys(role(v) for v in graph.nodes)
    handles = [plt.Line2D([], [], marker="o", linestyle="", markersize=10,
                          markerfacecolor=ROLE_COLOURS.get(r, "#cccccc"),
                          markeredgecolor="#333333", label=r) for r in used]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=4,
              frameon=False, fontsize=9)
    ax.set_axis_off()
    ax.margins(0.12)
    return ax


def estimates_vs_truth(
    table: pd.DataFrame,
    *,
    estimate: str = "mean",
    low: str | None = "q025",
    high: str | None = "q975",
    truth: str = "truth",
    label: str = "estimate",
    ax: plt.Axes | None = None,
    context: str | None = None,
) -> plt.Axes:
    """Horizontal chart of an estimate (with its range) beside the true effect.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by feature, with the named columns.
    estimate, low, high, truth : str
        Column names (``low``/``high`` None: no error bars).
    label : str
        Legend label of the estimate.
    ax : matplotlib Axes, optional
        Where to draw.
    context : str, optional
        Scenario or data set, for the feature names on the y axis.

    Returns
    -------
    matplotlib Axes
    """
    ax = ax or plt.subplots(figsize=(BOOK_WIDTH, 0.55 * len(table) + 1))[1]
    y = np.arange(len(table))[::-1]
    ax.barh(y + 0.18, table[truth], height=0.36, color="#333333", label="true effect (do)")
    xerr = None
    if low and high:
        xerr = np.vstack([table[estimate] - table[low], table[high] - table[estimate]])
    ax.barh(y - 0.18, table[estimate], height=0.36, color=PALETTE[0], xerr=xerr,
            capsize=3, label=label)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [feature_name(f, context) for f in table.index])
    ax.legend(loc="best")
    return ax


def methods_vs_truth(
    scored: pd.DataFrame,
    *,
    features: list[str] | None = None,
    methods: list[str] | None = None,
    ax: plt.Axes | None = None,
    context: str | None = None,
) -> plt.Axes:
    """Each method's estimate (mean and 2.5–97.5 % range over repetitions) per feature,
    beside the true effect; abstentions are marked with a cross.

    Parameters
    ----------
    scored : pandas.DataFrame
        Indexed by (method, feature), with columns ``mean``, ``q025``, ``q975``, ``truth``
        and ``abstain_rate`` (as from :func:`causalxai.synthetic.benchmark.score`).
    features, methods : list of str, optional
        Which rows and in which order (default: all, in the table's order).
    ax : matplotlib Axes, optional
        Where to draw.
    context : str, optional
        Scenario or data set, for the feature names on the y axis.

    Returns
    -------
    matplotlib Axes
        Methods in the legend (below the chart) by their human names
        (:func:`causalxai.names.method_name`), in the colours of :data:`PALETTE`.
    """
    methods = methods or list(dict.fromkeys(scored.index.get_level_values(0)))
    features = features or list(dict.fromkeys(scored.index.get_level_values(1)))
    ax = ax or plt.subplots(figsize=(BOOK_WIDTH, 0.9 * len(features) + 2.0))[1]
    step = 0.8 / max(len(methods), 1)
    for i, feature in enumerate(features):
        base = len(features) - 1 - i
        truth = float(scored.xs(feature, level=1)["truth"].iloc[0])
        ax.plot([truth, truth], [base - 0.45, base + 0.45], color="black", linewidth=2.5,
                label="true effect (do)" if i == 0 else None, zorder=3)
        for j, method in enumerate(methods):
            y = base + 0.4 - step * (j + 0.5)
            row = scored.loc[(method, feature)]
            colour = PALETTE[j % len(PALETTE)]
            if row["abstain_rate"] >= 0.5:
                ax.plot([truth], [y], marker="x", color=colour, markersize=7, linestyle="",
                        label=method_name(method) if i == 0 else None)
                continue
            ax.errorbar(row["mean"], y, xerr=[[row["mean"] - row["q025"]],
                                             [row["q975"] - row["mean"]]],
                        fmt="o", color=colour, markersize=4, capsize=2,
                        label=method_name(method) if i == 0 else None)
    ax.axvline(0, color="#999999", linewidth=0.8)
    ax.set_yticks(range(len(features)), [feature_name(f, context) for f in features[::-1]])
    ax.set_xlabel("estimated effect of the shift (× = abstained)")
    below = offset_copy(ax.transAxes, fig=ax.figure, y=-34, units="points")  # under the x label
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below, ncol=2,
              frameon=False)
    return ax


def sweep_summary(
    table: pd.DataFrame,
    x: str,
    names: Mapping[str, str] | list[str] | str,
    *,
    by: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean and interval of glued values per value of one swept parameter.

    Parameters
    ----------
    table : pandas.DataFrame
        A sweep table (``python -m causalxai sweep``): one column per swept parameter,
        then ``name`` (the glued value's name) and ``value``.
    x : str
        The swept parameter on the horizontal axis.
    names : str, list of str or mapping of str to str
        The glued values to summarise, one line each (e.g. each method's error), or a
        mapping of glue name to the line's label.
    by : str, optional
        A swept parameter whose values are the lines instead (then ``names`` is one name).
    level : float
        The interval is the central ``level`` range across the remaining parameters
        (e.g. the seeds): its ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles.

    Returns
    -------
    pandas.DataFrame
        Columns ``line``, ``x`` (named after ``x``), ``mean``, ``low``, ``high``, ``n``
        (repetitions), in the order of the lines and of ``x``.

    Raises
    ------
    ValueError
        If ``x``/``by`` is not a column, a name is not in the table, or ``by`` is given
        with several names.
    """
    labels = {names: names} if isinstance(names, str) else (
        dict(names) if isinstance(names, Mapping) else {n: n for n in names})
    for column in [x, *([by] if by else [])]:
        if column not in table.columns or column in {"name", "value"}:
            raise ValueError(f"{column!r} is not a swept parameter of the table "
                             f"(columns: {', '.join(map(str, table.columns))})")
    missing = sorted(set(labels) - set(table["name"]))
    if missing:
        raise ValueError(f"not in the table: {', '.join(missing)} "
                         f"(glued names: {', '.join(sorted(set(table['name']))[:20])}...)")
    if by and len(labels) != 1:
        raise ValueError(f"with by={by!r}, give one glued name, not {len(labels)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    rows = table[table["name"].isin(labels)].copy()
    rows["line"] = (rows[by].astype(str) if by else rows["name"].map(labels))
    order = list(dict.fromkeys(rows[by].astype(str))) if by else list(labels.values())
    grouped = rows.groupby(["line", x], sort=False)["value"]
    out = pd.DataFrame({
        "mean": grouped.mean(),
        "low": grouped.quantile((1 - level) / 2),
        "high": grouped.quantile((1 + level) / 2),
        "n": grouped.count(),
    }).reset_index()
    out["line"] = pd.Categorical(out["line"], categories=order, ordered=True)
    return out.sort_values(["line", x]).reset_index(drop=True)


def sweep_lines(
    table: pd.DataFrame,
    x: str,
    names: Mapping[str, str] | list[str] | str,
    *,
    by: str | None = None,
    level: float = 0.95,
    ylabel: str = "",
    xlabel: str | None = None,
    log_x: bool = False,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """The standard sweep figure: one line per method (or per value of ``by``), its mean
    against the swept parameter ``x`` and a shaded interval across repetitions.

    Parameters are those of :func:`sweep_summary`, and the axis labels, a log scale for
    ``x`` and where to draw.

    Returns
    -------
    matplotlib Axes
    """
    summary = sweep_summary(table, x, names, by=by, level=level)
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    colours = plt.get_cmap("tab10")
    for i, (line, part) in enumerate(summary.groupby("line", sort=True, observed=True)):
        colour = colours(i % 10)
        ax.plot(part[x], part["mean"], marker="o", markersize=4, color=colour, label=str(line))
        ax.fill_between(part[x], part["low"], part["high"], color=colour, alpha=0.2,
                        linewidth=0)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel if xlabel is not None else x.replace("_", " "))
    ax.set_ylabel(ylabel)
    n = int(summary["n"].max()) if len(summary) else 0
    ax.set_title(f"mean and central {level:.0%} range over {n} repetitions", fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    return ax
