"""The scenario record of Part II: a structural causal model, its outcome, and the role of
each feature, with a short story in the firm-distress setting; the parameter checks its
factories share; the toy scenario; and the true effects of a scenario.

The roles are what a causal analyst would say of each feature given the graph; they are
checked against the graph in the tests, so a story cannot contradict its model. The named
scenarios and :func:`~causalxai.synthetic.library.make_scenario` are in
:mod:`causalxai.synthetic.library`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from causalxai.causal.actionability import ActionabilitySchema
from causalxai.causal.problem import CausalProblem
from causalxai.causal.scm import SCM

__all__ = [
    "FAMILIES",
    "ROLES",
    "Scenario",
    "firm_distress_toy",
    "poisson_quantile",
    "true_effects",
]

#: The roles a feature can play for the prescription question.
ROLES = {
    "lever": "actionable cause of the outcome",
    "confounded lever": "actionable cause that shares an unobserved cause with the outcome",
    "mediator": "lies on the path from a lever to the outcome",
    "lever via mediator": "actionable cause whose effect passes through another feature",
    "confounder": "common cause of a lever and the outcome; not a lever of the firm",
    "symptom": "consequence of the outcome: predicts it, cannot change it",
    "non-actionable": "a cause the firm cannot change (age, sector)",
    "collider": "caused by a lever and by the outcome: a bad control that opens a spurious path",
    "proxy": "no effect on the outcome; predictive only through its correlation with causes",
    "redundant proxy": "near-copy (a measurement) of a cause: no effect, splits the credit",
    "effect modifier": "changes the size of a lever's effect (an interaction); not a lever",
}

#: The families of scenarios, by kind of failure.
FAMILIES = (
    "confounding",
    "mediators and symptoms",
    "non-actionable and redundant",
    "heterogeneity",
    "anchor",
    "toy",
)


@dataclass(frozen=True)
class Scenario:
    """A structural causal model with an outcome and labelled features.

    Attributes
    ----------
    name : str
        Identifier.
    scm : SCM
        The data-generating process (latent nodes never reach the data).
    outcome : str
        The node a predictive model is trained to predict.
    roles : dict of str to str
        Role of each observed feature (keys of :data:`ROLES`).
    story : str
        What the model stands for, in the firm-distress setting.
    schema : ActionabilitySchema, optional
        Which features a firm can change, and how.
    params : dict
        The parameters of the factory that built the scenario.
    family : str
        The kind of failure it shows, one of :data:`FAMILIES`.
    failure : str
        One line: how reading SHAP as "what to change" goes wrong here.
    display_names : dict of str to str
        Node -> name in the source the scenario reproduces (may be empty).
    noise_nodes : tuple of str
        Latent roots that only carry exogenous randomness (a rounded, Poisson or
        multiplicative draw): not variables of the story; :attr:`causal_graph` hides them.
    """

    name: str
    scm: SCM
    outcome: str
    roles: dict[str, str]
    story: str = ""
    schema: ActionabilitySchema | None = None
    params: dict = field(default_factory=dict)
    family: str = "toy"
    failure: str = ""
    display_names: dict[str, str] = field(default_factory=dict)
    noise_nodes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            raise ValueError(f"unknown family {self.family!r}; use one of {FAMILIES}")
        for node in self.noise_nodes:
            if node not in self.scm.latent:
                raise ValueError(f"noise node {node!r} is not a latent node of the model")

    @property
    def features(self) -> list[str]:
        """Observed nodes other than the outcome, in topological order."""
        return [v for v in self.scm.observed if v != self.outcome]

    @property
    def causal_graph(self) -> nx.DiGraph:
        """networkx.DiGraph: The graph without the :attr:`noise_nodes` (a copy)."""
        return nx.DiGraph(self.scm.graph.subgraph(
            [v for v in self.scm.graph if v not in self.noise_nodes]
        ))

    @property
    def problem(self) -> CausalProblem:
        """CausalProblem: The model's graph, outcome, features and schema, validated."""
        return CausalProblem.from_scm(self.scm, self.outcome, features=self.features,
                                      schema=self.schema)

    def with_role(self, role: str) -> list[str]:
        """Features of the given role, in topological order (ValueError for an unknown one)."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; valid roles: {', '.join(ROLES)}")
        return [f for f in self.features if self.roles.get(f) == role]

    def sample(self, n: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
        """Draw ``n`` firms: the feature table and the outcome."""
        data = self.scm.sample(n, seed=seed)
        return data[self.features], data[self.outcome]


# Parameter checks ------------------------------------------------------------------------------
def _checked(**values: object) -> dict[str, float]:
    """The validate step every factory shares: its parameters as finite floats, in order.

    A name ending in ``noise`` and ``saturation`` must be ``> 0``, ``confounding_strength``
    ``>= 0``; any other parameter is a finite real number. The dict is the scenario's
    :attr:`Scenario.params`.
    """
    out = {}
    for name, value in values.items():
        if name == "confounding_strength":
            out[name] = _real(name, value, low=0)
        elif name.endswith("noise") or name == "saturation":
            out[name] = _real(name, value, low=0, strict=True)
        else:
            out[name] = _real(name, value)
    return out


def _real(name: str, value: object, *, low: float | None = None, strict: bool = False) -> float:
    """``value`` as a finite float, ``>= low`` (``> low`` if ``strict``), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    v = float(value)
    bound = "" if low is None else f" and {'>' if strict else '>='} {low:g}"
    if not np.isfinite(v) or (low is not None and (v <= low if strict else v < low)):
        raise ValueError(f"{name} must be finite{bound}, got {value}")
    return v


def _linear_scm(
    weights: Mapping[tuple[str, str], float],
    scales: Mapping[str, float] | None = None,
    latent: tuple[str, ...] = (),
) -> SCM:
    return SCM.linear_gaussian(dict(weights), dict(scales or {}), latent=latent)


def _schema(spec: Mapping[str, Mapping[str, object]]) -> ActionabilitySchema:
    return ActionabilitySchema.from_dict({"features": dict(spec)})


FIXED = {"actionable": False}


def _expit(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))


def poisson_quantile(u: np.ndarray, mean: np.ndarray | float) -> np.ndarray:
    """Quantile function (inverse CDF) of the Poisson distribution, vectorised.

    ``poisson_quantile(U, m)`` with ``U ~ Uniform(0, 1)`` is Poisson(m) distributed, and
    it is non-decreasing in both ``u`` and ``m`` (a monotone coupling: with the same
    ``u``, a larger mean never gives fewer events).

    Parameters
    ----------
    u : array_like
        Probabilities in ``[0, 1)``.
    mean : array_like or float
        Poisson means (``>= 0``), broadcast against ``u``.

    Returns
    -------
    numpy.ndarray
        The smallest ``k`` with ``P(K <= k) > u``, as floats.
    """
    u = np.asarray(u, dtype=float)
    m = np.broadcast_to(np.asarray(mean, dtype=float), u.shape)
    if np.any((u < 0) | (u >= 1) | ~np.isfinite(u)):
        raise ValueError("poisson_quantile needs u in [0, 1)")
    if np.any((m < 0) | ~np.isfinite(m)):
        raise ValueError("poisson_quantile needs finite means >= 0")
    k = np.zeros(u.shape)
    pmf = np.exp(-m)
    cdf = pmf.copy()
    active = u >= cdf
    top = float(m.max()) if m.size else 0.0
    limit = int(top + 12 * np.sqrt(top) + 40)  # beyond it the cdf is 1 to double precision
    j = 0
    while active.any() and j < limit:
        j += 1
        k += active
        pmf = pmf * m / j
        cdf = cdf + pmf
        active &= u >= cdf
    return k


# The toy ---------------------------------------------------------------------------------------
def firm_distress_toy(confounding_strength: float = 1.0) -> Scenario:
    """Six features of a firm and a continuous distress index, each failure mode once.

    Parameters
    ----------
    confounding_strength : float
        Multiplies both edges of the unobserved confounder (management quality raises the
        cash buffer and lowers distress). 0 removes the confounding.

    Returns
    -------
    Scenario
        Linear-Gaussian, so that every true effect also has a closed form.

    Raises
    ------
    ValueError
        If ``confounding_strength`` is negative or not finite.
    """
    params = _checked(confounding_strength=confounding_strength)
    c = params["confounding_strength"]
    weights = {
        ("management", "cash_buffer"): 0.8 * c,
        ("management", "distress"): -0.6 * c,
        ("demand", "cash_buffer"): 0.6,
        ("demand", "distress"): -0.5,
        ("firm_age", "cash_buffer"): 0.4,
        ("firm_age", "debt_ratio"): -0.3,
        ("firm_age", "distress"): -0.4,
        ("debt_ratio", "interest_burden"): 0.9,
        ("cash_buffer", "distress"): -0.5,
        ("interest_burden", "distress"): 0.6,
        ("distress", "late_payments"): 0.8,
    }
    scales = {"interest_burden": 0.5, "late_payments": 0.6}
    scm = SCM.linear_gaussian(weights, scales, latent=["management"])
    roles = {
        "demand": "confounder",
        "firm_age": "non-actionable",
        "cash_buffer": "confounded lever",
        "debt_ratio": "lever via mediator",
        "interest_burden": "mediator",
        "late_payments": "symptom",
    }
    story = (
        "A firm's distress index rises with its interest burden and falls with its cash "
        "buffer. Sector demand feeds both the cash buffer and the outcome (an observed "
        "confounder); the quality of management, which no database records, does the same "
        "(an unobserved confounder). Indebtedness acts only through the interest it costs "
        "(a mediator). Older firms hold more cash, less debt and are less fragile, but age "
        "is not a lever. Late payments to suppliers are a consequence of distress: a "
        "symptom, not a cause."
    )
    schema = ActionabilitySchema.from_dict({"features": {
        "demand": {"actionable": False, "tier": 0},
        "firm_age": {"actionable": False, "tier": 0},
        "cash_buffer": {"actionable": True, "direction": "increase", "tier": 1},
        "debt_ratio": {"actionable": True, "direction": "decrease", "low": 0.0, "tier": 1},
        "interest_burden": {"actionable": True, "direction": "decrease", "tier": 2},
        # Paying suppliers sooner is something a firm can do; only the graph reveals
        # that it would not change its distress.
        "late_payments": {"actionable": True, "direction": "decrease", "tier": 4},
    }})
    return Scenario(
        "firm_distress_toy", scm, "distress", roles, story, schema,
        params=params, family="toy",
        failure="every failure mode at once, in one linear model",
    )




def true_effects(
    scenario: Scenario, *, delta: float = 1.0, n: int = 200_000, seed: int = 0
) -> pd.DataFrame:
    """True average effect on the outcome of shifting each feature by ``delta``.

    Computed by simulating ``do(X := X + delta)`` in the structural model with common
    random numbers (:meth:`causalxai.causal.scm.SCM.average_effect`). For a binary outcome
    (bernoulli_logit link) the effect is on its probability.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature: ``effect`` and its Monte-Carlo ``std_error``.
    """
    rows = {}
    for feature in scenario.features:
        eff = scenario.scm.average_effect(feature, scenario.outcome, delta=delta, n=n, seed=seed)
        rows[feature] = {"effect": eff.estimate, "std_error": eff.std_error}
    return pd.DataFrame.from_dict(rows, orient="index")
