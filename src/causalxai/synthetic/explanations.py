"""Which Shapley value function ranks a scenario's features like their true effects?

:func:`explanation_study` fits one model per seed on a scenario's sample, explains the
same rows with each value function of
:func:`causalxai.predict.shapley.shapley_explanation` (marginal, conditional, asymmetric,
causal, ...), and compares each kind's ranking of the features by mean absolute value
with the ranking by the size of the true interventional effect: the effect on the
outcome of shifting the feature by one standard deviation, ``|E[Y | do(X := X + sd)] -
E[Y]|``, simulated in the true structural model. The agreement is Spearman's rank
correlation (ties averaged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from causalxai.predict.models import fit_gbm
from causalxai.predict.shapley import EXPLANATIONS, shapley_explanation
from causalxai.synthetic.scenarios import Scenario

__all__ = ["ExplanationStudy", "explanation_study", "true_importance"]


def true_importance(scenario: Scenario, *, n: int = 50_000, seed: int = 0) -> pd.Series:
    """Size of each feature's true effect of a one-standard-deviation shift.

    ``|E[Y(do(X := X + sd(X)))] - E[Y]|`` by Monte-Carlo with common random numbers in the
    scenario's structural model, ``sd(X)`` its observational standard deviation.

    Returns
    -------
    pandas.Series
        Indexed by feature, in the scenario's order.
    """
    if n < 100:
        raise ValueError(f"n must be at least 100, got {n}")
    sd = scenario.scm.sample(n, seed=seed)[scenario.features].std()
    return pd.Series({
        f: abs(scenario.scm.average_effect(f, scenario.outcome, delta=float(sd[f]), n=n,
                                           seed=seed).estimate)
        for f in scenario.features
    }, name="truth")


@dataclass(frozen=True)
class ExplanationStudy:
    """Result of :func:`explanation_study`.

    Attributes
    ----------
    scenario : Scenario
    truth : pandas.Series
        :func:`true_importance` by feature.
    importance : pandas.DataFrame
        Mean absolute Shapley value: columns ``seed``, ``kind``, ``feature``, ``value``.
    spearman : pandas.DataFrame
        Columns ``seed``, ``kind``, ``spearman`` (rank correlation with ``truth``).
    seconds : pandas.DataFrame
        Columns ``seed``, ``kind``, ``seconds`` (time to explain the rows).
    """

    scenario: Scenario
    truth: pd.Series
    importance: pd.DataFrame
    spearman: pd.DataFrame
    seconds: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per kind: mean, min and max Spearman correlation over seeds, and mean seconds."""
        g = self.spearman.groupby("kind", sort=False)["spearman"]
        out = pd.DataFrame({"mean": g.mean(), "min": g.min(), "max": g.max()})
        out["seconds"] = self.seconds.groupby("kind", sort=False)["seconds"].mean()
        return out

    def mean_importance(self) -> pd.DataFrame:
        """Mean absolute value by feature (rows) and kind (columns), averaged over seeds,
        with the truth as the first column."""
        table = self.importance.pivot_table(index="feature", columns="kind", values="value",
                                            aggfunc="mean", sort=False)
        table = table.reindex(index=self.scenario.features,
                              columns=list(dict.fromkeys(self.importance["kind"])))
        return pd.concat([self.truth, table], axis=1)


def _spearman(a: pd.Series, b: pd.Series) -> float:
    if a.nunique() < 2 or b.nunique() < 2:
        return float("nan")
    return float(spearmanr(a.to_numpy(), b.to_numpy()).statistic)


def explanation_study(
    scenario: Scenario,
    *,
    kinds: Sequence[str] = ("marginal", "conditional", "asymmetric", "causal"),
    seeds: Sequence[int] = (0, 1, 2),
    n_samples: int = 2_000,
    n_explain: int = 100,
    n_background: int = 100,
    n_estimators: int = 100,
    n_truth: int = 50_000,
) -> ExplanationStudy:
    """Explain the same rows with each value function and rank-correlate with the truth.

    For each seed: sample ``n_samples`` rows from the scenario, fit a LightGBM model of the
    outcome (:func:`causalxai.predict.models.fit_gbm`), draw ``n_explain`` new rows and
    explain them with each kind, using the true structural model for the conditional
    distribution, the causal order and the interventional distribution, and
    ``n_background`` background rows (or noise draws).

    Parameters
    ----------
    scenario : Scenario
        A scenario of :data:`causalxai.synthetic.library.SCENARIOS`.
    kinds : sequence of str
        Kinds of :data:`causalxai.predict.shapley.EXPLANATIONS`.
    seeds : sequence of int
        One repetition (new sample, new fit, new rows) per seed.
    n_samples, n_explain, n_background, n_estimators, n_truth : int
        Training rows, explained rows, background size, boosting rounds, Monte-Carlo size of
        the truth.

    Returns
    -------
    ExplanationStudy
    """
    import time

    kinds = list(kinds)
    bad = [k for k in kinds if k not in EXPLANATIONS]
    if bad or not kinds:
        raise ValueError(f"kinds must be a non-empty list of {EXPLANATIONS}, got {kinds}")
    if not seeds:
        raise ValueError("seeds must not be empty")
    for name, value, low in [("n_samples", n_samples, 50), ("n_explain", n_explain, 1),
                             ("n_background", n_background, 1),
                             ("n_estimators", n_estimators, 1)]:
        if int(value) < low:
            raise ValueError(f"{name} must be at least {low}, got {value}")
    truth = true_importance(scenario, n=n_truth, seed=int(seeds[0]))
    features = scenario.features
    rows, rhos, times = [], [], []
    for s in seeds:
        X, y = scenario.sample(n_samples, seed=int(s))
        model = fit_gbm(X, y, n_estimators=n_estimators, seed=int(s))
        X_explain, _ = scenario.sample(n_explain, seed=int(s) + 100_003)

        def predict(Z: np.ndarray, model=model) -> np.ndarray:
            return model.predict(pd.DataFrame(Z, columns=features))

        for kind in kinds:
            start = time.perf_counter()
            exp = shapley_explanation(predict, X_explain, kind=kind, scm=scenario.scm,
                                      features=features, n_background=n_background,
                                      seed=int(s))
            times.append({"seed": s, "kind": kind, "seconds": time.perf_counter() - start})
            imp = pd.Series(np.abs(exp.values).mean(axis=0), index=features)
            rows += [{"seed": s, "kind": kind, "feature": f, "value": float(imp[f])}
                     for f in features]
            rhos.append({"seed": s, "kind": kind, "spearman": _spearman(imp, truth)})
    return ExplanationStudy(scenario, truth, pd.DataFrame(rows), pd.DataFrame(rhos),
                            pd.DataFrame(times))
