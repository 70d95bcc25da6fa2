"""The scorecard chapter on the page: its heat maps, and its sweep as a summary, a figure and cells.

Part II's scorecard (``20_synthetic/07_scorecard``) compares every method on every
scenario (:func:`scorecard_figure` draws the two heat maps) and sweeps the strength of
confounding and the sample size for two levers (:func:`causalxai.synthetic.benchmark.sweep`).
The sweep's long table is reduced by :func:`summarize_sweep` (one row per case, method,
strength and size); :func:`sweep_overview` is the short table a reader sees first, and
:func:`sweep_error` the one cell the prose quotes, both read from that summary so that a
sentence and the table above it cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from causalxai import plots
from causalxai.names import display_name, method_name

__all__ = ["SWEEP_KEYS", "scorecard_figure", "summarize_sweep", "sweep_error", "sweep_figure",
           "sweep_listing", "sweep_overview"]

#: The columns of a sweep table that identify one point of the summary.
SWEEP_KEYS = ("case", "method", "strength", "n_samples")


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {', '.join(map(repr, missing))} "
                         f"(columns: {', '.join(map(str, frame.columns))})")


def summarize_sweep(grid: pd.DataFrame) -> pd.DataFrame:
    """Mean error, its spread and the abstention rate per case, method, strength and size.

    Parameters
    ----------
    grid : pandas.DataFrame
        Rows of :func:`causalxai.synthetic.benchmark.sweep` with a ``case`` column added
        (one per swept lever): ``case``, ``method``, ``strength``, ``n_samples``,
        ``error`` (estimate − truth, NaN when the method abstained) and ``abstained``.

    Returns
    -------
    pandas.DataFrame
        One row per (case, method, strength, n_samples), sorted by them, with
        ``mean_error`` and ``sd_error`` (mean and standard deviation of the error over the
        repetitions that answered) and ``abstained`` (share of repetitions that abstained).

    Raises
    ------
    ValueError
        If a column is missing or the grid is empty.
    """
    _require_columns(grid, [*SWEEP_KEYS, "error", "abstained"], "grid")
    if grid.empty:
        raise ValueError("grid has no rows: the sweep produced no estimate")
    return (grid.groupby(list(SWEEP_KEYS))
            .agg(mean_error=("error", "mean"), sd_error=("error", "std"),
                 abstained=("abstained", "mean")).reset_index())


def _point(summary: pd.DataFrame, case: str, method: str, strength: float,
           n_samples: int) -> pd.Series:
    _require_columns(summary, [*SWEEP_KEYS, "mean_error"], "summary")
    rows = summary[(summary["case"] == case) & (summary["method"] == method)
                   & np.isclose(summary["strength"], strength)
                   & (summary["n_samples"] == n_samples)]
    if len(rows) != 1:
        for column, value in zip(SWEEP_KEYS, (case, method, strength, n_samples), strict=True):
            known = sorted(set(summary[column]))
            if not (np.isclose(known, value).any() if column == "strength"
                    else value in known):
                raise ValueError(f"{column}={value!r} is not in the sweep "
                                 f"(it has {', '.join(map(str, known))})")
        raise ValueError(f"{len(rows)} rows for case={case!r}, method={method!r}, "
                         f"strength={strength!r}, n_samples={n_samples!r}; expected one "
                         "(give the summary of summarize_sweep)")
    return rows.iloc[0]


def sweep_error(summary: pd.DataFrame, case: str, method: str, strength: float,
                n_samples: int) -> float:
    """The mean error (estimate − truth) of one method at one point of the sweep.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize_sweep`.
    case, method : str
        The lever's case (as in the grid's ``case`` column) and the method's name.
    strength : float
        The confounding strength.
    n_samples : int
        The sample size.

    Returns
    -------
    float
        NaN if every repetition abstained.

    Raises
    ------
    ValueError
        If the point is not in the sweep (the message names the value and the ones the
        sweep has).

    Examples
    --------
    >>> summary = pd.DataFrame({"case": ["a"], "method": ["m"], "strength": [1.0],
    ...                         "n_samples": [100], "mean_error": [0.25]})
    >>> sweep_error(summary, "a", "m", 1.0, 100)
    0.25
    """
    return float(_point(summary, case, method, strength, n_samples)["mean_error"])


def sweep_overview(summary: pd.DataFrame, n_samples: int | None = None) -> pd.DataFrame:
    """The sweep in one short table: each method's mean error per confounding strength.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize_sweep`.
    n_samples : int, optional
        The sample size shown (default: the largest of the sweep).

    Returns
    -------
    pandas.DataFrame
        Index (``case``, ``method``) in the summary's order of cases and methods;
        one column per strength, named ``"Strength <s>"`` (``"Strength 2"``), holding the
        mean error (NaN where the method abstained in at least half of the repetitions),
        then ``abstained``, the method's abstention rate over all strengths at that size.
        Every cell equals :func:`sweep_error` at the same point, or is NaN.

    Raises
    ------
    ValueError
        If ``n_samples`` is not a size of the sweep, or a column is missing.
    """
    _require_columns(summary, [*SWEEP_KEYS, "mean_error", "abstained"], "summary")
    sizes = sorted(set(summary["n_samples"]))
    n = max(sizes) if n_samples is None else n_samples
    if n not in sizes:
        raise ValueError(f"n_samples={n!r} is not a size of the sweep "
                         f"(it has {', '.join(map(str, sizes))})")
    part = summary[summary["n_samples"] == n]
    answered = part["mean_error"].where(part["abstained"] < 0.5)
    table = (part.assign(mean_error=answered).set_index(["case", "method", "strength"])
             ["mean_error"].unstack("strength"))
    cases = list(dict.fromkeys(part["case"]))
    methods = list(dict.fromkeys(part["method"]))
    order = pd.MultiIndex.from_product([cases, methods], names=["case", "method"])
    table = table.reindex(order)
    table.columns = [f"Strength {s:g}" for s in table.columns]
    table["abstained"] = part.groupby(["case", "method"])["abstained"].mean().reindex(order)
    return table


def sweep_listing(summary: pd.DataFrame) -> pd.DataFrame:
    """Every point of the sweep, labelled for a reader's table (the long listing).

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize_sweep`.

    Returns
    -------
    pandas.DataFrame
        Index (``case``, ``method``, ``strength``, ``n_samples``), the strength written as
        in the headers of :func:`sweep_overview` (``"2"``, ``"0.5"``); columns
        ``mean_error``, ``sd_error``, ``abstained``, the summary's values unchanged.

    Raises
    ------
    ValueError
        If a column is missing.
    """
    _require_columns(summary, [*SWEEP_KEYS, "mean_error", "sd_error", "abstained"], "summary")
    out = summary.assign(strength=[f"{s:g}" for s in summary["strength"]])
    return out.set_index(list(SWEEP_KEYS))[["mean_error", "sd_error", "abstained"]]


def sweep_figure(summary: pd.DataFrame, *, width: float = plots.BOOK_WIDTH) -> plt.Figure:
    """Mean error ± one standard deviation against the confounding strength.

    One row of panels per case, one column per sample size; a method that abstained in at
    least half of the repetitions of a point is drawn as a cross at zero. Methods by their
    human names (:func:`causalxai.names.method_name`), in one legend below the panels.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`summarize_sweep`.
    width : float
        Inches, at most the book's column (:data:`causalxai.plots.BOOK_WIDTH`).

    Returns
    -------
    matplotlib Figure

    Raises
    ------
    ValueError
        If a column is missing or ``width`` is not in (0, BOOK_WIDTH].
    """
    _require_columns(summary, [*SWEEP_KEYS, "mean_error", "sd_error", "abstained"], "summary")
    plots.check_width(width)
    cases = list(dict.fromkeys(summary["case"]))
    sizes = sorted(set(summary["n_samples"]))
    methods = list(dict.fromkeys(summary["method"]))
    colours = {m: plots.PALETTE[i % len(plots.PALETTE)] for i, m in enumerate(methods)}
    with plots.book_style():
        fig, axes = plt.subplots(len(cases), len(sizes), squeeze=False, sharey="row",
                                 figsize=(width, 2.6 * len(cases) + 0.9))
        for i, case in enumerate(cases):
            for j, n in enumerate(sizes):
                ax = axes[i, j]
                part = summary[(summary["case"] == case) & (summary["n_samples"] == n)]
                for method in methods:
                    rows = part[part["method"] == method].sort_values("strength")
                    if rows.empty:
                        continue
                    if rows["abstained"].mean() >= 0.5:
                        ax.plot(rows["strength"], np.zeros(len(rows)), "x",
                                color=colours[method], markersize=7,
                                label=f"{method_name(method)} (abstains)")
                        continue
                    ax.errorbar(rows["strength"], rows["mean_error"], yerr=rows["sd_error"],
                                marker="o", markersize=4, capsize=3, color=colours[method],
                                label=method_name(method))
                ax.axhline(0, color="black", linewidth=0.8)
                ax.set_title(f"{case[0].upper()}{case[1:]},\nn = {n:,}", loc="left",
                             fontsize=9)
                if i == len(cases) - 1:
                    ax.set_xlabel("confounding strength")
            axes[i, 0].set_ylabel("estimate − truth")
        handles, labels = {}, {}
        for ax in axes.ravel():
            for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
                handles.setdefault(lab, h)
                labels.setdefault(lab, lab)
        fig.legend(list(handles.values()), list(labels.values()), loc="outside lower center",
                   ncol=2, frameon=False)
    return fig


def scorecard_figure(rel: pd.DataFrame, sign: pd.DataFrame, *, clip: float = 2.0,
                     width: float = plots.BOOK_WIDTH) -> plt.Figure:
    """Two stacked heat maps: the median relative error and the share of right signs.

    Parameters
    ----------
    rel, sign : pandas.DataFrame
        Methods (rows) by scenarios (columns): the median relative error on the
        identifiable effects, and the share of estimates with the right sign, with the same
        labels. Missing cells (no identifiable effect) stay blank.
    clip : float
        The error colour scale stops at this value (the annotation shows the real one).
    width : float
        Inches, at most the book's column.

    Returns
    -------
    matplotlib Figure
        (a) the error, annotated with two decimals; (b) the right-sign share, in %.
        Methods and scenarios by their human names.

    Raises
    ------
    ValueError
        If ``rel`` and ``sign`` do not have the same labels, ``clip`` is not positive or
        ``width`` is not in (0, BOOK_WIDTH].
    """
    for name, frame in (("rel", rel), ("sign", sign)):
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    if not (rel.index.equals(sign.index) and rel.columns.equals(sign.columns)):
        raise ValueError("rel and sign must have the same methods (rows) and scenarios "
                         "(columns) in the same order")
    if not clip > 0:
        raise ValueError(f"clip must be positive, got {clip!r}")
    plots.check_width(width)
    methods = [method_name(m) for m in rel.index]
    scenarios = [display_name(s) for s in rel.columns]
    n_rows, n_cols = rel.shape
    panel = 0.36 * n_rows + 0.6
    with plots.book_style():
        fig, axes = plt.subplots(2, 1, figsize=(width, 2 * panel + 1.6), sharex=True)
        panels = [(rel, "Reds", 0, clip, "median relative error (colour clipped at "
                   f"{clip:g})", "(a) Error on identifiable effects", "{:.2f}"),
                  (sign, "RdYlGn", 0, 1, "share with the right sign",
                   "(b) Right direction (or rightly no effect)", "{:.0%}")]
        for ax, (frame, cmap, vmin, vmax, label, title, text) in zip(axes, panels, strict=True):
            values = frame.to_numpy(dtype=float)
            image = ax.imshow(np.clip(values, vmin, vmax), cmap=cmap, vmin=vmin, vmax=vmax,
                              aspect="auto")
            for r in range(n_rows):
                for c in range(n_cols):
                    if np.isfinite(values[r, c]):
                        shade = (np.clip(values[r, c], vmin, vmax) - vmin) / (vmax - vmin)
                        dark = shade > 0.6 if cmap == "Reds" else not 0.25 < shade < 0.8
                        ax.text(c, r, text.format(values[r, c]), ha="center", va="center",
                                fontsize=7, color="white" if dark else "black")
            ax.set_yticks(range(n_rows), methods, fontsize=8)
            ax.set_title(title, loc="left")
            fig.colorbar(image, ax=ax, label=label, shrink=0.9, pad=0.02)
        axes[1].set_xticks(range(n_cols), scenarios, rotation=35, ha="right", fontsize=8)
        for ax in axes:
            ax.spines[:].set_visible(False)
    return fig
