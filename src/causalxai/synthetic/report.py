"""Put a study on the page: its standard figure, and its numbers glued for the prose.

Top layer: used by notebooks only. Glue names are built by :func:`key` so that prose can
refer to any number of a study, e.g. ``{glue:text}`symptom_late_payments_shapslope:.2f```.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from causalxai import plots
from causalxai.causal.validity import plot_labelled_importance
from causalxai.synthetic.benchmark import Study

__all__ = ["glue_study", "glue_table", "key", "study_figure", "verdict"]


def key(*parts: str) -> str:
    """A glue name from parts: lower case, non-alphanumerics to ``_``.

    >>> key("symptom", "late_payments", "GraphDML[linear]")
    'symptom_late_payments_graphdml_linear'
    """
    text = "_".join(parts).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def glue_study(st: Study, prefix: str | None = None) -> dict[str, object]:
    """Glue every number of a study for the prose, and return them.

    Per feature ``f``: ``<prefix>_<f>_truth``, ``_shap`` (SHAP slope), ``_rank`` (SHAP
    importance rank), ``_label``; per method ``m``: ``<prefix>_<f>_<m>`` (mean estimate;
    not glued when the method abstained, so prose cannot quote a number that does not
    exist) and ``<prefix>_<f>_<m>_abstained`` ("yes"/"no").
    """
    from myst_nb import glue

    prefix = prefix or st.scenario.name
    values: dict[str, object] = {}
    ranks = st.shap["importance"].rank(ascending=False, method="min").astype(int)
    labels = st.evaluation.labels
    for feature in st.scenario.features:
        values[key(prefix, feature, "truth")] = st.truth(feature)
        values[key(prefix, feature, "shap")] = float(st.shap.loc[feature, "slope"])
        values[key(prefix, feature, "rank")] = int(ranks[feature])
        values[key(prefix, feature, "label")] = labels.loc[feature, "text"]
        for method in dict.fromkeys(st.scored.index.get_level_values(0)):
            row = st.scored.loc[(method, feature)]
            abstained = row["abstain_rate"] >= 0.5
            if not abstained:  # an abstention has no number to quote
                values[key(prefix, feature, method)] = float(row["mean"])
            values[key(prefix, feature, method, "abstained")] = "yes" if abstained else "no"
    for name, value in values.items():
        glue(name, value, display=False)
    return values


def study_figure(st: Study, *, width: float = 17.0) -> plt.Figure:
    """Graph (roles), labelled SHAP importance, and every method against the truth."""
    sc = st.scenario
    fig, axes = plt.subplots(1, 3, figsize=(width, 0.7 * len(sc.features) + 3),
                             gridspec_kw={"width_ratios": [1.1, 1, 1.25]})
    plots.draw_graph(sc.causal_graph, sc.roles, outcome=sc.outcome, ax=axes[0])
    axes[0].set_title("Causal graph (dashed: not in the data)")
    plot_labelled_importance(st.shap["importance"], st.evaluation.labels, ax=axes[1])
    axes[1].set_title("SHAP importance, with its causal validity label")
    plots.methods_vs_truth(st.scored, features=sc.features, ax=axes[2])
    axes[2].set_title("Each method's estimate vs the true effect")
    fig.tight_layout()
    return fig


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
    """Glue every finite number of a table as ``<prefix>_<row>_<column>``.

    Missing values (a coverage for a method without intervals, an abstention rate where
    nothing had to be abstained on) are not glued: prose cannot quote them.
    """
    from myst_nb import glue

    values = {}
    for row, series in table.iterrows():
        for column, value in series.items():
            if isinstance(value, int | float | np.number) and np.isfinite(value):
                values[key(prefix, str(row), str(column))] = float(value)
    for name, value in values.items():
        glue(name, value, display=False)
    return values
