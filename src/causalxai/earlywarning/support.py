"""Explanations as early-warning services show them, and the true effect of COVID support.

Two questions about the simulated firm panel of :mod:`causalxai.firms`:

1. *What does a service's explanation say, and what may it mean causally?* An
   early-warning service such as Signaux Faibles explains a failure score with SHAP
   values summed by *theme* — financial ratios, social-contribution debts, payment
   behaviour, short-time work — and shows each firm its top themes. This module groups
   SHAP values by theme (:func:`theme_contributions`, :func:`theme_importance`), labels
   every feature with its causal validity (:func:`feature_labels`, from
   :func:`causalxai.causal.validity.validity_labels` on :func:`causalxai.firms.firm_graph`) and
   builds per-firm explanation cards (:func:`explanation_card`).
2. *What did each support measure do?* :func:`support_cross_section` builds a firm-level
   cross-section at a stated date — take-up of each measure by that date (the treatments),
   pre-COVID observables at a baseline month (the confounders a service holds), failure
   within a horizon after the date (the outcome) — without looking past the date for
   anything but the outcome. :func:`support_graph` is its causal graph;
   :func:`estimate_measure_effects` runs the compendium's effect methods
   (:mod:`causalxai.estimate.effects`) on it; :func:`true_measure_effects` gives the simulator's
   answer, from the counterfactual worlds with common random numbers.

:func:`firm_ground_truth` exposes the truth of every firm alive at a month — latent health,
hazard, failure probability within a horizon in every world, and the effect of each
measure and of the court freeze on it — so that recommendations made to individual firms
can be scored against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from causalxai.causal.identification import backdoor_adjustment_set
from causalxai.causal.validity import LABELS, validity_labels
from causalxai.estimate.effects import (
    ABSTAIN_NOTE,
    DoWhyBackdoor,
    EffectEstimate,
    EffectMethod,
    estimates_table,
)
from causalxai.firms import (
    FEATURE_NODES,
    MEASURES,
    Panel,
    firm_actionability,
    firm_graph,
    history_features,
)
from causalxai.months import month_start

__all__ = [
    "CONFOUNDERS",
    "HISTORY_COLUMNS",
    "ORACLE",
    "SUPPORT_COLUMNS",
    "THEMES",
    "THEME_OF",
    "TREATMENTS",
    "CrossSection",
    "base_column",
    "effect_verdict",
    "effects_vs_truth",
    "estimate_measure_effects",
    "explanation_card",
    "feature_labels",
    "firm_ground_truth",
    "label_shares",
    "model_features",
    "pick_cards",
    "sample_rows",
    "support_cross_section",
    "support_graph",
    "target_ratios",
    "theme_contributions",
    "theme_importance",
    "true_measure_effects",
]

#: The themes of a service's explanation, in display order (Signaux Faibles groups its
#: SHAP values by financial health, social debts, payment behaviour and partial activity;
#: the firm's fixed characteristics form a fifth group here).
THEMES = ("finance", "social debt", "payment behaviour", "short-time work",
          "firm characteristics")

#: Column of ``Panel.features`` -> theme, for the columns a model uses.
THEME_OF: Mapping[str, str] = {
    "profitability": "finance", "liquidity": "finance", "indebtedness": "finance",
    "investment_rate": "finance",
    "arrears": "social debt", "arrears_ratio": "social debt",
    "payment_score": "payment behaviour", "supplier_delay": "payment behaviour",
    "stw_hours": "short-time work",
    "sector": "firm characteristics", "size": "firm characteristics",
    "age_years": "firm characteristics", "headcount": "firm characteristics",
    "headcount_change": "firm characteristics", "contributions": "firm characteristics",
}

#: The observable columns the support model uses: those of :data:`THEME_OF`, in a fixed
#: order (a subset of :data:`causalxai.earlywarning.robustness.BASE_COLUMNS`).
SUPPORT_COLUMNS = tuple(THEME_OF)

#: Monthly columns summarised by :func:`causalxai.firms.history_features`.
HISTORY_COLUMNS = ("arrears_ratio", "stw_hours")

#: Treatment column of the cross-section -> support measure of the simulator.
TREATMENTS: Mapping[str, str] = {"stw": "short_time_work", "loan": "guaranteed_loans",
                                 "deferral": "deferral"}

_HISTORY = re.compile(r"^(?P<base>.+)_(lag|mean|slope|std)\d+$")


# Columns, themes and labels ----------------------------------------------------------------
def base_column(column: str) -> str:
    """The observable column a model feature is computed from.

    ``"arrears_ratio_mean12"`` -> ``"arrears_ratio"`` (a history feature of
    :func:`causalxai.firms.history_features`); a column of :data:`SUPPORT_COLUMNS` is its own
    base. Raises ValueError naming the column when it is neither.
    """
    if column in THEME_OF:
        return column
    match = _HISTORY.match(str(column))
    if match and match.group("base") in HISTORY_COLUMNS:
        return match.group("base")
    raise ValueError(f"column {column!r} is neither a model column ({', '.join(SUPPORT_COLUMNS)}) "
                     f"nor a history feature of {', '.join(HISTORY_COLUMNS)}")


def _node_of() -> dict[str, str]:
    graph = firm_graph()
    return {col: node for node in FEATURE_NODES for col in graph.nodes[node]["columns"]}


def feature_labels(columns: Iterable[str], outcome: str = "health") -> pd.DataFrame:
    """Theme, graph node and causal validity label of each model feature.

    Parameters
    ----------
    columns : iterable of str
        Model features (columns of :data:`SUPPORT_COLUMNS` or history features).
    outcome : str
        Node of :func:`causalxai.firms.firm_graph` the labels refer to. The default,
        ``"health"``, is the latent state the failure hazard reads: its descendants
        (arrears, payment score, ...) are labelled symptoms.

    Returns
    -------
    DataFrame
        Indexed by column: ``base`` (:func:`base_column`), ``node``, ``theme``, ``label`` (a
        key of :data:`causalxai.causal.validity.LABELS`) and ``text``, from
        :func:`causalxai.causal.validity.validity_labels` with
        :func:`causalxai.firms.firm_actionability`.
    """
    columns = list(columns)
    bases = [base_column(c) for c in columns]
    node_of = _node_of()
    nodes = [node_of[b] for b in bases]
    labels = validity_labels(firm_graph(), outcome, list(dict.fromkeys(nodes)),
                             firm_actionability())
    out = pd.DataFrame({"base": bases, "node": nodes, "theme": [THEME_OF[b] for b in bases]},
                       index=pd.Index(columns, name="feature"))
    out["label"] = labels.loc[nodes, "label"].to_numpy()
    out["text"] = labels.loc[nodes, "text"].to_numpy()
    return out


def _themes(columns: Iterable[str], themes: Mapping[str, str] | None) -> pd.Series:
    columns = list(columns)
    if themes is None:
        return pd.Series([THEME_OF[base_column(c)] for c in columns], index=columns)
    missing = [c for c in columns if c not in themes]
    if missing:
        raise ValueError(f"themes has no theme for column(s) {missing}")
    return pd.Series([themes[c] for c in columns], index=columns)


def _order(names: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(names))
    return [t for t in THEMES if t in names] + [t for t in names if t not in THEMES]


def theme_contributions(shap_values: pd.DataFrame,
                        themes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Signed SHAP value of each theme for each row: the sum of its members' values.

    Parameters
    ----------
    shap_values : DataFrame
        SHAP values, one column per feature (as from :func:`causalxai.predict.explain.tree_shap`).
    themes : mapping, optional
        Column -> theme; default: :data:`THEME_OF` through :func:`base_column`.

    Returns
    -------
    DataFrame
        Same index, one column per theme present (order of :data:`THEMES`). Each row sums
        to the row's total SHAP value (prediction minus base value, in log-odds).
    """
    if not isinstance(shap_values, pd.DataFrame):
        raise ValueError("shap_values must be a DataFrame with one column per feature")
    theme = _themes(shap_values.columns, themes)
    out = shap_values.T.groupby(theme.to_numpy(), sort=False).sum().T
    return out[_order(theme)]


def theme_importance(shap_values: pd.DataFrame,
                     themes: Mapping[str, str] | None = None) -> pd.Series:
    """Global importance of each theme: the mean over rows of the sum of its members'
    absolute SHAP values (so a theme whose members push in opposite directions keeps the
    credit of both), sorted from the largest."""
    theme = _themes(shap_values.columns, themes)
    per_feature = shap_values.abs().mean()
    return per_feature.groupby(theme.to_numpy()).sum().sort_values(ascending=False)


def label_shares(shap_values: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Theme x validity label: mean absolute SHAP of the theme's features with that label.

    Rows sum to :func:`theme_importance`; ``labels`` is :func:`feature_labels` of the
    columns. Rows in the order of :data:`THEMES`, columns in that of
    :data:`causalxai.causal.validity.LABELS`.
    """
    missing = [c for c in shap_values.columns if c not in labels.index]
    if missing:
        raise ValueError(f"labels has no row for column(s) {missing}")
    frame = pd.DataFrame({"importance": shap_values.abs().mean(),
                          "theme": labels.loc[shap_values.columns, "theme"],
                          "label": labels.loc[shap_values.columns, "label"]})
    table = frame.pivot_table(index="theme", columns="label", values="importance",
                              aggfunc="sum", fill_value=0.0)
    table = table.loc[_order(table.index), [k for k in LABELS if k in table.columns]]
    table.columns.name = None
    return table


def explanation_card(shap_values: pd.DataFrame, X: pd.DataFrame, labels: pd.DataFrame,
                     row: object, *, top_features: int = 2) -> pd.DataFrame:
    """What a service shows one firm: its themes ranked by contribution, with labels.

    Parameters
    ----------
    shap_values, X : DataFrame
        SHAP values and feature values of the explained rows (same index and columns).
    labels : DataFrame
        :func:`feature_labels` of the columns.
    row : label
        The row of ``shap_values`` to explain.
    top_features : int
        Features listed per theme (largest absolute SHAP value first).

    Returns
    -------
    DataFrame
        One row per theme, sorted by contribution (largest push towards failure first):
        ``contribution`` (the theme's summed SHAP value, log-odds), ``share`` (its share
        of the firm's total absolute theme contributions), ``features`` (text: feature =
        value (SHAP value; validity label), separated by `` | ``) and ``labels`` (the
        distinct labels of the
        theme's features, most important first).
    """
    if row not in shap_values.index:
        raise ValueError(f"row {row!r} is not a row of shap_values")
    phi = shap_values.loc[row]
    x = X.loc[row]
    theme = labels.loc[phi.index, "theme"]
    contributions = phi.groupby(theme.to_numpy()).sum()
    records = []
    for name, value in contributions.sort_values(ascending=False).items():
        members = phi[theme.to_numpy() == name]
        members = members.reindex(members.abs().sort_values(ascending=False).index)
        shown = [f"{f} = {_fmt(x[f])} ({members[f]:+.2f}; {labels.loc[f, 'label']})"
                 for f in members.index[:top_features]]
        records.append({"theme": name, "contribution": float(value),
                        "features": " | ".join(shown),
                        "labels": ", ".join(dict.fromkeys(labels.loc[members.index, "label"]))})
    card = pd.DataFrame(records).set_index("theme")
    card.insert(1, "share", card["contribution"].abs() / card["contribution"].abs().sum())
    return card


def pick_cards(scores: pd.Series, contributions: pd.DataFrame,
               themes: Iterable[str] = THEMES) -> dict[str, object]:
    """For each theme, the highest-scored row whose largest contribution is that theme.

    Parameters
    ----------
    scores : Series
        The model's score of each explained row.
    contributions : DataFrame
        :func:`theme_contributions` of the same rows.
    themes : iterable of str
        Themes to look for, in order; a theme that is nobody's top theme is skipped.

    Returns
    -------
    dict
        Theme -> row label.
    """
    if not scores.index.equals(contributions.index):
        raise ValueError("scores and contributions must have the same index")
    top = contributions.idxmax(axis=1)
    out = {}
    for theme in themes:
        rows = scores[top == theme]
        if len(rows):
            out[theme] = rows.idxmax()
    return out


def _fmt(value: object) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if np.isnan(v):
        return "missing"
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.2f}"


# Model data ---------------------------------------------------------------------------------
def sample_rows(panel: Panel, first: str, last: str, *, every: int = 3,
                target: pd.Series | None = None) -> pd.Index:
    """Rows of ``panel.features`` kept for training: one per firm every ``every`` months.

    Months ``first`` .. ``last`` (``"YYYY-MM"``) whose calendar month is ``1, 1 + every,
    ...`` (quarterly: January, April, July, October), and, if ``target`` is given (aligned
    with the features), whose target is known (not NaN).
    """
    if not isinstance(every, int) or not 1 <= every <= 12 or 12 % every:
        raise ValueError(f"every must divide 12 (1, 2, 3, 4, 6 or 12), got {every!r}")
    lo, hi = month_start(first, "first"), month_start(last, "last")
    if hi < lo:
        raise ValueError(f"last ({last}) is before first ({first})")
    month = panel.features["month"]
    keep = month.between(lo, hi) & ((month.dt.month - 1) % every == 0)
    if target is not None:
        keep &= target.reindex(panel.features.index).notna()
    return panel.features.index[keep.to_numpy()]


def model_features(panel: Panel, rows: pd.Index | None = None,
                   windows: Iterable[int] = (3, 12)) -> pd.DataFrame:
    """The model's inputs: :data:`SUPPORT_COLUMNS` and history features, numeric.

    ``sector`` becomes its category code; history features of :data:`HISTORY_COLUMNS`
    over ``windows`` use only months up to each row's (no look-ahead). Returns the rows
    ``rows`` of ``panel.features`` (all rows if None), as float32.
    """
    features = panel.features
    history = history_features(panel, windows=windows, columns=HISTORY_COLUMNS)
    idx = features.index if rows is None else pd.Index(rows)
    out = features.loc[idx, list(SUPPORT_COLUMNS)].copy()
    out["sector"] = out["sector"].cat.codes
    out = out.astype(np.float32)
    return out.join(history.loc[idx])


# Ground truth --------------------------------------------------------------------------------
_EFFECT_WORLDS = (*(f"no_{m}" for m in MEASURES), "no_courts", "no_support", "no_regime",
                  "no_covid")


def firm_ground_truth(panel: Panel, month: str | None = None, horizon: int = 12
                      ) -> pd.DataFrame:
    """The simulator's truth for every firm-month (or every firm alive at ``month``).

    Parameters
    ----------
    panel : Panel
        A panel simulated with a COVID regime and ``Config.measure_effects`` (it holds the
        worlds without each measure).
    month : str, optional
        ``"YYYY-MM"``: only the firms with a row that month (alive at its end). None: every
        row of ``panel.features``.
    horizon : int
        Months after each row's month over which failure probabilities are computed.

    Returns
    -------
    DataFrame
        Indexed like the selected rows of ``panel.features``: ``firm_id``, ``month``,
        ``sector``; latent ``health`` and monthly ``hazard``; ``p_fail`` (probability of
        failing in the ``horizon`` months after the row's month in the observed world,
        given survival to it) and ``p_fail_<world>`` for the other worlds;
        ``effect_<x> = p_fail - p_fail_no_<x>`` for each measure
        (:data:`causalxai.firms.MEASURES`), ``courts`` (the court freeze), ``support``
        (all measures and the freeze), ``regime`` (the residual shift theta), and
        ``effect_covid = p_fail - p_fail_no_covid`` (negative is protective); take-up up to
        the row's month: ``stw_used`` (some short-time work hours since the regime
        started), ``loan_taken``, ``deferral_used``. Probabilities are NaN when the
        window passes the panel end.

    Raises
    ------
    ValueError
        If ``month`` is outside the panel, ``horizon`` is not a positive integer or the
        panel lacks a world.
    """
    features, truth = panel.features, panel.truth
    if month is None:
        at = np.ones(len(features), dtype=bool)
    else:
        when = month_start(month, "month")
        if when < panel.months[0] or when > panel.end:
            raise ValueError(f"month {month!r} is outside the panel "
                             f"[{panel.months[0]:%Y-%m}, {panel.end:%Y-%m}]")
        at = (features["month"] == when).to_numpy()
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}")
    missing = [w for w in _EFFECT_WORLDS if w not in panel.hazards]
    if missing:
        raise ValueError(f"panel lacks the world(s) {missing}: simulate it with a COVID regime "
                         f"and Config.measure_effects=True")
    out = features.loc[at, ["firm_id", "month", "sector"]].copy()
    out["health"] = truth.loc[at, "health"]
    out["hazard"] = truth.loc[at, "hazard"]
    p = {w: panel.failure_probability(horizon, w)[at] for w in ("observed", *_EFFECT_WORLDS)}
    out["p_fail"] = p["observed"]
    for world in _EFFECT_WORLDS:
        out[f"p_fail_{world}"] = p[world]
    for world in _EFFECT_WORLDS:
        out[f"effect_{world.removeprefix('no_')}"] = p["observed"] - p[world]
    since = features["month"] >= pd.Timestamp(panel.config.covid.start)
    firm = features["firm_id"]
    out["stw_used"] = ((features["stw_hours"] > 0) & since).groupby(firm).cummax()[at]
    out["loan_taken"] = truth.loc[at, "loan_taken"]
    out["deferral_used"] = ((truth["deferral"] > 0) & since).groupby(firm).cummax()[at]
    return out


# The support cross-section -------------------------------------------------------------------
#: Pre-COVID observables of the cross-section (values at the baseline month).
CONFOUNDERS = ("size", "age_years", "headcount", "headcount_change", "arrears_ratio",
               "arrears_ratio_mean12", "payment_score", "profitability", "liquidity",
               "indebtedness", "investment_rate", "supplier_delay")
#: Latent pre-treatment variables revealed in the oracle view.
ORACLE = ("health_pre", "quality", "demand")


@dataclass(frozen=True)
class CrossSection:
    """One row per firm: what a service holds at ``date``, and what only the simulator knows.

    Attributes
    ----------
    data : DataFrame
        Indexed by ``firm_id``: sector dummies ``sector_<code>`` (first sector left out),
        the baseline observables :data:`CONFOUNDERS`, the treatments of :data:`TREATMENTS`
        (0/1 take-up between the regime start and ``date``) and ``failure`` (1 if the
        firm fails within ``horizon`` months after ``date``). Only the outcome uses
        information after ``date``.
    oracle : DataFrame
        Latent pre-treatment variables, same index: ``health_pre`` (health at the
        baseline), ``quality`` (the firm's fixed quality), ``demand`` (mean demand from
        the regime start to ``date``, the shock that drives take-up).
    truth : DataFrame
        :func:`firm_ground_truth` at ``date`` for these firms, indexed by ``firm_id``
        (``sector``, ``p_fail``, ``effect_<measure>``, ...).
    date, baseline : str
        ``"YYYY-MM"``.
    horizon : int
    """

    data: pd.DataFrame
    oracle: pd.DataFrame
    truth: pd.DataFrame
    date: str
    baseline: str
    horizon: int

    @property
    def sectors(self) -> pd.Series:
        """Series: the sector code of each firm (from the truth table)."""
        return self.truth["sector"].astype(str)


def support_cross_section(panel: Panel, date: str = "2020-06", baseline: str = "2020-02",
                          horizon: int = 12) -> CrossSection:
    """The firm-level cross-section for estimating the effect of each support measure.

    Firms are kept if they have a row at ``baseline`` and at ``date`` (alive at both), a
    published financial statement and a complete 12-month contribution history at the
    baseline (the confounders are then all observed), and a known outcome (``date +
    horizon`` within the panel). Treatments: ``stw`` = some short-time work hours, ``loan``
    = a state-guaranteed loan, ``deferral`` = some contributions deferred, each between the
    regime start and ``date`` included (administrative records; the loan and the
    deferral are latent in ``Panel.features`` and read from ``Panel.truth``, up to
    ``date``).

    Raises
    ------
    ValueError
        If the panel has no COVID regime, the months are not ordered
        (``baseline`` < regime start <= ``date``) or ``date + horizon`` passes the panel end.
    """
    covid = panel.config.covid
    if covid is None:
        raise ValueError("panel has no COVID regime: there are no support measures")
    t_date, t_base = month_start(date, "date"), month_start(baseline, "baseline")
    t_start = pd.Timestamp(covid.start)
    if not t_base < t_start <= t_date:
        raise ValueError(f"need baseline < regime start ({covid.start}) <= date, got "
                         f"baseline={baseline!r}, date={date!r}")
    if t_date + pd.DateOffset(months=horizon) > panel.end:
        raise ValueError(f"date + horizon ({date} + {horizon} months) passes the panel end "
                         f"({panel.end:%Y-%m})")
    features, truth = panel.features, panel.truth
    # Baseline observables: the row at the baseline month and the 12 months before it.
    upto = features[features["month"] <= t_base]
    history = history_features(upto, windows=(12,), columns=("arrears_ratio",))
    rows = upto.index[(upto["month"] == t_base).to_numpy()]
    base = upto.loc[rows].join(history.loc[rows, ["arrears_ratio_mean12"]]).set_index("firm_id")
    known = base[list(CONFOUNDERS)].notna().all(axis=1).to_numpy()
    alive = base.index.isin(features.loc[features["month"] == t_date, "firm_id"].to_numpy())
    keep = base.index[known & alive]
    # Treatments: take-up between the regime start and the date, nothing after.
    window = features["month"].between(t_start, t_date)
    firm = features.loc[window, "firm_id"]
    stw = (features.loc[window, "stw_hours"] > 0).groupby(firm).any()
    loan = truth.loc[window, "loan_taken"].groupby(firm).any()
    deferral = (truth.loc[window, "deferral"] > 0).groupby(firm).any()
    sector = base.loc[keep, "sector"].astype(str)
    codes = list(panel.config.sector_codes)
    data = pd.DataFrame(index=pd.Index(keep, name="firm_id"))
    for code in codes[1:]:
        data[f"sector_{code}"] = (sector == code).astype(float)
    for column in CONFOUNDERS:
        data[column] = base.loc[keep, column].astype(float)
    data["stw"] = stw.reindex(keep).fillna(False).astype(float)
    data["loan"] = loan.reindex(keep).fillna(False).astype(float)
    data["deferral"] = deferral.reindex(keep).fillna(False).astype(float)
    # Outcome: failure within the horizon after the date (observed failures only).
    fail = panel.firms.set_index("firm_id")["failure_month"].reindex(keep)
    end = t_date + pd.DateOffset(months=horizon)
    data["failure"] = ((fail > t_date) & (fail <= end)).astype(float).to_numpy()
    # Latent pre-treatment variables (oracle view).
    at_base = truth[features["month"] == t_base].set_index("firm_id")
    demand = truth.loc[window, "demand"].groupby(firm).mean()
    oracle = pd.DataFrame({
        "health_pre": at_base["health"].reindex(keep).astype(float),
        "quality": panel.firm_truth.set_index("firm_id")["quality"].reindex(keep).astype(float),
        "demand": demand.reindex(keep).astype(float),
    }, index=data.index)
    gt = firm_ground_truth(panel, date, horizon).set_index("firm_id").reindex(keep)
    gt["sector"] = gt["sector"].astype(str)
    return CrossSection(data=data, oracle=oracle, truth=gt, date=date, baseline=baseline,
                        horizon=int(horizon))


def support_graph(columns: Iterable[str], oracle: bool = False) -> nx.DiGraph:
    """Causal graph of the cross-section, over its columns and three latent variables.

    A summary of the monthly mechanism between the baseline, the take-up window and the
    outcome window. Latent (observed in the oracle view): ``health_pre`` (health at the
    baseline), ``quality`` and ``demand`` (the shock during the take-up window). The
    sector (its dummies) drives the shock, health and failure; quality drives health and
    the financial choices; baseline health drives every symptom (arrears, payment score,
    supplier delays, margin, headcount change), loan and deferral take-up (weaker firms
    take up more) and failure; the shock drives all three take-ups and failure; each
    treatment causes failure. The graph has no edge between treatments (take-up of one
    measure changes health, hence the take-up of another, within the window: a feedback
    the summary leaves out).

    Parameters
    ----------
    columns : iterable of str
        The columns of the data at hand (sector dummies absent for a one-sector subset).
    oracle : bool
        Mark ``health_pre``, ``quality`` and ``demand`` as observed.
    """
    columns = list(columns)
    sectors = [c for c in columns if c.startswith("sector_")]
    graph = nx.DiGraph()
    for node in ORACLE:
        graph.add_node(node, latent=not oracle)
    for node in columns:
        graph.add_node(node, latent=False)
    treatments = [t for t in TREATMENTS if t in columns]
    edges = [
        *((s, target) for s in sectors for target in ("demand", "health_pre", "size", "failure")),
        ("size", "health_pre"), ("size", "headcount"), ("age_years", "health_pre"),
        ("age_years", "failure"),
        *(("quality", t) for t in ("health_pre", "liquidity", "indebtedness", "investment_rate",
                                   "failure")),
        ("liquidity", "health_pre"), ("indebtedness", "health_pre"),
        ("investment_rate", "health_pre"), ("investment_rate", "liquidity"),
        *((lever, "failure") for lever in ("liquidity", "indebtedness", "investment_rate")),
        *(("liquidity", s) for s in ("arrears_ratio", "payment_score", "supplier_delay")),
        *(("health_pre", s) for s in ("arrears_ratio", "arrears_ratio_mean12",
                                      "payment_score", "supplier_delay", "profitability",
                                      "headcount_change", "headcount")),
        ("health_pre", "failure"), ("demand", "failure"), ("demand", "headcount_change"),
        *(("health_pre", t) for t in ("loan", "deferral") if t in treatments),
        *(("demand", t) for t in treatments),
        *((t, "failure") for t in treatments),
    ]
    graph.add_edges_from((u, v) for u, v in edges if u in graph and (v in graph or v in columns))
    return graph


def _sector_order(sectors: pd.Series) -> list[str]:
    return sorted(dict.fromkeys(sectors))


def _frame(cs: CrossSection, oracle: bool, rows: pd.Index | None = None,
           outcome: str = "observed") -> pd.DataFrame:
    if outcome not in ("observed", "probability"):
        raise ValueError(f"outcome must be 'observed' or 'probability', got {outcome!r}")
    data = cs.data.join(cs.oracle) if oracle else cs.data.copy()
    if outcome == "probability":
        data["failure"] = cs.truth.loc[data.index, "p_fail"].astype(float)
    if rows is not None:
        data = data.loc[rows]
    constant = [c for c in data.columns if c.startswith("sector_") and data[c].nunique() < 2]
    return data.drop(columns=constant)


def estimate_measure_effects(cs: CrossSection, methods: Sequence[EffectMethod], *,
                             oracle: bool = False, by_sector: bool = False,
                             outcome: str = "observed",
                             treatments: Iterable[str] = tuple(TREATMENTS),
                             min_group: int = 20, seed: int = 0) -> pd.DataFrame:
    """Each method's estimate of the effect of each take-up on failure within the horizon.

    Parameters
    ----------
    cs : CrossSection
        From :func:`support_cross_section`.
    methods : sequence of EffectMethod
        E.g. ``NaiveRegression()``, ``AllColumnsDML()``, ``DoWhyBackdoor()``,
        ``GraphDML("linear")``, ``GraphDML("forest")``.
    oracle : bool
        Add the latent pre-treatment variables (:attr:`CrossSection.oracle`) to the data
        and mark them observed in :func:`support_graph`.
    by_sector : bool
        Also estimate within each sector (sector dummies dropped).
    outcome : {"observed", "probability"}
        ``"observed"``: the realised failure (0/1), what a study of real data has;
        ``"probability"``: the true probability of failing within the horizon
        (``truth["p_fail"]``), the same question without the noise of the failure draws
        (only a simulator has it): differences from the truth are then bias, not noise.
    treatments : iterable of str
        Keys of :data:`TREATMENTS`.
    min_group : int
        A treatment with fewer than this many firms taking it up, or not taking it up, in
        a group is not estimated there (marked abstained, note "positivity: ...").
    seed : int

    Returns
    -------
    DataFrame
        One row per (group, treatment, method): ``group`` (``"all"`` or a sector code),
        ``view`` (``"oracle"`` or ``"service"``), ``outcome``, ``n``, then the fields of
        :class:`causalxai.estimate.effects.EffectEstimate` (the effect of taking the measure up,
        ``delta = 1``, on the probability of failure; NaN when the method abstained).
    """
    treatments = list(treatments)
    unknown = [t for t in treatments if t not in TREATMENTS]
    if unknown:
        raise ValueError(f"unknown treatment(s) {unknown}; use {', '.join(TREATMENTS)}")
    groups: list[tuple[str, pd.Index | None]] = [("all", None)]
    if by_sector:
        sectors = cs.sectors
        groups += [(code, sectors.index[sectors == code]) for code in _sector_order(sectors)]
    tables = []
    for group, rows in groups:
        data = _frame(cs, oracle, rows, outcome)
        graph = support_graph(data.columns, oracle=oracle)
        found = []
        for method in methods:
            found += _estimate(method, data, treatments, graph, seed, min_group)
        table = estimates_table(found)
        table.insert(0, "group", group)
        table.insert(1, "view", "oracle" if oracle else "service")
        table.insert(2, "outcome", outcome)
        table.insert(3, "n", len(data))
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _estimate(method: EffectMethod, data: pd.DataFrame, treatments: list[str],
              graph: nx.DiGraph, seed: int, min_group: int) -> list[EffectEstimate]:
    """``method.estimate_all`` treatment by treatment, with two exceptions.

    A treatment taken up by fewer than ``min_group`` firms, or left by fewer than
    ``min_group``, is not estimated (positivity: there is nobody to compare with); the
    row is marked abstained with that reason. DoWhy is not run for a treatment whose
    effect the compendium's identification finds no adjustment set for:
    :class:`DoWhyBackdoor` abstains in that case whatever DoWhy finds, and DoWhy's own
    search is slow on this graph (minutes); the abstention is recorded as the method
    would record it.
    """
    observed = [c for c in data.columns if c in graph and not graph.nodes[c].get("latent")]
    out: list[EffectEstimate] = []
    for treatment in treatments:
        took = int((data[treatment] == 1).sum())
        if min(took, len(data) - took) < min_group:
            out.append(EffectEstimate(treatment, method.name, np.nan, np.nan, np.nan, True,
                                      None, f"positivity: {took} of {len(data)} firms took "
                                      f"it up; fewer than {min_group} on one side, not "
                                      "estimated"))
        elif not isinstance(method, DoWhyBackdoor):
            out += method.estimate_all(data, [treatment], "failure", delta=1.0, graph=graph,
                                       seed=seed)
        elif backdoor_adjustment_set(graph, treatment, "failure", observed=observed) is None:
            out.append(EffectEstimate(treatment, method.name, np.nan, np.nan, np.nan, True,
                                      None, f"{ABSTAIN_NOTE} (our identification finds no "
                                      "set; DoWhy's search not run)"))
        else:
            out += method.estimate_all(data, [treatment], "failure", delta=1.0, graph=graph,
                                       seed=seed)
    return out


def true_measure_effects(cs: CrossSection, by_sector: bool = False,
                         treatments: Iterable[str] = tuple(TREATMENTS)) -> pd.DataFrame:
    """The simulator's effect of each measure on failure within the horizon after the date.

    For firm ``i`` the effect of a measure is ``p_fail - p_fail_no_<measure>`` from
    :func:`firm_ground_truth` (the world without the measure, same random numbers).

    Returns
    -------
    DataFrame
        One row per (group, treatment): ``n``, ``n_treated``, ``att`` (mean effect over
        the firms that took the measure up by the date: what the estimators are compared
        with), ``ate`` (mean over all firms: the measure's effect on the population,
        including later take-up) and ``att_late`` (mean over the firms that had not taken
        it up by the date).
    """
    rows = []
    sectors = cs.sectors
    groups = [("all", cs.data.index)]
    if by_sector:
        groups += [(code, sectors.index[sectors == code]) for code in _sector_order(sectors)]
    for group, idx in groups:
        for treatment in treatments:
            effect = cs.truth.loc[idx, f"effect_{TREATMENTS[treatment]}"]
            took = cs.data.loc[idx, treatment] == 1
            rows.append({"group": group, "treatment": treatment, "n": len(idx),
                         "n_treated": int(took.sum()), "att": float(effect[took].mean()),
                         "ate": float(effect.mean()), "att_late": float(effect[~took].mean())})
    return pd.DataFrame(rows)


def target_ratios(source: str = "annual", model: str = "damped", **kwargs: object
                  ) -> dict[int, float]:
    """Observed / no-COVID failure ratios per year from the French data (Part III).

    A thin wrapper of :func:`causalxai.realdata.french.covid_failure_ratio` returning the
    ``{year: ratio}`` mapping that :class:`causalxai.firms.Covid` takes as
    ``target_ratios``. Reads the data through :mod:`causalxai.data` (hash-checked).
    """
    from causalxai.realdata.french import covid_failure_ratio

    frame = covid_failure_ratio(source, model=model, **kwargs)
    return {int(year): float(ratio) for year, ratio in frame["ratio"].items()}


# Scoring estimates ---------------------------------------------------------------------------
def effects_vs_truth(estimates: pd.DataFrame, truth: pd.DataFrame, *, group: str = "all",
                     scale: float = 100.0) -> pd.DataFrame:
    """Estimates of one group beside the true effect on the takers, for plotting.

    Parameters
    ----------
    estimates : DataFrame
        From :func:`estimate_measure_effects` (one view and outcome).
    truth : DataFrame
        From :func:`true_measure_effects`.
    group : str
        ``"all"`` or a sector code.
    scale : float
        Multiplier (100: percentage points of failure probability).

    Returns
    -------
    DataFrame
        Indexed by (method, feature) with ``mean``, ``q025``, ``q975`` (the estimate and
        its 95 % interval), ``truth`` (the effect on the takers, ``att``) and
        ``abstain_rate`` (1 when the method abstained): the input of
        :func:`causalxai.plots.methods_vs_truth`.
    """
    rows = estimates[estimates["group"] == group]
    att = truth[truth["group"] == group].set_index("treatment")["att"]
    out = pd.DataFrame({
        "method": rows["method"].to_numpy(), "feature": rows["feature"].to_numpy(),
        "mean": scale * rows["estimate"].to_numpy(), "q025": scale * rows["low"].to_numpy(),
        "q975": scale * rows["high"].to_numpy(),
        "truth": scale * att.reindex(rows["feature"]).to_numpy(),
        "abstain_rate": rows["abstained"].astype(float).to_numpy()})
    missing = out["q025"].isna() & out["mean"].notna()
    out.loc[missing, ["q025", "q975"]] = out.loc[missing, ["mean", "mean"]].to_numpy()
    return out.set_index(["method", "feature"])


def effect_verdict(estimates: pd.DataFrame, truth: pd.DataFrame, view: str, outcome: str,
                   method: str, treatment: str, *, tolerance: float = 1e-4) -> str:
    """What one method says of one measure's effect on all firms, in words: ``"abstains"``
    or :func:`causalxai.synthetic.report.verdict` of its estimate against the true ATT.

    Parameters
    ----------
    estimates : pandas.DataFrame
        :func:`estimate_measure_effects` rows (``group``, ``view``, ``outcome``,
        ``method``, ``feature``, ``estimate``, ``abstained``).
    truth : pandas.DataFrame
        :func:`true_measure_effects` rows (``group``, ``treatment``, ``att``).
    view, outcome, method, treatment : str
        Which estimate.
    tolerance : float
        Passed to ``verdict``: effects smaller than this count as zero.

    Raises
    ------
    KeyError
        If no estimate or no true effect matches (the message names the selection).
    """
    from causalxai.synthetic.report import verdict

    sel = estimates[(estimates["group"] == "all") & (estimates["view"] == view)
                    & (estimates["outcome"] == outcome) & (estimates["method"] == method)
                    & (estimates["feature"] == treatment)]
    if sel.empty:
        raise KeyError(f"no estimate for view {view!r}, outcome {outcome!r}, method "
                       f"{method!r} and treatment {treatment!r}")
    row = sel.iloc[0]
    if row["abstained"]:
        return "abstains"
    true = truth[(truth["group"] == "all") & (truth["treatment"] == treatment)]["att"]
    if true.empty:
        raise KeyError(f"no true effect for treatment {treatment!r}")
    return verdict(float(row["estimate"]), float(true.iloc[0]), tolerance=tolerance)
