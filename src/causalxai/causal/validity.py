"""The causal validity label of every feature of a SHAP summary.

A SHAP bar chart ranks features by how much they move a model's predictions. Whether the
bar of a feature can be read as "change it and the outcome changes" depends on the causal
graph, not on the model. Each feature gets one label, the first that applies:

1. ``symptom`` -- a descendant of the outcome: it predicts the outcome, it cannot move it;
2. ``not actionable`` -- the actionability schema says it cannot be changed;
3. ``no causal path`` -- no directed path leads from it to the outcome (a proxy, a
   measurement copy, a consequence of a cause): its effect is identified, and it is zero;
4. ``unobserved confounding`` -- no set of observed variables identifies its effect by
   adjustment (:func:`causalxai.causal.identification.backdoor_adjustment_set` is None): abstain;
5. ``mediator`` -- it lies on a directed path from another actionable feature to the
   outcome, so its SHAP value absorbs part of that lever's credit (its own effect may
   still be identifiable: the adjustment set is given);
6. ``identifiable`` -- its total effect is identified by adjusting for the given set.

The labels are about the graph, not the weights: an edge of weight 0 still counts.
"""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.identification import backdoor_adjustment_set
from causalxai.causal.problem import CausalProblem, as_problem
from causalxai.names import feature_name

__all__ = ["LABELS", "LABEL_COLOURS", "plot_labelled_importance", "validity_labels"]

#: Label key -> human text (``…`` stands for the adjustment set, see :func:`label_text`).
LABELS = {
    "identifiable": "identifiable (adjust for …)",
    "mediator": "mediator (total ≠ direct effect)",
    "symptom": "symptom of the outcome — not a lever",
    "no causal path": "no causal path to the outcome — not a lever",
    "unobserved confounding": "unobserved confounding — abstain",
    "not actionable": "not actionable",
}

#: Label key -> bar colour in :func:`plot_labelled_importance`.
LABEL_COLOURS = {
    "identifiable": "#2ca02c",
    "mediator": "#17becf",
    "symptom": "#9467bd",
    "no causal path": "#c5b0d5",
    "unobserved confounding": "#d62728",
    "not actionable": "#7f7f7f",
}

COLUMNS = ("label", "text", "adjustment_set", "causes_outcome", "note")


def label_text(label: str, adjustment_set: Iterable[str] | None = None) -> str:
    """The human text of ``label``, with the adjustment set written out.

    Parameters
    ----------
    label : str
        A key of :data:`LABELS`.
    adjustment_set : iterable of str, optional
        Written in place of ``…`` (in the given order); empty or None gives "nothing".

    Returns
    -------
    str

    Raises
    ------
    ValueError
        If ``label`` is not a key of :data:`LABELS`.
    """
    if label not in LABELS:
        raise ValueError(f"unknown label {label!r}; use one of {', '.join(LABELS)}")
    return LABELS[label].replace("…", ", ".join(adjustment_set or ()) or "nothing")


def _levers(problem: CausalProblem) -> set[str]:
    """The features whose credit a mediator may absorb."""
    if problem.schema is None:
        return set(problem.features or ())
    return {f for f in problem.schema.actionable() if f in problem.observed_nodes}


def validity_labels(
    graph: nx.DiGraph | CausalProblem,
    outcome: str | None = None,
    features: Iterable[str] | None = None,
    schema: ActionabilitySchema | None = None,
) -> pd.DataFrame:
    """Label each feature by what its SHAP value can causally mean.

    Parameters
    ----------
    graph : networkx.DiGraph or CausalProblem
        The problem, or its causal DAG (e.g. ``SCM.graph``; node attribute ``latent`` marks
        unobserved nodes, which are never adjusted for) converted by
        :func:`causalxai.causal.problem.as_problem` with the next three arguments.
    outcome : str, optional
        The predicted node (required with a DiGraph; with a problem, its outcome).
    features : iterable of str, optional
        The observed features of the model, each a node of ``graph`` (default: the
        problem's features).
    schema : ActionabilitySchema, optional
        Which features can be changed; it must cover every feature and name only nodes of
        the graph. Without it, no feature is "not actionable" and every other feature
        counts as a lever for the mediator label; with it, the levers are the schema's
        actionable observed nodes.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature, in the given order, with columns ``label`` (a key of
        :data:`LABELS`), ``text`` (its human text), ``adjustment_set`` (sorted tuple of
        the variables to adjust for to identify the feature's total effect on the outcome;
        ``()`` if none are needed; None if it is not identifiable by adjustment),
        ``causes_outcome`` (a directed path leads to the outcome) and ``note`` (why).
        The labels follow the precedence of the module docstring.

    Raises
    ------
    ValueError
        If the problem is invalid (see :class:`~causalxai.causal.problem.CausalProblem`):
        the graph is not a DAG; the outcome or a feature is not in the graph; a feature
        is latent, the outcome, repeated, or missing from the schema; the schema names a
        node that is not in the graph.
    """
    problem = as_problem(graph, outcome, features=features, schema=schema)
    graph, outcome, schema = problem.graph, problem.outcome, problem.schema
    features = list(problem.features or ())
    descendants_of_outcome = nx.descendants(graph, outcome)
    ancestors_of_outcome = nx.ancestors(graph, outcome)
    levers = _levers(problem)
    rows = {}
    for feature in features:
        found = backdoor_adjustment_set(problem, feature, outcome)
        adjustment = None if found is None else tuple(sorted(found))
        causes = feature in ancestors_of_outcome
        upstream = sorted(
            lever for lever in levers if lever != feature and lever in nx.ancestors(graph, feature)
        )
        if feature in descendants_of_outcome:
            label = "symptom"
            note = (f"a consequence of {outcome}: it predicts it but changing it leaves "
                    f"{outcome} unchanged (effect zero)")
        elif schema is not None and not schema[feature].actionable:
            label = "not actionable"
            note = "the schema says it cannot be changed; " + _identification_note(
                adjustment, causes, outcome)
        elif not causes:
            label = "no causal path"
            note = (f"no directed path leads to {outcome}: it is predictive only through its "
                    "association with causes, and changing it leaves the outcome unchanged "
                    "(effect zero)")
        elif adjustment is None:
            label = "unobserved confounding"
            note = (f"no set of observed variables blocks every back-door path to {outcome}: "
                    "its effect is not identifiable by adjustment")
        elif causes and upstream:
            label = "mediator"
            which = "that lever" if len(upstream) == 1 else "those levers"
            note = (f"on a path from {', '.join(upstream)} to {outcome}: its SHAP value "
                    f"absorbs credit of {which} and its total effect differs from what SHAP's "
                    "conditioning suggests; its own effect "
                    + _identification_note(adjustment, causes, outcome, lead=False))
        else:
            label = "identifiable"
            note = _identification_note(adjustment, causes, outcome)
        rows[feature] = {
            "label": label,
            "text": label_text(label, adjustment),
            "adjustment_set": adjustment,
            "causes_outcome": causes,
            "note": note,
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(COLUMNS))
    table["causes_outcome"] = table["causes_outcome"].astype(bool)
    table.index.name = "feature"
    return table


def _identification_note(
    adjustment: tuple[str, ...] | None, causes: bool, outcome: str, *, lead: bool = True
) -> str:
    prefix = "its effect " if lead else ""
    if not causes:
        return f"no directed path to {outcome}: {prefix}is zero, known from the graph alone"
    if adjustment is None:
        return f"{prefix}is not identifiable by adjustment (unobserved confounding)"
    return f"{prefix}is identified by adjusting for {', '.join(adjustment) or 'nothing'}"


def plot_labelled_importance(
    importance: pd.Series, labels: pd.DataFrame, ax: plt.Axes | None = None,
    context: str | None = None,
) -> plt.Axes:
    """Horizontal bar chart of mean |SHAP| per feature, coloured by validity label.

    Parameters
    ----------
    importance : pandas.Series
        Mean absolute SHAP value, indexed by feature (finite values).
    labels : pandas.DataFrame
        From :func:`validity_labels`; must cover every feature of ``importance``.
    ax : matplotlib Axes, optional
        Where to draw.
    context : str, optional
        Scenario or data set, for the feature names (:func:`causalxai.names.feature_name`).

    Returns
    -------
    matplotlib Axes
        The largest bar on top; each bar coloured by :data:`LABEL_COLOURS` of its label,
        with the label's text written at its end, and a legend of the labels present.

    Raises
    ------
    ValueError
        If a feature has no label, a label is unknown or an importance is not finite.
    """
    missing = [f for f in importance.index if f not in labels.index]
    if missing:
        raise ValueError(f"no validity label for feature(s) {', '.join(map(str, missing))}")
    values = importance.astype(float)
    if not np.isfinite(values.to_numpy()).all():
        bad = values.index[~np.isfinite(values.to_numpy())]
        raise ValueError(f"importance is not finite for {', '.join(map(str, bad))}")
    unknown = sorted(set(labels.loc[values.index, "label"]) - set(LABEL_COLOURS))
    if unknown:
        raise ValueError(f"unknown label(s) {unknown}; use keys of LABEL_COLOURS")
    order = values.sort_values(ascending=False, kind="stable")
    keys = labels.loc[order.index, "label"]
    texts = labels.loc[order.index, "text"]
    ax = ax or plt.subplots(figsize=(7, 0.5 * len(order) + 1.2))[1]
    y = np.arange(len(order))[::-1]
    ax.barh(y, order.to_numpy(), color=[LABEL_COLOURS[k] for k in keys], height=0.6)
    span = float(order.abs().max()) if len(order) else 1.0
    for yi, width, text in zip(y, order.to_numpy(), texts, strict=True):
        ax.text(width + 0.01 * (span or 1.0), yi, f" {text}", va="center", fontsize=9)
    ax.set_yticks(y, [feature_name(f, context) for f in order.index])
    ax.set_xlabel("mean |SHAP value|")
    ax.set_xlim(right=(span or 1.0) * 1.9)
    handles = [Patch(facecolor=LABEL_COLOURS[k], label=LABELS[k])
               for k in LABELS if k in set(keys)]
    ax.legend(handles=handles, loc="lower right", fontsize=9, frameon=False)
    return ax
