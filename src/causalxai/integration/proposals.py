"""Proposals: the causal checks around a detection model a team already runs.

Three pieces a service (an early-warning service, or an AutoML prediction product) adds to
its model, each a small function:

- :func:`feature_checks` -- what may be shown next to each feature's SHAP value: its
  causal validity label (:func:`causalxai.causal.validity.validity_labels` on the
  service's graph), whether a prescription may use it, and the sentence an end user reads;
- :func:`decision_log` -- what is logged for every recommendation: who, when, which model
  and graph (content hashes), the score, the measure, its predicted gain, the strategy and
  its reason, so that a decision can be audited and its outcome joined later;
- :func:`monitor_relations` -- how the graph's assumptions are monitored after a shock:
  monthly statistics a service can compute on its own data (the share of firms using a
  scheme, rank correlations the graph implies between symptoms and between a scheme and
  the symptoms), with a band from a reference period and the months that leave it.

:func:`service_graph` and :func:`service_rows` hand the firm service's graph and data to
the :class:`~causalxai.prescribe.prescriber.Prescriber`, which runs the same checks end to
end (fit, effects, prescriptions under a capacity, a card, the monitor after a shock);
:func:`pilot_rows`, :func:`pilot_graph` and :func:`pilot_schema` do the same for the
service's randomised pilot, whose measures are levers the graph identifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.validity import validity_labels

__all__ = ["SHOWN", "decision_log", "feature_checks", "flag_summary", "graph_id",
           "monitor_relations", "pilot_graph", "pilot_rows", "pilot_schema", "service_graph",
           "service_rows"]

#: Validity label -> (may a prescription use the feature?, what an end user reads).
SHOWN: Mapping[str, tuple[bool, str]] = {
    "identifiable": (True, "a lever: its effect is estimated {adjust}"),
    "mediator": (True, "a lever acting partly through other features: use its total effect"),
    "symptom": (False, "a sign of the outcome, not a cause: changing it changes nothing"),
    "no causal path": (False, "no effect on the outcome: predictive only"),
    "unobserved confounding": (False, "its effect cannot be estimated from these data: "
                                      "no recommendation without an experiment"),
    "not actionable": (False, "cannot be changed: context for the reader"),
}


def graph_id(graph: nx.DiGraph) -> str:
    """A content hash of a graph (its sorted nodes with their ``latent`` flag and its
    sorted edges): the same graph always gets the same 12 hexadecimal characters."""
    nodes = sorted((str(n), bool(d.get("latent", False))) for n, d in graph.nodes(data=True))
    edges = sorted((str(u), str(v)) for u, v in graph.edges)
    return hashlib.sha256(repr((nodes, edges)).encode()).hexdigest()[:12]


def feature_checks(graph: nx.DiGraph, outcome: str, features: Iterable[str],
                   schema: ActionabilitySchema | None = None) -> pd.DataFrame:
    """Per model feature: its validity label, whether to prescribe on it, what to show.

    Parameters
    ----------
    graph : networkx.DiGraph
        The service's causal graph (``latent`` node attribute for unobserved nodes).
    outcome : str
        The node the model predicts.
    features : iterable of str
        The model's features, nodes of ``graph``.
    schema : ActionabilitySchema, optional
        What can be changed.

    Returns
    -------
    DataFrame
        Indexed by feature: ``label``, ``adjustment_set`` (text; empty unless identified),
        ``prescribe`` (bool) and ``shown`` (the sentence for the end user).
    """
    labels = validity_labels(graph, outcome, list(features), schema)
    rows = []
    for feature, row in labels.iterrows():
        allowed, text = SHOWN[row["label"]]
        adjust = row.get("adjustment_set")
        adjust_text = ", ".join(adjust) if isinstance(adjust, tuple | list) and adjust else ""
        rows.append({"feature": feature, "label": row["label"],
                     "adjustment_set": adjust_text if allowed else "",
                     "prescribe": allowed,
                     "shown": text.format(adjust=f"after adjusting for {adjust_text}"
                                          if adjust_text else "without adjustment (no "
                                          "confounder in the graph)")})
    return pd.DataFrame(rows).set_index("feature")


def decision_log(allocation: pd.Series, gain: pd.DataFrame, risk: pd.Series, *,
                 month: str, strategy: str, model_id: str, graph: nx.DiGraph,
                 reason: str = "") -> pd.DataFrame:
    """One log record per recommendation.

    Parameters
    ----------
    allocation : Series
        Firm -> measure (e.g. :func:`causalxai.earlywarning.support_allocation.allocate`).
    gain : DataFrame
        Firm x measure: the predicted gains the allocation was made from.
    risk : Series
        The model's score of each firm.
    month, strategy, model_id : str
        When, by which strategy, with which model (a version or a hash).
    graph : networkx.DiGraph
        The graph the checks used (logged by :func:`graph_id`).
    reason : str
        Why the strategy was allowed (e.g. "effect identified by a randomised pilot").

    Returns
    -------
    DataFrame
        Columns ``firm_id``, ``month``, ``score``, ``measure``, ``predicted_gain``,
        ``strategy``, ``model_id``, ``graph_id``, ``reason``; one row per firm of
        ``allocation``, in its order.
    """
    missing = [f for f in allocation.index if f not in gain.index or f not in risk.index]
    if missing:
        raise ValueError(f"firms of the allocation without a gain or a score: {missing[:5]}")
    unknown = sorted(set(allocation) - set(gain.columns))
    if unknown:
        raise ValueError(f"measures {unknown} are not columns of gain")
    firms = allocation.index
    predicted = gain.to_numpy()[gain.index.get_indexer(firms),
                                gain.columns.get_indexer(allocation.to_numpy())]
    return pd.DataFrame({
        "firm_id": firms.to_numpy(), "month": month,
        "score": risk.reindex(firms).to_numpy(dtype=float),
        "measure": allocation.to_numpy(), "predicted_gain": predicted.astype(float),
        "strategy": strategy, "model_id": model_id, "graph_id": graph_id(graph),
        "reason": reason})


def monitor_relations(features: pd.DataFrame, relations: Mapping[str, Sequence[str]], *,
                      reference: tuple[str, str], month: str = "month", z: float = 3.0,
                      min_rows: int = 30) -> pd.DataFrame:
    """Monthly statistics of the graph's testable relations, with a reference band.

    Parameters
    ----------
    features : DataFrame
        One row per unit and month (a ``month`` column of timestamps).
    relations : mapping
        Name -> columns: one column gives the monthly share of rows where it is positive
        (a scheme's use); two columns give their monthly Spearman rank correlation (a
        relation the graph implies, e.g. between two symptoms of the same latent health).
    reference : (str, str)
        First and last ``"YYYY-MM"`` of the reference period (before the shock).
    z : float
        Half-width of the band, in standard deviations of the reference months.
    min_rows : int
        Months with fewer complete rows are left out (NaN).

    Returns
    -------
    DataFrame
        One row per (month, relation): ``value``, ``low``, ``high`` (the band) and
        ``flag`` (the value is outside it).
    """
    if month not in features:
        raise ValueError(f"features has no column {month!r}")
    for name, cols in relations.items():
        missing = [c for c in cols if c not in features]
        if len(cols) not in (1, 2) or missing:
            raise ValueError(f"relation {name!r} needs one or two columns of features; got "
                             f"{list(cols)} (missing: {missing})")
    lo, hi = pd.Timestamp(reference[0]), pd.Timestamp(reference[1])
    if hi < lo:
        raise ValueError(f"reference ends ({reference[1]}) before it starts ({reference[0]})")
    rows = []
    for when, part in features.groupby(month, sort=True):
        for name, cols in relations.items():
            data = part[list(cols)].dropna()
            if len(data) < min_rows:
                value = np.nan
            elif len(cols) == 1:
                value = float((data[cols[0]] > 0).mean())
            else:
                value = float(data[cols[0]].rank().corr(data[cols[1]].rank()))
            rows.append({"month": when, "relation": name, "value": value})
    out = pd.DataFrame(rows)
    ref = out[(out["month"] >= lo) & (out["month"] <= hi)]
    stats = ref.groupby("relation")["value"].agg(["mean", "std"])
    if stats["mean"].isna().any():
        raise ValueError("the reference period has no month with enough rows")
    centre = out["relation"].map(stats["mean"])
    spread = z * out["relation"].map(stats["std"].fillna(0.0))
    out["low"], out["high"] = centre - spread, centre + spread
    out["flag"] = (out["value"] < out["low"]) | (out["value"] > out["high"])
    return out


def flag_summary(monitored: pd.DataFrame, since: str | pd.Timestamp) -> pd.DataFrame:
    """Per relation of :func:`monitor_relations`' output, from ``since`` on: the first
    flagged month and the share of months inside the reference band.

    Parameters
    ----------
    monitored : DataFrame
        The output of :func:`monitor_relations` (``month``, ``relation``, ``flag``).
    since : str or Timestamp
        First month looked at (e.g. the shock's start).

    Returns
    -------
    DataFrame
        Indexed by relation: ``first_flag`` (``"YYYY-MM"``, or ``"never"``) and
        ``share_in_band`` (fraction of the months with no flag).
    """
    missing = [c for c in ("month", "relation", "flag") if c not in monitored]
    if missing:
        raise ValueError(f"monitored lacks the columns {missing} of monitor_relations' output")
    after = monitored[monitored["month"] >= pd.Timestamp(since)]
    rows = {}
    for name, part in after.groupby("relation", sort=False):
        flagged = part.loc[part["flag"], "month"]
        rows[name] = {"first_flag": flagged.min().strftime("%Y-%m") if len(flagged) else "never",
                      "share_in_band": float((~part["flag"]).mean())}
    return pd.DataFrame.from_dict(rows, orient="index")


def service_graph() -> nx.DiGraph:
    """The firm service's graph for a model of its observed features, before the shock.

    :func:`causalxai.firms.firm_graph` without its ``covid_regime`` node: the calendar
    switch of the COVID regime is constant before March 2020, so a model trained on those
    months cannot condition on it (the monitor is what notices that it moved). The
    ``latent`` node attribute marks the nodes no column measures; ``failure`` is the
    outcome.
    """
    from causalxai.firms import firm_graph

    graph = firm_graph()
    graph.remove_node("covid_regime")
    return graph


def service_rows(panel: object, first: str, last: str, *, every: int = 3,
                 horizon: int = 12) -> tuple[pd.DataFrame, pd.Series]:
    """Firm-months of the service, one column per observed feature of the firm graph.

    Parameters
    ----------
    panel : causalxai.firms.Panel
        A simulated panel.
    first, last : str
        ``"YYYY-MM"``: the months kept, one per firm every ``every`` months
        (:func:`causalxai.earlywarning.support.sample_rows`), whose outcome is known.
    every : int
        Months between two rows of a firm (divides 12).
    horizon : int
        The outcome: failure within ``horizon`` months
        (:func:`causalxai.firms.failure_within`).

    Returns
    -------
    X : pandas.DataFrame
        :data:`causalxai.firms.FEATURE_NODES` as float columns (``sector`` as its category
        code), the rows with every yearly statement published (young firms without one
        are left out), indexed like ``panel.features``.
    y : pandas.Series
        ``failure`` within ``horizon`` months (integer 0/1: a classification target),
        same index.
    """
    from causalxai.earlywarning.support import sample_rows
    from causalxai.firms import FEATURE_NODES, failure_within

    target = failure_within(panel, months=(horizon,))[f"failure_within_{horizon}"]
    rows = sample_rows(panel, first, last, every=every, target=target)
    X = panel.features.loc[rows, list(FEATURE_NODES)].copy()
    X["sector"] = X["sector"].cat.codes
    X = X.astype(float)
    X = X[X.notna().all(axis=1)]
    return X, target.loc[X.index].astype(int).rename("failure")


#: The pilot's measures (arms of :func:`causalxai.earlywarning.support_allocation.pilot_outcomes`)
#: and the model columns its rows keep besides the risk score (those of ``PilotUplift``).
_PILOT_MEASURES = ("cash", "debt")
_PILOT_LEVERS = ("liquidity", "indebtedness")


def pilot_rows(frame: pd.DataFrame, risk: pd.Series, arms: pd.DataFrame | None = None
               ) -> tuple[pd.DataFrame, pd.Series | None]:
    """Rows of a randomised pilot (or of the firms to treat) for the Prescriber.

    Parameters
    ----------
    frame : pandas.DataFrame
        The service's model features of the firms, indexed by firm (``liquidity`` and
        ``indebtedness`` are read; missing yearly values get the frame's median).
    risk : pandas.Series
        The service's risk score of each firm (probability of failure).
    arms : pandas.DataFrame, optional
        The pilot's ``arm`` and ``failure`` per firm
        (:func:`causalxai.earlywarning.support_allocation.pilot_outcomes`); without it the
        firms have received no measure (every measure column is 0) and no outcome.

    Returns
    -------
    X : pandas.DataFrame
        ``risk_logit`` (logit of the score), the two levers and one 0/1 column per measure
        (``cash``, ``debt``: the arm the firm drew), indexed like ``frame``.
    y : pandas.Series or None
        ``failure`` (integer 0/1) with ``arms``, else None.
    """
    missing = [c for c in _PILOT_LEVERS if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}")
    if arms is not None and not {"arm", "failure"} <= set(arms.columns):
        raise ValueError("arms must have columns 'arm' and 'failure' (pilot_outcomes)")
    p = np.clip(risk.reindex(frame.index).to_numpy(dtype=float), 1e-6, 1 - 1e-6)
    if np.isnan(p).any():
        raise ValueError("risk has no score for some firms of frame")
    levers = frame[list(_PILOT_LEVERS)].astype(float)
    X = pd.DataFrame({"risk_logit": np.log(p / (1 - p))}, index=frame.index)
    X[list(_PILOT_LEVERS)] = levers.fillna(levers.median())
    if arms is None:
        X[list(_PILOT_MEASURES)] = 0.0
        return X, None
    arm = arms["arm"].reindex(frame.index)
    for m in _PILOT_MEASURES:
        X[m] = (arm == m).astype(float).to_numpy()
    return X, arms["failure"].reindex(frame.index).astype(int).rename("failure")


def pilot_graph() -> nx.DiGraph:
    """The pilot's graph: randomised measures and the firm's state cause failure.

    The measures' only parent is the pilot's draw, a latent node ``draw`` (one arm per
    firm, so the measure columns are dependent, and independent of everything else);
    liquidity, debt and the risk score may cause one another in that order (a graph that
    claims no independence among them) and each causes ``failure``. The effect of one
    measure is identified by adjusting for the other.
    """
    state = [*_PILOT_LEVERS, "risk_logit"]
    graph = nx.DiGraph([(a, b) for i, a in enumerate(state) for b in state[i + 1:]])
    graph.add_edges_from((v, "failure") for v in (*state, *_PILOT_MEASURES))
    graph.add_edges_from(("draw", m) for m in _PILOT_MEASURES)
    nx.set_node_attributes(graph, False, "latent")
    graph.nodes["draw"]["latent"] = True
    return graph


def pilot_schema() -> ActionabilitySchema:
    """Each pilot measure may be switched on at the cost of one agent's contact."""
    spec = {m: {"actionable": True, "direction": "increase", "low": 0, "high": 1,
                "unit_cost": 1.0} for m in _PILOT_MEASURES}
    return ActionabilitySchema.from_dict({"features": spec})
