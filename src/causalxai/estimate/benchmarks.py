"""The two observational benchmarks whose answers are published: their packaged data,
model specifications, causal graph and published values.

- **NSW / Lalonde** (LaLonde, 1986; Dehejia & Wahba, 1999): loaders
  :func:`lalonde_experimental`, :func:`lalonde_observational`, the covariates and formulas
  ``LALONDE_*`` and :data:`LALONDE_EXPERIMENTAL_PUBLISHED`;
- **NHEFS** (Hernán & Robins, *Causal Inference: What If*, chapters 12-13): :func:`nhefs`,
  ``NHEFS_CONFOUNDERS*``, ``NHEFS_OUTCOME_RHS`` and the published ``NHEFS_*_PUBLISHED``.

Each published constant is a :class:`PublishedEstimate` kept with its citation; the packaged
data are checked against :data:`DATA_SHA256`. The estimators are in
:mod:`causalxai.estimate.observational`.
"""

from __future__ import annotations

import hashlib
import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "DATA_SHA256",
    "LALONDE_COVARIATES",
    "LALONDE_EXPERIMENTAL_PUBLISHED",
    "LALONDE_OUTCOME_RHS",
    "LALONDE_PS_RHS",
    "NHEFS_CONFOUNDERS",
    "NHEFS_CONFOUNDERS_RHS",
    "NHEFS_IPW_PUBLISHED",
    "NHEFS_OUTCOME_RHS",
    "NHEFS_STABILISED_WEIGHTS_PUBLISHED",
    "NHEFS_STANDARDISATION_PUBLISHED",
    "NHEFS_STANDARDISED_MEANS_PUBLISHED",
    "PublishedEstimate",
    "confounding_graph",
    "frame_sha256",
    "lalonde_experimental",
    "lalonde_observational",
    "nhefs",
]


# Published values -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishedEstimate:
    """A number printed in the literature, kept with its source.

    Attributes
    ----------
    quantity : str
        What was estimated, in words.
    estimate : float
        The published point estimate, as printed (rounded as in the source).
    low, high : float
        The published 95 % interval as printed (NaN when the source gives a standard error
        instead).
    se : float
        The published standard error (NaN when not given).
    unit : str
        Unit of the estimate.
    citation : str
        BibTeX key of the source.
    where : str
        Where in the source (chapter, section, table).
    """

    quantity: str
    estimate: float
    low: float
    high: float
    se: float
    unit: str
    citation: str
    where: str


#: Hernán & Robins, *Causal Inference: What If*, section 12.3: IP weighting with stabilised
#: weights of the effect of quitting smoking (qsmk) on weight gain 1971-1982 (wt82_71),
#: NHEFS, 1566 individuals with a 1982 weight. Printed as 3.4 kg (95 % CI: 2.4, 4.5).
NHEFS_IPW_PUBLISHED = PublishedEstimate(
    quantity="average effect of quitting smoking on weight gain, IP weighting (stabilised)",
    estimate=3.4, low=2.4, high=4.5, se=math.nan, unit="kg", citation="hernan2020whatif",
    where="Chapter 12, sections 12.2-12.3 (stabilised IP weights)",
)

#: Hernán & Robins, *Causal Inference: What If*, section 13.3: standardisation (parametric
#: g-formula) with an outcome model that adds the qsmk x smokeintensity product term.
#: Printed as 3.5 kg (95 % bootstrap CI: 2.6, 4.5).
NHEFS_STANDARDISATION_PUBLISHED = PublishedEstimate(
    quantity="average effect of quitting smoking on weight gain, standardisation",
    estimate=3.5, low=2.6, high=4.5, se=math.nan, unit="kg", citation="hernan2020whatif",
    where="Chapter 13, section 13.3 (standardisation, bootstrap interval)",
)

#: Hernán & Robins, *What If*, section 12.3: the stabilised IP weights of the NHEFS
#: analysis range from 0.33 to 4.30 and average 1.00.
NHEFS_STABILISED_WEIGHTS_PUBLISHED = {
    "min": 0.33, "max": 4.30, "mean": 1.00, "citation": "hernan2020whatif",
    "where": "Chapter 12, section 12.3",
}

#: Hernán & Robins, *What If*, section 13.3: standardised mean weight gain had everybody
#: quit (5.18 kg) and had nobody quit (1.66 kg), outcome model fitted on the 1,566
#: uncensored smokers and averaged over all 1,629.
NHEFS_STANDARDISED_MEANS_PUBLISHED = {
    "quit": 5.18, "not quit": 1.66, "citation": "hernan2020whatif",
    "where": "Chapter 13, section 13.3",
}

#: Dehejia & Wahba (1999), table 3: experimental estimate of the NSW effect on 1978
#: earnings in their subsample of LaLonde's men (185 treated, 260 controls):
#: $1,794 (standard error 633).
LALONDE_EXPERIMENTAL_PUBLISHED = PublishedEstimate(
    quantity="NSW experimental effect on 1978 earnings, Dehejia-Wahba subsample",
    estimate=1794.0, low=math.nan, high=math.nan, se=633.0, unit="US dollars (1982)",
    citation="dehejia1999causal", where="Table 3, NSW experimental row",
)

# Data -----------------------------------------------------------------------------------------
#: Pre-treatment covariates of the NSW/CPS samples.
LALONDE_COVARIATES = ("age", "educ", "black", "hisp", "marr", "nodegree", "re74", "re75")

#: Propensity model for the NSW-treated + CPS sample, in the spirit of Dehejia & Wahba
#: (1999): polynomials in age and education, zero-earnings indicators and an interaction.
LALONDE_PS_RHS = (
    "age + I(age**2) + I(age**3) + educ + I(educ**2) + marr + nodegree + black + hisp"
    " + re74 + re75 + I((re74 == 0) * 1.0) + I((re75 == 0) * 1.0) + I(educ * re74)"
)

#: Outcome model for the NSW-treated + CPS sample: additive treatment and covariates.
LALONDE_OUTCOME_RHS = (
    "treat + age + I(age**2) + educ + I(educ**2) + marr + nodegree + black + hisp"
    " + re74 + re75 + I((re74 == 0) * 1.0) + I((re75 == 0) * 1.0)"
)

#: The nine confounders of Hernán & Robins (chapter 12).
NHEFS_CONFOUNDERS = ("sex", "race", "age", "education", "smokeintensity", "smokeyrs",
                     "exercise", "active", "wt71")

#: Their model: squares of the continuous confounders, categorical education, exercise
#: and activity (the propensity model of section 12.2).
NHEFS_CONFOUNDERS_RHS = (
    "sex + race + age + I(age**2) + C(education) + smokeintensity + I(smokeintensity**2)"
    " + smokeyrs + I(smokeyrs**2) + C(exercise) + C(active) + wt71 + I(wt71**2)"
)

#: Their outcome model for standardisation (section 13.2): treatment, the confounders and
#: the product of treatment and smoking intensity.
NHEFS_OUTCOME_RHS = f"qsmk + {NHEFS_CONFOUNDERS_RHS} + I(qsmk * smokeintensity)"


def _causaldata(name: str) -> pd.DataFrame:
    try:
        import causaldata
    except ImportError as exc:  # pragma: no cover - the package is a pinned dependency
        raise ImportError(
            "the NSW, CPS and NHEFS data ship with the 'causaldata' package: "
            "pip install causaldata==0.1.5"
        ) from exc
    module = importlib.import_module(f"{causaldata.__name__}.{name}")
    return module.load_pandas().data


#: sha256 of the loaded frames (column names, then the float64 values row by row), as
#: shipped by causaldata 0.1.5: the loaders refuse data that differ.
DATA_SHA256 = {
    "lalonde_experimental": "bc40e9c679ed91ddae8f7caa41354cb7b5fbc435316ba9525b0ae2a2a0ce64cf",
    "lalonde_observational": "68f4c7e61450328da318d03acb0386c9fcb250fe5a6327d656113d74f0ec2a56",
    "nhefs": "5f49fdf99f27c97207a5b283e27bb3befae1c4c35458be0fa8ad1143cbcb68b6",
}


def frame_sha256(frame: pd.DataFrame) -> str:
    """sha256 of a numeric frame: its column names, then its float64 values row by row."""
    digest = hashlib.sha256(",".join(map(str, frame.columns)).encode())
    digest.update(np.ascontiguousarray(frame.to_numpy(dtype="float64")).tobytes())
    return digest.hexdigest()


def _check_frame(frame: pd.DataFrame, what: str, key: str) -> pd.DataFrame:
    found = frame_sha256(frame)
    if found != DATA_SHA256[key]:
        raise ValueError(
            f"{what}: the data differ from those this module was checked on "
            f"(sha256 {found[:12]}..., expected {DATA_SHA256[key][:12]}...); "
            "install causaldata==0.1.5"
        )
    return frame


def lalonde_experimental() -> pd.DataFrame:
    """The NSW experimental sample of Dehejia & Wahba (1999): 185 treated, 260 controls.

    Returns
    -------
    pandas.DataFrame
        Columns ``treat``, :data:`LALONDE_COVARIATES` and ``re78`` (1978 earnings, 1982
        dollars), all float64, one row per man.

    Raises
    ------
    ValueError
        If the packaged data differ from those of :data:`DATA_SHA256`.
    """
    raw = _causaldata("nsw_mixtape")
    frame = raw[["treat", *LALONDE_COVARIATES, "re78"]].astype("float64").reset_index(drop=True)
    return _check_frame(frame, "causaldata.nsw_mixtape", "lalonde_experimental")


def lalonde_observational() -> pd.DataFrame:
    """The 185 NSW-treated men with the 15,992 CPS comparison men (Dehejia & Wahba's CPS-1).

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`lalonde_experimental`; the treated rows first.

    Raises
    ------
    ValueError
        If the packaged data differ from those of :data:`DATA_SHA256`.
    """
    nsw = _causaldata("nsw_mixtape")
    cps = _causaldata("cps_mixtape")
    cols = ["treat", *LALONDE_COVARIATES, "re78"]
    frame = pd.concat([nsw.loc[nsw["treat"] == 1, cols], cps[cols]], ignore_index=True)
    frame = frame.astype("float64")
    return _check_frame(frame, "causaldata nsw_mixtape + cps_mixtape", "lalonde_observational")


def nhefs(complete: bool = True) -> pd.DataFrame:
    """The NHEFS smokers of Hernán & Robins, with categorical variables as numeric codes.

    Parameters
    ----------
    complete : bool
        True (default): the 1,566 individuals whose 1982 weight is known -- the sample of
        chapter 12. False: all 1,629 (the outcome ``wt82_71`` is NaN for 63 of them).

    Returns
    -------
    pandas.DataFrame
        ``qsmk``, ``wt82_71`` and :data:`NHEFS_CONFOUNDERS`, float64 (education 1-5,
        exercise and active 0-2 as numbers; the formulas treat them with ``C()``).

    Raises
    ------
    ValueError
        If the packaged data differ from those of :data:`DATA_SHA256`.
    """
    raw = _causaldata("nhefs")
    frame = raw[["qsmk", "wt82_71", *NHEFS_CONFOUNDERS]].copy()
    for name in ("education", "exercise", "active"):
        frame[name] = pd.to_numeric(frame[name].astype(str))
    frame = frame.astype("float64").reset_index(drop=True)
    _check_frame(frame, "causaldata.nhefs", "nhefs")
    if complete:
        frame = frame[frame["wt82_71"].notna()].reset_index(drop=True)
    return frame


def confounding_graph(treatment: str, outcome: str, confounders: Sequence[str],
                      extra_edges: Sequence[tuple[str, str]] = ()) -> nx.DiGraph:
    """The DAG where every confounder causes treatment and outcome, and treatment the outcome.

    Parameters
    ----------
    treatment, outcome : str
        Node names.
    confounders : sequence of str
        Pre-treatment variables; each gets edges to ``treatment`` and ``outcome``.
    extra_edges : sequence of (str, str)
        Further edges among the confounders (they do not change the adjustment set).

    Returns
    -------
    networkx.DiGraph

    Raises
    ------
    ValueError
        If the result has a cycle or names are repeated.
    """
    if treatment == outcome or treatment in confounders or outcome in confounders:
        raise ValueError("treatment, outcome and confounders must be distinct")
    graph = nx.DiGraph()
    graph.add_edges_from([(c, treatment) for c in confounders])
    graph.add_edges_from([(c, outcome) for c in confounders])
    graph.add_edge(treatment, outcome)
    graph.add_edges_from(extra_edges)
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError("the graph has a cycle; check extra_edges")
    return graph
