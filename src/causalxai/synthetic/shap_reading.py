"""Chapter 2.1's experiment: what a reader takes from SHAP values, next to the true effects.

On one scenario (:func:`causalxai.synthetic.scenarios.firm_distress_toy`), repeated
samples are fitted with a gradient-boosting model and explained with interventional
TreeSHAP (:func:`shap_readings`); each feature's SHAP *slope* and *importance* are put
beside the exact interventional effect (:func:`exact_truth`, :func:`shap_vs_truth`), drawn
(:func:`shap_vs_truth_figure`) and glued for the prose from the table's own cells
(:func:`glue_shap_vs_truth`), so that the text quotes what the table shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from causalxai import glue as _glue
from causalxai import plots
from causalxai.causal.scm import total_effect_linear
from causalxai.names import feature_name
from causalxai.predict.explain import mean_abs_shap, shap_slope, tree_shap
from causalxai.predict.models import fit_gbm
from causalxai.scorecard import compare, summarise_runs
from causalxai.synthetic.scenarios import Scenario, true_effects

__all__ = ["exact_truth", "glue_shap_vs_truth", "shap_readings", "shap_vs_truth",
           "shap_vs_truth_figure"]


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def shap_readings(scenario: Scenario, *, n_samples: int, seeds: Sequence[int],
                  n_explain: int, n_background: int, n_estimators: int) -> pd.DataFrame:
    """SHAP slope and importance of every feature, once per repetition.

    Repetition ``k`` (seed ``s = seeds[k]``) samples ``n_samples`` rows (seed ``s``), fits
    :func:`causalxai.predict.models.fit_gbm` of the outcome on the observed features,
    explains ``n_explain`` fresh rows (seed ``s + 10_000``) with interventional TreeSHAP
    against ``n_background`` training rows, and records each feature's SHAP slope
    (:func:`causalxai.predict.explain.shap_slope`), its mean absolute SHAP value and the
    model's out-of-sample R² on the explained rows.

    Parameters
    ----------
    scenario : Scenario
        The structural model and its features.
    n_samples, n_explain, n_background, n_estimators : int
        Training rows, explained rows, background rows, boosting rounds (all ≥ 1).
    seeds : sequence of int
        One seed per repetition (at least one).

    Returns
    -------
    pandas.DataFrame
        One row per (repetition, feature): ``feature``, ``slope``, ``importance``,
        ``run`` (0, 1, ...), ``r2``.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``seeds`` is empty.
    """
    sizes = {"n_samples": n_samples, "n_explain": n_explain, "n_background": n_background,
             "n_estimators": n_estimators}
    for name, value in sizes.items():
        _positive_int(name, value)
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    runs = []
    for k, s in enumerate(seeds):
        X, y = scenario.sample(n_samples, seed=s)
        model = fit_gbm(X, y, n_estimators=n_estimators, seed=s)
        X_new, y_new = scenario.sample(n_explain, seed=s + 10_000)
        background = X.sample(min(n_background, len(X)), random_state=s)
        sv = tree_shap(model, X_new, background)
        r2 = 1 - np.mean((y_new - model.predict(X_new)) ** 2) / np.var(y_new)
        runs.append(
            pd.DataFrame({"slope": shap_slope(sv, X_new), "importance": mean_abs_shap(sv)})
            .rename_axis("feature").reset_index().assign(run=k, r2=r2)
        )
    return pd.concat(runs, ignore_index=True)


def exact_truth(scenario: Scenario, *, n: int, seed: int, delta: float = 1.0) -> pd.DataFrame:
    """The true effect of ``do(X := X + delta)`` on the outcome, simulated and in closed form.

    Parameters
    ----------
    scenario : Scenario
        A *linear* structural model (the closed form is the sum over causal paths of the
        products of their weights, per unit of shift).
    n : int
        Monte-Carlo size of the simulated intervention.
    seed : int
        Its seed.
    delta : float
        Size of the shift; the closed form is scaled by it.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature: ``effect`` and ``std_error`` (simulated,
        :func:`causalxai.synthetic.scenarios.true_effects`) and ``closed_form``.
    """
    truth = true_effects(scenario, delta=delta, n=n, seed=seed)
    truth["closed_form"] = [delta * total_effect_linear(scenario.scm, f, scenario.outcome)
                            for f in truth.index]
    return truth


def shap_vs_truth(runs: pd.DataFrame, truth: pd.DataFrame,
                  roles: Mapping[str, str]) -> pd.DataFrame:
    """Per feature, what SHAP says next to what an intervention does, by SHAP rank.

    Parameters
    ----------
    runs : pandas.DataFrame
        :func:`shap_readings`' table (columns ``feature``, ``slope``, ``importance``).
    truth : pandas.DataFrame
        Indexed by feature, column ``effect`` (:func:`exact_truth`).
    roles : mapping
        Role of each feature in the causal graph.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``feature``, sorted by SHAP rank (1: most important), columns
        ``role``, ``shap_rank``, ``importance`` (mean over repetitions of
        the mean absolute SHAP value), ``slope`` (mean SHAP slope) with its 2.5–97.5 %
        range over repetitions ``q025``/``q975``, ``truth``, and the slope's ``abs_error``,
        ``rel_error`` and ``sign_agrees`` (:func:`causalxai.scorecard.compare`).

    Raises
    ------
    ValueError
        If ``runs`` lacks a column, or a feature of the runs has no true effect or no role.
    """
    missing = [c for c in ("feature", "slope", "importance") if c not in runs.columns]
    if missing:
        raise ValueError(f"runs must have the columns feature, slope, importance; "
                         f"missing: {', '.join(missing)}")
    if "effect" not in truth.columns:
        raise ValueError("truth must have an 'effect' column (see exact_truth)")
    features = list(dict.fromkeys(runs["feature"]))
    for what, known in (("true effect", truth.index), ("role", list(roles))):
        lacking = [f for f in features if f not in known]
        if lacking:
            raise ValueError(f"no {what} for feature(s): {', '.join(map(str, lacking))}")
    slopes = summarise_runs(runs, "slope")
    importance = summarise_runs(runs, "importance")["mean"]
    scored = compare(slopes["mean"], truth["effect"].loc[features])
    table = pd.DataFrame({
        "role": pd.Series(dict(roles)).loc[features],
        "shap_rank": importance.rank(ascending=False).astype(int),
        "importance": importance,
        "slope": slopes["mean"],
        "q025": slopes["q025"],
        "q975": slopes["q975"],
        "truth": scored["truth"],
        "abs_error": scored["abs_error"],
        "rel_error": scored["rel_error"],
        "sign_agrees": scored["sign_agrees"],
    }).sort_values("shap_rank")
    return table.rename_axis("feature")


def glue_shap_vs_truth(table: pd.DataFrame, runs: pd.DataFrame,
                       truth: pd.DataFrame) -> dict[str, object]:
    """Glue the chapter's numbers from :func:`shap_vs_truth`'s cells, and return them.

    Per feature ``f``: ``<f>_slope`` and ``<f>_truth`` (``effect``, as the table shows
    them), ``<f>_rank`` (``count``). Then ``r2`` (mean out-of-sample R², ``score``),
    ``n_features``, ``n_wrong_sign`` (slope and truth disagree in sign, or one is an
    effect and the other none), ``n_far`` (relative error above 50 %) (``count``),
    ``top_feature`` (the display name of SHAP's most important feature) and ``top_role``,
    and ``max_mc_gap``, the largest difference between the simulated and the closed-form
    truth (``effect``: 0 when they agree to rounding).

    Returns
    -------
    dict of str to object
        Glue name -> raw value.
    """
    top = table.index[0]
    values: dict[str, tuple[object, str]] = {
        "r2": (float(runs["r2"].mean()), "score"),
        "n_features": (len(table), "count"),
        "n_wrong_sign": (int((~table["sign_agrees"]).sum()), "count"),
        "n_far": (int((table["rel_error"] > 0.5).sum()), "count"),
        "top_feature": (feature_name(top), "text"),
        "top_role": (table.loc[top, "role"], "text"),
    }
    for f in table.index:
        values[f"{f}_slope"] = (float(table.loc[f, "slope"]), "effect")
        values[f"{f}_truth"] = (float(table.loc[f, "truth"]), "effect")
        values[f"{f}_rank"] = (int(table.loc[f, "shap_rank"]), "count")
    gap = float((truth["effect"] - truth["closed_form"]).abs().max())
    values["max_mc_gap"] = (gap, "effect")
    for name, (value, quantity) in values.items():
        _glue.glue(name, value, quantity)
    return {name: value for name, (value, _) in values.items()}


def shap_vs_truth_figure(table: pd.DataFrame, *, context: str | None = None,
                         width: float = plots.BOOK_WIDTH) -> plt.Figure:
    """Two stacked panels: (a) SHAP slope and its range against the true effect; (b) SHAP
    importance (right) against the size of the true effect (left, mirrored).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`shap_vs_truth`'s table.
    context : str, optional
        Scenario name, for the feature names.
    width : float
        Inches, at most :data:`causalxai.plots.BOOK_WIDTH`.

    Returns
    -------
    matplotlib Figure

    Raises
    ------
    ValueError
        If ``width`` is not in (0, BOOK_WIDTH].
    """
    plots.check_width(width)
    n = len(table)
    with plots.book_style():
        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(width, 1.1 * n + 3.0),
                                       gridspec_kw={"height_ratios": [1.2, 1]})
        plots.estimates_vs_truth(table, estimate="slope", label="SHAP slope "
                                 "(range over repetitions)", ax=ax1, context=context)
        ax1.set_xlabel("Change in distress for +1 unit of the feature")
        ax1.set_title("(a) What SHAP suggests vs what an intervention does", loc="left")
        order = table.index[::-1]
        names = [feature_name(f, context) for f in order]
        ax2.barh(names, table.loc[order, "importance"], color=plots.PALETTE[0],
                 label="Mean |SHAP|")
        ax2.barh(names, -table.loc[order, "truth"].abs(), color="#333333",
                 label="|True effect| (mirrored)")
        ax2.axvline(0, color="black", linewidth=0.8)
        ax2.set_title("(b) SHAP importance (right) vs size of the true effect (left)",
                      loc="left")
        ax2.legend(loc="lower right")
    return fig
