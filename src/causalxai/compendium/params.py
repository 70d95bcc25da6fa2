"""Notebook parameters: read them, resolve named sets and overrides, validate them.

A notebook declares its parameters in one code cell tagged ``parameters``, as literal
assignments with a comment each::

    n_samples = 20_000  # rows sampled from the model; range [500, 5_000_000]
    seed = 0  # random seed; range [0, 2**32 - 1]

The literal gives the default and the type; an optional ``range [low, high]`` or
``choices {a, b}`` at the end of the comment gives the allowed values. Everything is
checked before a notebook runs, so that a typo fails in a second with a clear message
instead of after minutes of computation.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

__all__ = [
    "Parameter",
    "ParameterError",
    "check",
    "load_set",
    "parse_override",
    "read_parameters",
    "require",
    "resolve",
]


class ParameterError(ValueError):
    """A parameter, a parameter set or a notebook is not what was expected."""


_RANGE = re.compile(r"range\s*([\[(])\s*([^,\])]+?)\s*,\s*([^\])]+?)\s*([\])])\s*$")
_CHOICES = re.compile(r"choices\s*\{([^}]*)\}\s*$")


@dataclass(frozen=True)
class Parameter:
    """One declared notebook parameter.

    Attributes
    ----------
    name : str
        Variable name.
    default : Any
        The literal value of the parameters cell.
    help : str
        The comment on its line (meaning, unit, allowed values).
    low, high : float, optional
        Bounds parsed from ``range [low, high]`` (brackets closed, parentheses open).
    choices : tuple, optional
        Allowed values parsed from ``choices {a, b}``.
    """

    name: str
    default: Any
    help: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] | None = field(default=None)

    @property
    def kind(self) -> str:
        """The type name expected, from the default literal."""
        return "any" if self.default is None else type(self.default).__name__


def _number(text: str) -> float:
    text = text.strip().replace("_", "")
    if text in {"inf", "+inf"}:
        return math.inf
    if text == "-inf":
        return -math.inf
    node = ast.parse(text, mode="eval").body
    # Allow small arithmetic such as 2**32 - 1 on literals only.
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Expression | ast.BinOp | ast.UnaryOp | ast.Constant
                          | ast.operator | ast.unaryop):
            raise ValueError(text)
    return float(eval(compile(ast.Expression(node), "<range>", "eval"), {"__builtins__": {}}))


def _parse_comment(comment: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if m := _RANGE.search(comment):
        out.update(
            low=_number(m.group(2)), high=_number(m.group(3)),
            low_open=m.group(1) == "(", high_open=m.group(4) == ")",
        )
    elif m := _CHOICES.search(comment):
        out["choices"] = tuple(yaml.safe_load(v.strip()) for v in m.group(1).split(","))
    return out


def _parameters_cell(nb: nbformat.NotebookNode, path: Path) -> str:
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(
            f"{path}: expected exactly one cell tagged 'parameters', found {len(cells)}"
        )
    if cells[0].cell_type != "code":
        raise ParameterError(f"{path}: the 'parameters' cell must be a code cell")
    return cells[0].source


def read_parameters(path: Path | str) -> dict[str, Parameter]:
    """Read the declared parameters of a notebook.

    Parameters
    ----------
    path : Path or str
        The ``.ipynb`` source.

    Returns
    -------
    dict of str to Parameter
        In declaration order.

    Raises
    ------
    ParameterError
        If the notebook is missing, has no (or several) ``parameters`` cells, or the cell
        holds anything but literal assignments.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"notebook not found: {path}")
    nb = nbformat.read(path, as_version=4)
    source = _parameters_cell(nb, path)
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{path}: the parameters cell is not valid Python: {exc}") from exc
    params: dict[str, Parameter] = {}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)):
            raise ParameterError(
                f"{path}: line {stmt.lineno} of the parameters cell is not `name = literal`"
            )
        name = stmt.targets[0].id
        try:
            default = ast.literal_eval(stmt.value)
        except ValueError as exc:
            raise ParameterError(
                f"{path}: parameter {name!r} must have a literal default"
            ) from exc
        line = lines[stmt.end_lineno - 1]
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        try:
            extra = _parse_comment(comment)
        except (ValueError, SyntaxError) as exc:
            raise ParameterError(f"{path}: cannot read the range of {name!r}: {comment}") from exc
        params[name] = Parameter(name=name, default=default, help=comment, **extra)
    return params


def _coerce(param: Parameter, value: Any, where: str) -> Any:
    """Return ``value`` converted to the parameter's type, or raise ParameterError."""
    kind = type(param.default)
    wrong = ParameterError(
        f"{where}: parameter {param.name!r} expects {param.kind}, "
        f"got {value!r} ({type(value).__name__})"
    )
    if param.default is None:
        return value
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise wrong
    if kind is int:
        if isinstance(value, bool):
            raise wrong
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                number = float(value.replace("_", ""))
            except ValueError:
                raise wrong from None
            if number.is_integer():
                return int(number)
        raise wrong
    if kind is float:
        if isinstance(value, bool):
            raise wrong
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.replace("_", ""))
            except ValueError:
                raise wrong from None
        raise wrong
    if isinstance(value, kind):
        return value
    if kind is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if kind is list and isinstance(value, tuple):
        return list(value)
    raise wrong


def check(param: Parameter, value: Any, where: str = "parameters") -> Any:
    """Validate one value against its declaration.

    Parameters
    ----------
    param : Parameter
        The declaration (type from its default, range or choices from its comment).
    value : Any
        The proposed value.
    where : str
        What to name in the error message (a notebook, a parameter file).

    Returns
    -------
    Any
        The value converted to the declared type (e.g. ``3`` to ``3.0`` for a float).

    Raises
    ------
    ParameterError
        On a wrong type, a value out of range, or a value not among the choices.
    """
    value = _coerce(param, value, where)
    if param.choices is not None and value not in param.choices:
        raise ParameterError(
            f"{where}: parameter {param.name!r} must be one of "
            f"{{{', '.join(map(repr, param.choices))}}}, got {value!r}"
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = param.low, param.high
        too_low = low is not None and (value <= low if param.low_open else value < low)
        too_high = high is not None and (value >= high if param.high_open else value > high)
        if too_low or too_high:
            left, right = "(" if param.low_open else "[", ")" if param.high_open else "]"
            raise ParameterError(
                f"{where}: parameter {param.name!r} must be in {left}{low:g}, {high:g}{right}, "
                f"got {value!r}"
            )
    return value


def unknown_parameter(name: str, known: Iterable[str], where: str) -> ParameterError:
    """Build the error for an undeclared parameter, suggesting the closest name."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ParameterError(
        f"{where}: unknown parameter {name!r}{hint} (known: {', '.join(known) or 'none'})"
    )


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a ``name=value`` override from the command line.

    The value is read as YAML, so ``3`` is an int, ``0.5`` a float, ``true`` a bool,
    ``[3, 6]`` a list and anything else a string.

    Raises
    ------
    ParameterError
        If the text has no ``=`` or an empty name.
    """
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ParameterError(f"override {text!r} is not of the form name=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return name, value


def load_set(spec: str, params_dir: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """Load a named parameter set (``default``, ``smoke``) or a YAML file.

    The file maps notebook paths relative to ``notebooks/`` to parameter values::

        20_synthetic/01_shap_is_not_causal.ipynb:
          n_samples: 20000

    Returns
    -------
    (name, mapping)
        The set's name (file stem) and its mapping.

    Raises
    ------
    ParameterError
        If the set does not exist or is not a mapping of mappings.
    """
    candidate = Path(spec)
    path = candidate if candidate.suffix in {".yaml", ".yml"} else params_dir / f"{spec}.yaml"
    if not path.is_file():
        available = sorted(p.stem for p in params_dir.glob("*.yaml"))
        raise ParameterError(
            f"parameter set {spec!r} not found (looked for {path}; named sets: "
            f"{', '.join(available)})"
        )
    try:
        content = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(content, dict) or not all(isinstance(v, dict | type(None))
                                                 for v in content.values()):
        raise ParameterError(f"{path}: expected a mapping of notebook path to parameters")
    return path.stem, {str(k): dict(v or {}) for k, v in content.items()}


def resolve(
    declared: Mapping[str, Parameter],
    *layers: tuple[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """Resolve a notebook's parameters: defaults, then each layer of values in order.

    Parameters
    ----------
    declared : mapping of str to Parameter
        What the notebook declares.
    *layers : (where, values)
        Value mappings applied in order (a parameter set, then command-line overrides);
        ``where`` names the layer in error messages.

    Returns
    -------
    dict
        Every declared parameter with its final, validated value.

    Raises
    ------
    ParameterError
        On an unknown name (with the closest declared name), a wrong type or a value out
        of range.
    """
    values = {name: p.default for name, p in declared.items()}
    for where, layer in layers:
        for name, value in layer.items():
            if name not in declared:
                raise unknown_parameter(name, declared, where)
            values[name] = check(declared[name], value, where)
    for name, param in declared.items():
        check(param, values[name], "defaults")
    return values


def require(
    name: str,
    value: Any,
    kind: type,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: Iterable[Any] | None = None,
) -> Any:
    """Check a parameter inside a notebook, for readers who edit it by hand.

    The runner already checks values against the parameters cell before execution; this
    repeats the check in the notebook itself, so that a value typed in JupyterLab fails
    at once with the same message.

    Parameters
    ----------
    name : str
        Parameter name, used in the message.
    value : Any
        Its value.
    kind : type
        Expected type (``int``, ``float``, ``str``, ``bool``, ``list``).
    low, high : float, optional
        Inclusive bounds.
    choices : iterable, optional
        Allowed values.

    Returns
    -------
    Any
        The value, converted to ``kind``.

    Raises
    ------
    ParameterError
        With a message naming the parameter and what was expected.
    """
    default = kind() if kind is not type(None) else None
    param = Parameter(
        name=name, default=default, low=low, high=high,
        choices=tuple(choices) if choices is not None else None,
    )
    return check(param, value, "notebook")
