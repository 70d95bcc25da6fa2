"""A small, fast structural causal model (SCM) for the synthetic experiments.

Each node has a deterministic mechanism ``f`` of its parents and an exogenous noise ``U``,
combined by a link: ``"identity"`` (``X = f(pa) + U``) or ``"bernoulli_logit"``
(``X = 1[U < sigmoid(f(pa))]``, ``U ~ Uniform(0, 1)``, a binary node stored as 0.0/1.0).

Each node's noise comes from its own random stream, keyed by the node's name, so an
intervention never changes the noise of another node (common random numbers): two arms
sampled with one seed differ only through the causal effect. Because ``U`` is returned by
:meth:`SCM.sample`, counterfactuals are exact, binary nodes included: their stored uniform
draw is thresholded at the new probability (a monotone abduction). Effects on binary
outcomes are on the probability scale (:meth:`SCM.mean_function`).

Only numpy, pandas and networkx are used: this is the lowest layer of the package.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

import networkx as nx
import numpy as np
import pandas as pd

__all__ = [
    "SCM",
    "Effect",
    "Intervention",
    "Node",
    "Noise",
    "Set",
    "Shift",
    "laplace",
    "normal",
    "total_effect_linear",
    "uniform",
    "weight_matrix",
    "zero",
]

LINKS = ("identity", "bernoulli_logit")
Mechanism = Callable[[dict[str, np.ndarray]], np.ndarray]
Seed = int | np.random.SeedSequence | None


@dataclass(frozen=True)
class Noise:
    """An exogenous noise distribution (use :func:`normal`, :func:`uniform`, ...).

    Parameters
    ----------
    kind : {"normal", "uniform", "laplace", "zero"}
        The family.
    loc, scale : float
        Mean and standard deviation (normal), mean and diversity (laplace), lower bound and
        width ``high - low`` (uniform); unused for zero.
    """

    kind: Literal["normal", "uniform", "laplace", "zero"]
    loc: float = 0.0
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in ("normal", "uniform", "laplace", "zero"):
            raise ValueError(f"unknown noise kind {self.kind!r}")
        if not (np.isfinite(self.loc) and np.isfinite(self.scale) and self.scale >= 0):
            raise ValueError(f"noise needs a finite loc and a finite scale >= 0, got {self}")

    @property
    def mean(self) -> float:
        """float: The expectation of the distribution."""
        if self.kind == "zero":
            return 0.0
        return self.loc + self.scale / 2 if self.kind == "uniform" else self.loc

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` independent values from ``rng`` as a float array of shape ``(n,)``."""
        if self.kind == "normal":
            return rng.normal(self.loc, self.scale, n)
        if self.kind == "uniform":
            return self.loc + self.scale * rng.random(n)
        if self.kind == "laplace":
            return rng.laplace(self.loc, self.scale, n)
        return np.zeros(n)


def normal(scale: float = 1.0) -> Noise:
    """Centred normal noise with standard deviation ``scale``."""
    return Noise("normal", 0.0, float(scale))


def uniform(low: float = 0.0, high: float = 1.0) -> Noise:
    """Uniform noise on ``[low, high)``."""
    if not high > low:
        raise ValueError(f"uniform noise needs high > low, got low={low}, high={high}")
    return Noise("uniform", float(low), float(high) - float(low))


def laplace(scale: float = 1.0) -> Noise:
    """Centred Laplace noise with diversity ``scale`` (variance ``2 * scale**2``)."""
    return Noise("laplace", 0.0, float(scale))


def zero() -> Noise:
    """No noise: the node is a deterministic function of its parents."""
    return Noise("zero")


@dataclass(frozen=True)
class Node:
    """One variable of an :class:`SCM`.

    Parameters
    ----------
    name : str
        Unique name, also its column name in sampled data.
    parents : tuple of str
        Direct causes, the keys of the dict passed to ``f``.
    f : callable or None
        Deterministic part, ``{parent: 1-D array} -> 1-D array`` of length ``n`` (a scalar
        is broadcast); None means 0.
    noise : Noise, optional
        Defaults to ``normal(1.0)``; for the bernoulli_logit link to ``uniform(0, 1)``,
        the only noise allowed there.
    latent : bool
        Unobserved: left out of :meth:`SCM.sample` unless ``include_latent=True``.
    link : {"identity", "bernoulli_logit"}
        The value is ``f + u``, or ``1[u < sigmoid(f)]`` stored as 0.0/1.0.
    """

    name: str
    parents: tuple[str, ...] = ()
    f: Mechanism | None = None
    noise: Noise = None  # type: ignore[assignment]  # resolved from the link below
    latent: bool = False
    link: str = "identity"

    def __post_init__(self) -> None:
        object.__setattr__(self, "parents", tuple(self.parents))
        if self.noise is None:
            default = uniform(0, 1) if self.link == "bernoulli_logit" else normal(1.0)
            object.__setattr__(self, "noise", default)


def _coerce(value: object) -> float | np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim > 1:
        raise ValueError(f"intervention values must be a scalar or 1-D, got shape {arr.shape}")
    return float(arr) if arr.ndim == 0 else arr


@dataclass(frozen=True, eq=False)
class Set:
    """Hard intervention ``do(X := value)``: a scalar or one value per unit (1-D array)."""

    value: float | np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _coerce(self.value))


@dataclass(frozen=True, eq=False)
class Shift:
    """Soft intervention ``X := f(pa) + u + delta``, parents kept; ``delta`` may be 1-D."""

    delta: float | np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "delta", _coerce(self.delta))


Intervention = Set | Shift
Interventions = Mapping[str, Intervention | float | np.ndarray]


@dataclass(frozen=True)
class Effect:
    """A Monte-Carlo average causal effect.

    Attributes
    ----------
    estimate, std_error : float
        Mean of the per-unit effects and its standard error ``std / sqrt(n)``.
    n : int
        Number of simulated units.
    description : str
        What was contrasted, in words.
    """

    estimate: float
    std_error: float
    n: int
    description: str


def _column(value: object, n: int, name: str, what: str) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{what} of node {name!r} has shape {arr.shape}, expected ({n},)")
    return arr


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -x))


def _stream(root: np.random.SeedSequence, name: str) -> np.random.Generator:
    key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")
    return np.random.default_rng(
        np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, key))
    )


class SCM:
    """A structural causal model over a DAG of :class:`Node` objects.

    Parameters
    ----------
    nodes : iterable of Node
        The mechanisms; their order only breaks ties in the topological order.

    Raises
    ------
    ValueError
        For a duplicate name, an unknown parent, a cycle (its nodes are listed), an unknown
        link or a bernoulli_logit node whose noise is not ``uniform(0, 1)``.
    """

    def __init__(self, nodes: Iterable[Node]) -> None:
        self._nodes: dict[str, Node] = {}
        graph = nx.DiGraph()
        for node in nodes:
            if node.name in self._nodes:
                raise ValueError(f"duplicate node name {node.name!r}")
            if node.link not in LINKS:
                raise ValueError(f"node {node.name!r} has link {node.link!r}; use one of {LINKS}")
            if node.link == "bernoulli_logit" and node.noise != uniform(0, 1):
                raise ValueError(f"bernoulli_logit node {node.name!r} needs uniform(0, 1) noise")
            self._nodes[node.name] = node
            graph.add_node(node.name, latent=node.latent)
        for node in self._nodes.values():
            for parent in node.parents:
                if parent not in self._nodes:
                    raise ValueError(f"node {node.name!r} has unknown parent {parent!r}")
                graph.add_edge(parent, node.name)
        if not nx.is_directed_acyclic_graph(graph):
            cycle = [u for u, _ in nx.find_cycle(graph)]
            raise ValueError(f"the graph has a cycle: {' -> '.join([*cycle, cycle[0]])}")
        index = {name: i for i, name in enumerate(self._nodes)}
        self._order = tuple(nx.lexicographical_topological_sort(graph, key=index.__getitem__))
        self._graph = nx.freeze(graph)
        self._interventions: dict[str, Intervention] = {}
        self._weights: dict[tuple[str, str], float] | None = None

    # Structure -------------------------------------------------------------------------
    @property
    def graph(self) -> nx.DiGraph:
        """networkx.DiGraph: The causal graph (frozen), node attribute ``latent``."""
        return self._graph

    @property
    def nodes(self) -> dict[str, Node]:
        """dict: Name -> :class:`Node`, in topological order (a copy)."""
        return {name: self._nodes[name] for name in self._order}

    @property
    def observed(self) -> tuple[str, ...]:
        """tuple of str: The observed nodes, in topological order."""
        return tuple(n for n in self._order if not self._nodes[n].latent)

    @property
    def latent(self) -> tuple[str, ...]:
        """tuple of str: The latent nodes, in topological order."""
        return tuple(n for n in self._order if self._nodes[n].latent)

    @property
    def interventions(self) -> dict[str, Intervention]:
        """dict: The interventions :meth:`do` applied to obtain this model (a copy)."""
        return dict(self._interventions)

    @property
    def weights(self) -> dict[tuple[str, str], float] | None:
        """dict or None: Edge weights ``(parent, child) -> w`` of a linear model, else None."""
        return None if self._weights is None else dict(self._weights)

    def _check(self, name: str) -> str:
        if name not in self._nodes:
            raise ValueError(f"unknown node {name!r}; valid nodes: {', '.join(self._order)}")
        return name

    def _sorted(self, names: Iterable[str]) -> tuple[str, ...]:
        chosen = set(names)
        return tuple(n for n in self._order if n in chosen)

    def parents(self, name: str) -> tuple[str, ...]:
        """Direct causes of ``name``."""
        return self._nodes[self._check(name)].parents

    def children(self, name: str) -> tuple[str, ...]:
        """Direct effects of ``name``, in topological order."""
        return self._sorted(self._graph.successors(self._check(name)))

    def descendants(self, name: str) -> tuple[str, ...]:
        """Nodes reachable from ``name`` (itself excluded), in topological order."""
        return self._sorted(nx.descendants(self._graph, self._check(name)))

    def ancestors(self, name: str) -> tuple[str, ...]:
        """Nodes with a directed path to ``name`` (itself excluded), in topological order."""
        return self._sorted(nx.ancestors(self._graph, self._check(name)))

    # Interventions and sampling --------------------------------------------------------
    def do(self, interventions: Interventions) -> SCM:
        """Return a new, intervened SCM; ``self`` is left untouched.

        Parameters
        ----------
        interventions : mapping
            Node (latent ones too) -> :class:`Set`, :class:`Shift`, a float (hard) or a 1-D
            array of per-unit values (hard; its length must be ``n`` when sampling). On an
            already intervened node a shift adds to it, a :class:`Set` replaces it.

        Returns
        -------
        SCM
            The mutilated model: hard-intervened nodes lose their incoming edges.
        """
        merged = dict(self._interventions)
        for name, raw in interventions.items():
            self._check(name)
            new, old = raw if isinstance(raw, Set | Shift) else Set(raw), merged.get(name)
            if isinstance(new, Shift) and isinstance(old, Set):
                new = Set(old.value + new.delta)
            elif isinstance(new, Shift) and isinstance(old, Shift):
                new = Shift(old.delta + new.delta)
            merged[name] = new
        hard = {name for name, iv in merged.items() if isinstance(iv, Set)}
        out = SCM(
            replace(v, parents=(), f=None) if k in hard else v for k, v in self._nodes.items()
        )
        out._interventions = merged
        if self._weights is not None:
            out._weights = {e: w for e, w in self._weights.items() if e[1] not in hard}
        return out

    def _predictor(self, name: str, values: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        node = self._nodes[name]
        if node.f is None:
            return np.zeros(n)
        return _column(node.f({p: values[p] for p in node.parents}), n, name, "mechanism output")

    def _propagate(self, noise: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        values: dict[str, np.ndarray] = {}
        for name in self._order:
            node, iv = self._nodes[name], self._interventions.get(name)
            if isinstance(iv, Set):
                values[name] = _column(iv.value, n, name, "intervention value")
                continue
            base, u = self._predictor(name, values, n), noise[name]
            x = base + u if node.link == "identity" else (u < _sigmoid(base)).astype(float)
            values[name] = x + _column(iv.delta, n, name, "intervention shift") if iv else x
        return values

    def _draw_noise(self, n: int, seed: Seed) -> dict[str, np.ndarray]:
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        return {
            name: self._nodes[name].noise.draw(_stream(root, name), int(n)) for name in self._order
        }

    def _noise_arrays(
        self, noise: Mapping[str, np.ndarray] | pd.DataFrame
    ) -> dict[str, np.ndarray]:
        out = {}
        for name in self._order:
            if name in noise:
                out[name] = np.asarray(noise[name], dtype=float)
            elif not isinstance(self._interventions.get(name), Set):
                raise ValueError(f"the noise table has no column for node {name!r}")
        return out

    def sample(
        self, n: int, seed: Seed = None, *, include_latent: bool = False, return_noise: bool = False
    ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
        """Draw ``n`` i.i.d. units.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : int, SeedSequence or None
            Same seed, same output. Each node's noise has its own stream keyed by its name,
            so an intervention leaves the noise of every node unchanged.
        include_latent, return_noise : bool
            Also return the latent columns; also return the noise of every node.

        Returns
        -------
        DataFrame or (DataFrame, DataFrame)
            Values, columns in topological order (and the noise, one column per node).
        """
        noise = self._draw_noise(n, seed)
        values = self._propagate(noise, int(n))
        data = pd.DataFrame(
            {c: values[c] for c in (self._order if include_latent else self.observed)}, copy=False
        )
        return (data, pd.DataFrame(noise, copy=False)) if return_noise else data

    # Counterfactuals -------------------------------------------------------------------
    def abduct(self, full_values: pd.DataFrame) -> pd.DataFrame:
        """Recover the noise ``u = x - f(pa)`` of every node from ``full_values``.

        ``full_values`` must hold all nodes, latent ones included. A ValueError is raised
        for a missing column and for bernoulli_logit or hard-intervened nodes, whose noise
        is not identifiable from their value. Returns the noise, one column per node.
        """
        values = {}
        for name in self._order:
            if name not in full_values:
                raise ValueError(f"abduction needs a column for node {name!r}")
            values[name] = full_values[name].to_numpy(dtype=float)
        n, noise = len(full_values), {}
        for name in self._order:
            iv = self._interventions.get(name)
            if self._nodes[name].link != "identity" or isinstance(iv, Set):
                raise ValueError(f"the noise of node {name!r} is not identifiable from its value")
            shift = _column(iv.delta, n, name, "intervention shift") if iv else 0.0
            noise[name] = values[name] - self._predictor(name, values, n) - shift
        return pd.DataFrame(noise, index=full_values.index)

    def counterfactual(
        self,
        factual: pd.DataFrame,
        noise: pd.DataFrame | None,
        interventions: Interventions | None = None,
    ) -> pd.DataFrame:
        """Abduction, action, prediction for the units of ``factual``.

        Parameters
        ----------
        factual : DataFrame
            The units; the result has its columns and index.
        noise : DataFrame or None
            Their noise from ``sample(..., return_noise=True)``: exact abduction, binary
            nodes included (their uniform draw is thresholded at the new probability).
            None: recovered by :meth:`abduct` (``factual`` must then hold all nodes).
        interventions : mapping, optional
            As in :meth:`do`; none gives back the factual values exactly.
        """
        if noise is not None and len(noise) != len(factual):
            raise ValueError(f"noise has {len(noise)} rows but factual has {len(factual)}")
        u = self._noise_arrays(self.abduct(factual) if noise is None else noise)
        columns = [self._check(c) for c in factual.columns]
        values = (self.do(interventions) if interventions else self)._propagate(u, len(factual))
        return pd.DataFrame({c: values[c] for c in columns}, index=factual.index)

    # Effects ---------------------------------------------------------------------------
    def mean_function(
        self, outcome: str, data: Mapping[str, np.ndarray] | pd.DataFrame
    ) -> np.ndarray:
        """Expected ``outcome`` given its parents' values in ``data``, one value per row.

        This is ``f(pa) + E[U]`` for the identity link and ``sigmoid(f(pa)) = P(X = 1 | pa)``
        for the bernoulli_logit link (plus any shift; a set node gives its value). Effects
        are differences of it between two arms with the same noise: for an identity outcome
        this is exactly the difference of the values (the noise cancels), for a binary one
        the change in probability of each unit, free of the 0/1 draw.
        """
        node, iv = self._nodes[self._check(outcome)], self._interventions.get(outcome)
        n = len(data) if isinstance(data, pd.DataFrame) else len(next(iter(data.values())))
        if isinstance(iv, Set):
            return _column(iv.value, n, outcome, "intervention value")
        base = self._predictor(outcome, {p: np.asarray(data[p], float) for p in node.parents}, n)
        mean = base + node.noise.mean if node.link == "identity" else _sigmoid(base)
        return mean + _column(iv.delta, n, outcome, "intervention shift") if iv else mean

    def interventional_mean(
        self,
        outcome: str,
        interventions: Interventions | None = None,
        n: int = 200_000,
        seed: Seed = 0,
    ) -> float:
        """Monte-Carlo ``E[outcome | do(interventions)]``, averaging :meth:`mean_function`."""
        model = self.do(interventions) if interventions else self
        values = model._propagate(self._draw_noise(n, seed), n)
        return float(np.mean(model.mean_function(outcome, values)))

    def _contrast(
        self, treatment: str, outcome: str, delta: object, values: object, u: dict
    ) -> tuple[np.ndarray, str]:
        self._check(treatment)
        self._check(outcome)
        if (delta is None) == (values is None):
            raise ValueError("give exactly one of delta (a shift) or values=(a, b) (hard)")
        if delta is not None:
            arm0, arm1 = self, self.do({treatment: Shift(delta)})
            label = f"do({treatment} := {treatment} + {delta}) vs. no intervention"
        else:
            a, b = values  # type: ignore[misc]
            arm0, arm1 = self.do({treatment: Set(a)}), self.do({treatment: Set(b)})
            label = f"do({treatment} := {b}) vs. do({treatment} := {a})"
        n = len(next(iter(u.values())))
        y0 = arm0.mean_function(outcome, arm0._propagate(u, n))
        return arm1.mean_function(outcome, arm1._propagate(u, n)) - y0, label

    def unit_effects(
        self,
        treatment: str,
        outcome: str,
        *,
        delta: float | np.ndarray | None = None,
        values: tuple[float, float] | None = None,
        data: pd.DataFrame | None = None,
        noise: pd.DataFrame | None = None,
        n: int | None = None,
        seed: Seed = 0,
    ) -> np.ndarray:
        """Per-unit effects of ``treatment`` on ``outcome`` (see :meth:`mean_function`).

        Parameters
        ----------
        treatment, outcome : str
            Node names.
        delta : float or 1-D array, optional
            Contrast ``do(T := T + delta)`` with no intervention.
        values : (a, b), optional
            Contrast ``do(T := b)`` with ``do(T := a)``. Give exactly one of the two.
        data, noise : DataFrame, optional
            The units, from ``sample(..., return_noise=True)``; with ``data`` alone (latent
            columns included) the noise is recovered by :meth:`abduct`.
        n : int, optional
            Otherwise, the number of fresh units drawn with ``seed``.
        seed : int, SeedSequence or None
            Seed of the fresh units.

        Returns
        -------
        numpy.ndarray
            One effect per unit, the same noise being used in both arms.
        """
        if noise is not None:
            u = self._noise_arrays(noise)
        elif data is not None:
            u = self._noise_arrays(self.abduct(data))
        elif n is not None:
            u = self._draw_noise(n, seed)
        else:
            raise ValueError("give the units (data and/or noise) or a number n of fresh units")
        return self._contrast(treatment, outcome, delta, values, u)[0]

    def average_effect(
        self,
        treatment: str,
        outcome: str,
        *,
        delta: float | None = None,
        values: tuple[float, float] | None = None,
        n: int = 200_000,
        seed: Seed = 0,
    ) -> Effect:
        """Average causal effect by Monte-Carlo with common random numbers.

        With ``delta``: mean over units of ``Y(do(T := T + delta)) - Y``. With
        ``values=(a, b)``: ``E[Y | do(T := b)] - E[Y | do(T := a)]``. For a bernoulli_logit
        outcome the effect is on ``P(Y = 1)`` (see :meth:`mean_function`). ``n`` units are
        drawn with ``seed``; the standard error is ``std(unit effects) / sqrt(n)``.
        """
        if n < 2:
            raise ValueError(f"average_effect needs n >= 2, got {n}")
        u = self._draw_noise(n, seed)
        effects, label = self._contrast(treatment, outcome, delta, values, u)
        se = float(np.std(effects, ddof=1) / np.sqrt(n))
        return Effect(float(np.mean(effects)), se, int(n), f"effect on {outcome} of {label}")

    @classmethod
    def linear_gaussian(
        cls,
        weights: Mapping[tuple[str, str], float],
        noise_scales: Mapping[str, float] | None = None,
        latent: Iterable[str] = (),
    ) -> SCM:
        """Build ``X_j = sum_i w_ij X_i + U_j`` with ``U_j ~ N(0, scale_j**2)``.

        Parameters
        ----------
        weights : mapping
            ``(parent, child) -> weight`` for every edge.
        noise_scales : mapping, optional
            Node -> noise standard deviation; unmentioned nodes get 1.
        latent : iterable of str
            The unobserved nodes.
        """
        scales, latent = dict(noise_scales or {}), set(latent)
        names = dict.fromkeys([*(v for edge in weights for v in edge), *scales, *latent])
        nodes = []
        for name in names:
            incoming = {p: float(w) for (p, c), w in weights.items() if c == name}
            f = _linear(incoming) if incoming else None
            noise = normal(scales.get(name, 1.0))
            nodes.append(Node(name, tuple(incoming), f, noise, latent=name in latent))
        scm = cls(nodes)
        scm._weights = {(p, c): float(w) for (p, c), w in weights.items()}
        return scm


def _linear(coefficients: dict[str, float]) -> Mechanism:
    def f(parents: dict[str, np.ndarray]) -> np.ndarray:
        return sum(w * parents[p] for p, w in coefficients.items())  # type: ignore[return-value]

    return f


def weight_matrix(scm: SCM) -> tuple[tuple[str, ...], np.ndarray]:
    """Return ``(names, B)`` with ``B[child, parent] = weight``, so that ``X = B X + U``.

    Raises ValueError if ``scm`` was not built with :meth:`SCM.linear_gaussian`.
    """
    if scm.weights is None:
        raise ValueError("this SCM is not linear: build it with SCM.linear_gaussian")
    names = tuple(scm.nodes)
    index = {name: i for i, name in enumerate(names)}
    b = np.zeros((len(names), len(names)))
    for (parent, child), w in scm.weights.items():
        b[index[child], index[parent]] = w
    return names, b


def total_effect_linear(scm: SCM, treatment: str, outcome: str) -> float:
    """Closed-form total effect ``[(I - B)^{-1}]_{outcome, treatment}`` of a linear SCM.

    This is the sum over directed paths of the products of their weights. Raises
    ValueError if ``scm`` is not linear (see :func:`weight_matrix`) or a name is unknown.
    """
    names, b = weight_matrix(scm)
    i, j = names.index(scm._check(outcome)), names.index(scm._check(treatment))
    return float(np.linalg.inv(np.eye(len(names)) - b)[i, j])
