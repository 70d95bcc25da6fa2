"""Put a study on the page: its standard figure, and its numbers glued for the prose.

Top layer: used by notebooks only. Glue names are built by :func:`causalxai.glue.key` so
that prose can refer to any number of a study, e.g. ``{glue:text}`symptom_late_payments_shapslope```.

``key`` and ``glue_table`` live in :mod:`causalxai.glue`; they are importable from here too
so that chapters not yet restyled keep working. Until they are, :func:`glue_table` here
and :func:`glue_study` (``formatted=False``, the default) glue *raw* numbers, because their
prose still formats with a spec (``:.2f``, ``:.1%``); a restyled chapter passes
``formatted=True`` and quotes ``{glue:text}`name``` without a spec.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from causalxai import glue as _glue
from causalxai import plots
from causalxai.causal.validity import plot_labelled_importance
from causalxai.glue import key
from causalxai.synthetic.benchmark import Study
from causalxai.tables import ReaderTable, reader_table

__all__ = ["PANELS", "estimate_table", "glue_study", "glue_table", "key", "show_study",
           "study_figure", "verdict"]

#: The panels of :func:`study_figure`, in their order.
PANELS = ("graph", "importance", "methods")


def estimate_table(st: Study) -> pd.DataFrame:
    """The study's mean estimates: one row per method, one column per feature, truth first.

    The numbers :func:`glue_study` glues as ``<prefix>_<feature>_<method>`` and
    ``<prefix>_<feature>_truth``, so that prose quoting them quotes this table; show it
    with :func:`causalxai.tables.reader_table` (``default="effect"``). An abstention is
    NaN (shown "—").

    Returns
    -------
    pandas.DataFrame
        Index ``method`` (``"truth"``, then the methods in the study's order), columns
        the scenario's features.
    """
    means = st.scored["mean"].unstack("feature")
    methods = list(dict.fromkeys(st.scored.index.get_level_values(0)))
    abstained = st.scored["abstain_rate"].unstack("feature") >= 0.5
    table = means.where(~abstained).loc[methods, st.scenario.features]
    truth = pd.DataFrame([st.evaluation.truth.loc[st.scenario.features, "effect"].to_numpy()],
                         index=["truth"], columns=st.scenario.features)
    return pd.concat([truth, table]).rename_axis("method")


def glue_study(st: Study, prefix: str | None = None, *,
               formatted: bool = False) -> dict[str, object]:
    """Glue every number of a study for the prose, and return them.

    Per feature ``f``: ``<prefix>_<f>_truth``, ``_rank`` (SHAP importance rank, as in the
    figure), ``_label``; per method ``m``: ``<prefix>_<f>_<m>`` (mean estimate, the cell
    of :func:`estimate_table`;
    not glued when the method abstained, so prose cannot quote a number that does not
    exist) and ``<prefix>_<f>_<m>_abstained`` ("yes"/"no"). SHAP's slope is quoted as
    the ``ShapSlope`` method's cell (``<prefix>_<f>_shapslope``), never from a second
    computation (the study's single SHAP summary), so prose and table cannot disagree.

    Parameters
    ----------
    st : Study
        The study.
    prefix : str, optional
        First part of every name (default: the scenario's name).
    formatted : bool
        Glue with :func:`causalxai.glue.glue` (effects as ``effect``, ranks as ``count``),
        for prose that quotes ``{glue:text}`name``` without a format spec; False (the
        chapters not yet restyled): the raw values.

    Returns
    -------
    dict of str to object
        Glue name -> raw value.
    """
    prefix = prefix or st.scenario.name
    values: dict[str, object] = {}
    ranks = st.shap["importance"].rank(ascending=False, method="min").astype(int)
    labels = st.evaluation.labels
    for feature in st.scenario.features:
        values[key(prefix, feature, "truth")] = st.truth(feature)
        values[key(prefix, feature, "rank")] = int(ranks[feature])
        values[key(prefix, feature, "label")] = labels.loc[feature, "text"]
        for method in dict.fromkeys(st.scored.index.get_level_values(0)):
            row = st.scored.loc[(method, feature)]
            abstained = row["abstain_rate"] >= 0.5
            if not abstained:  # an abstention has no number to quote
                values[key(prefix, feature, method)] = float(row["mean"])
            values[key(prefix, feature, method, "abstained")] = "yes" if abstained else "no"
    for name, value in values.items():
        if not formatted:
            _glue.myst_glue(name, value, display=False)
        elif isinstance(value, str):
            _glue.glue(name, value, "text")
        else:
            _glue.glue(name, value, "count" if name.endswith("_rank") else "effect")
    return values


def study_figure(st: Study, *, panels: Sequence[str] = PANELS,
                 width: float = plots.BOOK_WIDTH) -> plt.Figure:
    """The causal graph, the labelled SHAP importance and every method against the truth.

    The panels are stacked (one column, the book's width), so that each is readable at the
    page's size; ``panels`` picks some of them, e.g. two figures with their own captions:
    ``study_figure(st, panels=["graph"])`` and ``study_figure(st, panels=["importance",
    "methods"])``.

    Parameters
    ----------
    st : Study
        The study.
    panels : sequence of {"graph", "importance", "methods"}
        Which panels, top to bottom.
    width : float
        Inches (at most the book's column, :data:`causalxai.plots.BOOK_WIDTH`).

    Returns
    -------
    matplotlib Figure

    Raises
    ------
    ValueError
        If a panel is unknown or repeated, none is asked for, or ``width`` is not in
        (0, BOOK_WIDTH].
    """
    panels = list(panels)
    unknown = [p for p in panels if p not in PANELS]
    if unknown or not panels or len(set(panels)) < len(panels):
        raise ValueError(f"panels must be distinct names among {', '.join(PANELS)}, "
                         f"got {panels!r}")
    plots.check_width(width)
    sc = st.scenario
    n = len(sc.features)
    heights = {"graph": 3.0, "importance": 0.45 * n + 1.0, "methods": 0.8 * n + 2.2}
    with plots.book_style():
        fig, axes = plt.subplots(len(panels), 1, squeeze=False,
                                 figsize=(width, sum(heights[p] for p in panels)),
                                 gridspec_kw={"height_ratios": [heights[p] for p in panels]})
        letters = "abc"
        for i, (panel, ax) in enumerate(zip(panels, axes[:, 0], strict=True)):
            tag = f"({letters[i]}) " if len(panels) > 1 else ""
            if panel == "graph":
                plots.draw_graph(sc.causal_graph, sc.roles, outcome=sc.outcome, ax=ax,
                                 context=sc.name)
                ax.set_title(f"{tag}Causal graph (dashed: not in the data)", loc="left")
            elif panel == "importance":
                plot_labelled_importance(st.shap["importance"], st.evaluation.labels, ax=ax,
                                         context=sc.name)
                ax.set_title(f"{tag}SHAP importance, with its causal validity label",
                             loc="left")
            else:
                plots.methods_vs_truth(st.scored, features=sc.features, ax=ax,
                                       context=sc.name)
                ax.set_title(f"{tag}Each method's estimate against the true effect",
                             loc="left")
    return fig


def show_study(st: Study, prefix: str | None = None, *, alt: str,
               caption: str = "Mean estimate over repetitions, and the true effect",
               story: bool = True) -> ReaderTable:
    """Put one study on the page: its story, figure, estimate table and glued numbers.

    The block every Part II scenario needs, in one call, so that the prose, the figure
    and the table all read the same computation:

    - the scenario's story, in italics (``story=True``);
    - :func:`study_figure`, glued as ``<prefix>_figure`` (show it with
      ``{glue:figure}`` and a numbered caption in the markdown);
    - every number of the study glued by :func:`glue_study` (``formatted=True``), under
      the names of the table's cells (``<prefix>_<feature>_<method>``,
      ``<prefix>_<feature>_truth``);
    - the returned table, :func:`estimate_table` as a reader sees it.

    Parameters
    ----------
    st : Study
        The study.
    prefix : str, optional
        First part of every glue name (default: the scenario's name).
    alt : str
        Plain-text description of the figure, stored with the image.
    caption : str
        Caption above the table.
    story : bool
        Display the scenario's story first.

    Returns
    -------
    causalxai.tables.ReaderTable
        The estimate table (display it as the cell's result).

    Raises
    ------
    ValueError
        If ``alt`` is empty.
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("alt must describe the figure in plain text, got an empty text")
    prefix = prefix or st.scenario.name
    if story:
        from IPython.display import Markdown, display

        display(Markdown(f"*{st.scenario.story}*"))
    _glue.glue_figure(key(prefix, "figure"), study_figure(st), alt=alt)
    glue_study(st, prefix, formatted=True)
    return reader_table(estimate_table(st), default="effect", context=st.scenario.name,
                        caption=caption)


def verdict(estimate: float, truth: float, *, tolerance: float = 0.05) -> str:
    """Describe in words how an estimate relates to the truth (for glued prose).

    >>> verdict(0.1, -0.3)
    'the wrong sign'
    >>> verdict(-0.27, -0.3)
    'the right sign, 10% off'
    """
    est_null, true_null = abs(estimate) < tolerance, abs(truth) < tolerance
    if true_null:
        return "no effect, as it should" if est_null else "an effect where there is none"
    if est_null:
        return "no effect where there is one"
    if (estimate > 0) != (truth > 0):
        return "the wrong sign"
    return f"the right sign, {abs(estimate - truth) / abs(truth):.0%} off"


def glue_table(table: pd.DataFrame, prefix: str) -> dict[str, float]:
    """Glue every finite number of a table *raw* as ``<prefix>_<row>_<column>``.

    The entry point of the chapters not yet restyled (their prose formats with a spec);
    a restyled chapter calls :func:`causalxai.glue.glue_table` (formatted by quantity) or
    :func:`causalxai.tables.reader_table` with ``glue=prefix``.
    """
    return _glue.glue_table(table, prefix, formatted=False)
