"""Actions: what a recommendation does to a unit's features, and what it costs.

An action changes one feature of a unit (the lever) in one of three ways, all read from
the actionability schema (:mod:`causalxai.causal.actionability`): a *shift* by ``amount``
clipped to the feature's bounds, a *set* to a value, or a binary *switch* (0 to 1 or 1
to 0). Whatever the kind, the change must go in the schema's allowed direction, and its
cost is ``unit_cost * |new value - old value|``. Actions are applied to many units at
once: ``new_values`` returns one value per unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from causalxai.causal.actionability import ActionabilitySchema, SchemaError

__all__ = ["KINDS", "Action", "candidate_actions", "candidate_pairs", "check_schema", "is_binary"]

#: The kinds of action.
KINDS = ("shift", "set", "switch")


def check_schema(schema: ActionabilitySchema, features: Iterable[str]) -> list[str]:
    """Check a schema against a problem's features; return the actionable ones.

    Raises
    ------
    SchemaError
        If the schema names a feature that is not a feature of the problem (the message
        names it), if an actionable feature has an empty range of values, or if no
        feature is actionable.
    """
    if not isinstance(schema, ActionabilitySchema):
        raise TypeError(f"schema must be an ActionabilitySchema, got {type(schema).__name__}")
    features = list(features)
    unknown = [n for n in schema.features if n not in features]
    if unknown:
        raise SchemaError(f"the actionability schema names unknown feature(s) "
                          f"{', '.join(map(repr, unknown))}; features: {', '.join(features)}")
    levers = schema.actionable()
    for name in levers:
        spec = schema[name]
        if spec.low == spec.high:
            raise SchemaError(f"feature {name!r}: bounds low = high = {spec.low:g} leave "
                              f"nothing to change")
    if not levers:
        raise SchemaError("the actionability schema has no actionable feature")
    return levers


def is_binary(values: pd.Series | np.ndarray) -> bool:
    """Whether every value is 0 or 1 (and both occur or only one does)."""
    v = np.asarray(values, dtype=float)
    return v.size > 0 and bool(np.all((v == 0) | (v == 1)))


@dataclass(frozen=True)
class Action:
    """One change to one feature, applied to every unit of a batch.

    Parameters
    ----------
    feature : str
        The lever.
    kind : {"shift", "set", "switch"}
        Shift by ``amount`` (clipped to the bounds), set to ``amount``, or switch a 0/1
        feature to ``1 - value`` (``amount`` unused).
    amount : float
        The shift or the new value.

    Raises
    ------
    ValueError
        On an unknown kind or a non-finite amount.
    """

    feature: str
    kind: str = "shift"
    amount: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"action on {self.feature!r}: kind must be one of {KINDS}, "
                             f"got {self.kind!r}")
        if not math.isfinite(float(self.amount)):
            raise ValueError(f"action on {self.feature!r}: amount must be finite, "
                             f"got {self.amount!r}")

    def new_values(self, X: pd.DataFrame, schema: ActionabilitySchema) -> np.ndarray:
        """The feature's value after the action, per unit, within bounds and direction.

        Units for which the action would go against the allowed direction keep their
        value (a zero change, zero cost). A non-actionable feature raises SchemaError.
        """
        spec = schema[self.feature]
        if not spec.actionable:
            raise SchemaError(f"feature {self.feature!r} is not actionable")
        if self.feature not in X:
            raise ValueError(f"action on {self.feature!r}: no such column in the units")
        old = X[self.feature].to_numpy(dtype=float)
        if self.kind == "shift":
            # a unit already outside the bounds is not pushed further out, nor made to
            # jump into them: a shift never moves a unit by more than ``amount``
            new = np.clip(old + float(self.amount), np.minimum(spec.low, old),
                          np.maximum(spec.high, old))
        elif self.kind == "set":
            new = np.clip(np.full_like(old, float(self.amount)), spec.low, spec.high)
        else:
            if not is_binary(old):
                raise ValueError(f"a switch needs a 0/1 feature; {self.feature!r} is not")
            new = np.clip(1.0 - old, spec.low, spec.high)
        delta = new - old
        allowed = {"increase": delta >= 0, "decrease": delta <= 0}.get(
            spec.direction, np.ones_like(delta, dtype=bool))
        return np.where(allowed, new, old)

    def cost(self, X: pd.DataFrame, schema: ActionabilitySchema) -> np.ndarray:
        """Per unit, ``unit_cost * |new value - old value|``."""
        old = X[self.feature].to_numpy(dtype=float)
        return schema[self.feature].unit_cost * np.abs(self.new_values(X, schema) - old)

    def describe(self) -> str:
        """The action in words."""
        if self.kind == "switch":
            return f"switch {self.feature}"
        if self.kind == "set":
            return f"set {self.feature} to {self.amount:.2f}"
        return f"{'raise' if self.amount > 0 else 'lower'} {self.feature} by {abs(self.amount):.2f}"


def candidate_actions(
    X: pd.DataFrame,
    schema: ActionabilitySchema,
    budget: float,
    *,
    fractions: Iterable[float] = (0.25, 0.5, 0.75, 1.0),
    max_shift: float = 3.0,
) -> list[Action]:
    """The grid of single-lever actions a strategy or the oracle searches.

    Per actionable feature: a switch for a 0/1 feature; otherwise shifts in each allowed
    direction of ``fraction * budget / unit_cost`` (at most ``max_shift`` units, the cap
    for a free lever). The cost of each action to a unit never exceeds ``budget``.

    Raises
    ------
    ValueError
        If ``budget`` is negative or not finite, or a fraction is outside ``(0, 1]``.
    """
    budget = float(budget)
    if not (math.isfinite(budget) and budget >= 0):
        raise ValueError(f"budget must be finite and >= 0, got {budget}")
    fractions = [float(f) for f in fractions]
    if not fractions or any(not 0 < f <= 1 for f in fractions):
        raise ValueError(f"fractions must lie in (0, 1], got {fractions}")
    out: list[Action] = []
    for name in check_schema(schema, X.columns):
        spec = schema[name]
        if is_binary(X[name]):
            if spec.unit_cost <= budget:
                out.append(Action(name, "switch"))
            continue
        signs = {"increase": (1.0,), "decrease": (-1.0,), "both": (1.0, -1.0)}[spec.direction]
        reach = max_shift if spec.unit_cost == 0 else min(max_shift, budget / spec.unit_cost)
        if reach <= 0:
            continue
        out += [Action(name, "shift", s * f * reach) for s in signs for f in fractions]
    return out


def candidate_pairs(
    X: pd.DataFrame,
    schema: ActionabilitySchema,
    budget: float,
    *,
    splits: Iterable[float] = (0.25, 0.5, 0.75),
    max_shift: float = 3.0,
) -> list[tuple[Action, Action]]:
    """The grid of two-lever actions: the budget split between two different levers.

    For each split ``s``, every action of :func:`candidate_actions` spending the whole of
    ``s * budget`` on one lever is paired with every action spending the whole of
    ``(1 - s) * budget`` on a later lever (in the column order of ``X``): a shift per allowed
    direction, or a switch whose cost fits its share. The cost of a pair to a unit never
    exceeds ``budget``.

    Raises
    ------
    ValueError
        If ``budget`` is negative or not finite, or a split is outside ``(0, 1)``.
    """
    splits = [float(s) for s in splits]
    if not splits or any(not 0 < s < 1 for s in splits):
        raise ValueError(f"splits must lie in (0, 1), got {splits}")
    budget = float(budget)
    if not (math.isfinite(budget) and budget >= 0):
        raise ValueError(f"budget must be finite and >= 0, got {budget}")
    order = {name: i for i, name in enumerate(X.columns)}
    out: list[tuple[Action, Action]] = []
    for s in splits:
        first = candidate_actions(X, schema, s * budget, fractions=(1.0,), max_shift=max_shift)
        second = candidate_actions(X, schema, (1 - s) * budget, fractions=(1.0,),
                                   max_shift=max_shift)
        out += [(a, b) for a in first for b in second if order[a.feature] < order[b.feature]
                and (a, b) not in out]
    return out
