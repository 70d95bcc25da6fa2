"""Actionability schema: which features a firm (or a user) can change, how, and at what cost.

A prescription is only useful if it names levers that can be pulled. The schema records,
per feature: whether it is actionable, the allowed direction of change, bounds, a unit
cost, and an optional tier (time order: a feature of tier 2 cannot cause one of tier 1).
It is read from YAML::

    features:
      cash_buffer: {actionable: true, direction: increase, low: 0, high: 10, unit_cost: 1.0}
      firm_age:    {actionable: false}
      late_payments: {actionable: false, tier: 3}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["DIRECTIONS", "ActionabilitySchema", "FeatureAction", "SchemaError"]

DIRECTIONS = ("increase", "decrease", "both", "none")


class SchemaError(ValueError):
    """An actionability schema is malformed or contradicts the data."""


@dataclass(frozen=True)
class FeatureAction:
    """What may be done to one feature.

    Attributes
    ----------
    name : str
        Feature name.
    actionable : bool
        Whether the feature can be changed by the user at all.
    direction : {"increase", "decrease", "both", "none"}
        Allowed direction of change ("none" for non-actionable features).
    low, high : float
        Bounds of the feature's value after a change.
    unit_cost : float
        Cost of one unit of change (non-negative).
    tier : int, optional
        Time order: features of a lower tier happen before (cannot be caused by) those
        of a higher tier.
    """

    name: str
    actionable: bool = False
    direction: str = "none"
    low: float = -math.inf
    high: float = math.inf
    unit_cost: float = 1.0
    tier: int | None = None

    def __post_init__(self) -> None:
        where = f"feature {self.name!r}"
        if self.direction not in DIRECTIONS:
            raise SchemaError(f"{where}: direction must be one of {DIRECTIONS}, "
                              f"got {self.direction!r}")
        if not self.actionable and self.direction != "none":
            raise SchemaError(f"{where}: a non-actionable feature must have direction 'none'")
        if self.actionable and self.direction == "none":
            raise SchemaError(f"{where}: an actionable feature needs a direction")
        if not self.low <= self.high:
            raise SchemaError(f"{where}: low ({self.low}) must not exceed high ({self.high})")
        if not (self.unit_cost >= 0 and math.isfinite(self.unit_cost)):
            raise SchemaError(f"{where}: unit_cost must be finite and >= 0, "
                              f"got {self.unit_cost}")
        if self.tier is not None and (not isinstance(self.tier, int) or self.tier < 0):
            raise SchemaError(f"{where}: tier must be a non-negative integer, got {self.tier!r}")

    def allows(self, delta: float) -> bool:
        """Whether a change of ``delta`` units is allowed (direction only)."""
        if delta == 0:
            return True
        if not self.actionable:
            return False
        return self.direction == "both" or (delta > 0) == (self.direction == "increase")


@dataclass(frozen=True)
class ActionabilitySchema:
    """The actionability of every feature of a problem.

    Attributes
    ----------
    features : dict of str to FeatureAction
        Per feature, in declaration order.
    """

    features: dict[str, FeatureAction] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, content: Mapping[str, Any], where: str = "schema") -> ActionabilitySchema:
        """Build from ``{"features": {name: {field: value}}}``; raise SchemaError clearly."""
        if not isinstance(content, Mapping) or not isinstance(content.get("features"), Mapping):
            raise SchemaError(f"{where}: expected a mapping with a 'features' mapping")
        known = set(FeatureAction.__dataclass_fields__) - {"name"}
        features = {}
        for name, spec in content["features"].items():
            spec = dict(spec or {})
            unknown = set(spec) - known
            if unknown:
                raise SchemaError(f"{where}: feature {name!r} has unknown field(s) "
                                  f"{sorted(unknown)}; allowed: {sorted(known)}")
            features[str(name)] = FeatureAction(name=str(name), **spec)
        return cls(features)

    @classmethod
    def from_yaml(cls, source: str | Path) -> ActionabilitySchema:
        """Read a schema from a YAML file path or a YAML string."""
        path = Path(source) if not str(source).lstrip().startswith("features") else None
        if path is not None and not path.is_file():
            raise SchemaError(f"actionability schema not found: {source}")
        text = path.read_text() if path is not None else str(source)
        try:
            content = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SchemaError(f"{source}: not valid YAML: {exc}") from exc
        return cls.from_dict(content, where=str(path or "schema"))

    def to_dict(self) -> dict[str, Any]:
        """The schema as plain data (inverse of :meth:`from_dict`)."""
        return {"features": {n: {k: v for k, v in asdict(f).items() if k != "name"}
                             for n, f in self.features.items()}}

    def __getitem__(self, name: str) -> FeatureAction:
        try:
            return self.features[name]
        except KeyError:
            raise KeyError(f"feature {name!r} is not in the actionability schema "
                           f"(known: {', '.join(self.features)})") from None

    def actionable(self) -> list[str]:
        """Names of the actionable features."""
        return [n for n, f in self.features.items() if f.actionable]

    def check_columns(self, columns: Iterable[str]) -> None:
        """Raise SchemaError if a schema feature is absent from ``columns`` (or vice versa)."""
        columns = list(columns)
        missing = [n for n in self.features if n not in columns]
        extra = [c for c in columns if c not in self.features]
        if missing or extra:
            raise SchemaError(
                "actionability schema and data disagree: "
                + "; ".join(filter(None, [
                    f"not in the data: {', '.join(missing)}" if missing else "",
                    f"not in the schema: {', '.join(extra)}" if extra else "",
                ]))
            )
