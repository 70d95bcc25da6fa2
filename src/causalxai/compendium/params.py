"""Notebook parameters: read them, resolve named sets and overrides, validate them.

A notebook declares its parameters in one code cell tagged ``parameters``, as literal
assignments with a comment each::

    n_samples = 20_000  # rows sampled from the model; range [500, 5_000_000]
    seed = 0  # random seed; range [0, 2**32 - 1]

The literal gives the default and the type; the end of the comment gives the allowed
values, in a small grammar read by the runner and by :func:`validate_parameters` alike:

- ``range [low, high]``: brackets closed, parentheses open (``range (0, 1]``), bounds may
  be small arithmetic (``2**31 - 1``) or ``inf``;
- ``choices {a, b}``: the allowed values, read as YAML (``{1, 5}`` are ints);
- ``month [2019-06, 2022-12]``: a ``'YYYY-MM'`` string between two months, inclusive;
- for a list, ``range`` and ``choices`` apply to each element (the list must not be
  empty), and the words ``increasing`` (strictly) or ``distinct`` may precede them in the
  last ``;`` clause (``; increasing, range [1, 24]``);
- ``multiple of 4`` in the last clause, for an integer.

Everything is
checked before a notebook runs, so that a typo fails in a second with a clear message
instead of after minutes of computation. Inside the notebook, one call
(:func:`validate_parameters`) repeats the same checks from the same declaration, so each
range is written once.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import itertools
import json
import math
import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "ParamSet",
    "Parameter",
    "ParameterError",
    "check",
    "custom_folder",
    "format_value",
    "load_set",
    "parse_override",
    "read_parameters",
    "require",
    "resolve",
    "validate_parameters",
]


class ParameterError(ValueError):
    """A parameter, a parameter set or a notebook is not what was expected."""


_RANGE = re.compile(r"range\s*([\[(])\s*([^,\])]+?)\s*,\s*([^\])]+?)\s*([\])])\s*$")
_CHOICES = re.compile(r"choices\s*\{([^}]*)\}\s*$")
_MONTH_RANGE = re.compile(r"month\s*\[\s*(\d{4}-\d{2})\s*,\s*(\d{4}-\d{2})\s*\]\s*$")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_MULTIPLE = re.compile(r"\bmultiple of (\d+)\b")


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
    low_open, high_open : bool
        Whether each bound is excluded.
    choices : tuple, optional
        Allowed values parsed from ``choices {a, b}``.
    low_text, high_text : str, optional
        The bounds as written in the comment (``2**31 - 1``), for messages.
    months : (str, str), optional
        First and last allowed month (``'YYYY-MM'``) parsed from ``month [a, b]``.
    increasing, distinct : bool
        For a list: whether its elements must be strictly increasing / all different.
    multiple_of : int, optional
        For an integer: the number it must be a multiple of.
    """

    name: str
    default: Any
    help: str = ""
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] | None = field(default=None)
    low_text: str | None = None
    high_text: str | None = None
    months: tuple[str, str] | None = None
    increasing: bool = False
    distinct: bool = False
    multiple_of: int | None = None

    @property
    def kind(self) -> str:
        """The type name expected, from the default literal."""
        return "any" if self.default is None else type(self.default).__name__

    @property
    def interval(self) -> str:
        """The allowed range as written, e.g. ``[0, 2**31 - 1]``; empty without a range."""
        if self.low is None and self.high is None:
            return ""
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        low = self.low_text or _format_bound(self.low, -math.inf)
        high = self.high_text or _format_bound(self.high, math.inf)
        return f"{left}{low}, {high}{right}"


def _format_bound(value: float | None, infinite: float) -> str:
    """A bound given as a number (not written in a comment): ``10``, ``0.5``, ``inf``."""
    value = infinite if value is None else value
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


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
    spec = comment.rsplit(";", 1)[-1] if ";" in comment else ""
    words = re.sub(r"(range|choices|month)\s*[\[({].*$", "", spec)
    out["increasing"] = bool(re.search(r"\bincreasing\b", words))
    out["distinct"] = bool(re.search(r"\bdistinct\b", words))
    if m := _MULTIPLE.search(words):
        out["multiple_of"] = int(m.group(1))
    if m := _MONTH_RANGE.search(comment):
        low, high = m.group(1), m.group(2)
        if not (_MONTH.fullmatch(low) and _MONTH.fullmatch(high)) or low > high:
            raise ValueError(comment)
        out["months"] = (low, high)
    elif m := _RANGE.search(comment):
        out.update(
            low=_number(m.group(2)), high=_number(m.group(3)),
            low_open=m.group(1) == "(", high_open=m.group(4) == ")",
            low_text=m.group(2).strip(), high_text=m.group(3).strip(),
        )
    elif m := _CHOICES.search(comment):
        out["choices"] = tuple(yaml.safe_load(v.strip()) for v in m.group(1).split(","))
    return out


def read_notebook(path: Path) -> dict[str, Any]:
    """A notebook file as plain JSON (cell sources joined into strings).

    Plain :mod:`json` rather than :mod:`nbformat`, which costs a second of start-up.

    Raises
    ------
    ParameterError
        If the file is missing or is not a notebook.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"notebook not found: {path}")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise ParameterError(f"{path}: not a readable notebook ({exc})") from None
    for cell in cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def _parameters_cell(nb: Mapping[str, Any], path: Path) -> str:
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(
            f"{path}: expected exactly one cell tagged 'parameters', found {len(cells)}"
        )
    if cells[0].get("cell_type") != "code":
        raise ParameterError(f"{path}: the 'parameters' cell must be a code cell")
    return cells[0].get("source", "")


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
    nb = read_notebook(path)
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
    if isinstance(value, list) and _constrains_elements(param):
        return _check_list(param, value, where)
    if param.months is not None:
        low, high = param.months
        if not (isinstance(value, str) and _MONTH.fullmatch(value)):
            raise ParameterError(
                f"{where}: parameter {param.name!r} expects a month 'YYYY-MM' in "
                f"[{low}, {high}], got {value!r}"
            )
        if not low <= value <= high:
            raise ParameterError(
                f"{where}: parameter {param.name!r} must be a month in [{low}, {high}], "
                f"got {value!r}"
            )
    if param.multiple_of and isinstance(value, int) and value % param.multiple_of:
        raise ParameterError(
            f"{where}: parameter {param.name!r} must be a multiple of {param.multiple_of}, "
            f"got {value!r}"
        )
    if param.choices is not None and value not in param.choices:
        raise ParameterError(
            f"{where}: parameter {param.name!r} must be one of "
            f"{{{', '.join(map(repr, param.choices))}}}, got {value!r}"
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            raise ParameterError(
                f"{where}: parameter {param.name!r} expects a number"
                + (f" in {param.interval}" if param.interval else "") + ", got nan"
            )
        low, high = param.low, param.high
        too_low = low is not None and (value <= low if param.low_open else value < low)
        too_high = high is not None and (value >= high if param.high_open else value > high)
        if too_low or too_high:
            raise ParameterError(
                f"{where}: parameter {param.name!r} must be in {param.interval}, got {value!r}"
            )
    return value


def _constrains_elements(param: Parameter) -> bool:
    return (param.choices is not None or param.low is not None or param.high is not None
            or param.months is not None or param.increasing or param.distinct)


def _check_list(param: Parameter, value: list[Any], where: str) -> list[Any]:
    """Check a list parameter element by element, then its order and repeats."""
    if not value:
        raise ParameterError(f"{where}: parameter {param.name!r} must hold at least one value")
    template = param.default[0] if param.default else None
    out = []
    for i, item in enumerate(value):
        element = Parameter(
            name=f"{param.name}[{i}]", default=template, low=param.low, high=param.high,
            low_open=param.low_open, high_open=param.high_open, choices=param.choices,
            low_text=param.low_text, high_text=param.high_text, months=param.months,
            multiple_of=param.multiple_of,
        )
        out.append(check(element, item, where))
    if param.increasing and any(b <= a for a, b in itertools.pairwise(out)):
        raise ParameterError(
            f"{where}: parameter {param.name!r} must be strictly increasing, got {value!r}"
        )
    if param.distinct and len(set(map(repr, out))) != len(out):
        raise ParameterError(
            f"{where}: parameter {param.name!r} must hold distinct values, got {value!r}"
        )
    return out


def unknown_parameter(name: str, known: Iterable[str], where: str) -> ParameterError:
    """Build the error for an undeclared parameter, suggesting the closest name."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return ParameterError(
        f"{where}: unknown parameter {name!r}{hint} (known: {', '.join(known) or 'none'})"
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise ParameterError(f"duplicate key {key!r} (lines {seen[key]} and {line})")
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def load_yaml(text: str) -> Any:
    """Parse YAML like :func:`yaml.safe_load`, refusing duplicate keys.

    Raises
    ------
    ParameterError
        On a key given twice in one mapping (the message names it and its lines).
    yaml.YAMLError
        On invalid YAML.
    """
    return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass


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
        value = load_yaml(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    except ParameterError as exc:
        raise ParameterError(f"override {text!r}: {exc}") from None
    return name, value


@dataclass(frozen=True)
class ParamSet:
    """A parameter set: what it is called, where its runs go, and its values.

    Attributes
    ----------
    name : str
        How messages and the book name it: the stem of a named set (``default``), the
        file's path for any other YAML file.
    folder : str
        Its run folder under ``.cache/runs/``: the stem for a named set, a name that
        cannot clash with one (``file-<stem>-<hash of the path>``) for any other file.
    values : dict
        Notebook path (relative to ``notebooks/``) to parameter values.
    path : Path
        The YAML file.
    named : bool
        Whether it is one of the named sets of ``notebooks/params/``.
    """

    name: str
    folder: str
    values: dict[str, dict[str, Any]]
    path: Path
    named: bool

    @property
    def option(self) -> str:
        """How to select it on the command line (``--params ...``)."""
        return self.name


def load_set(spec: str, params_dir: Path) -> ParamSet:
    """Load a named parameter set (``default``, ``smoke``) or a YAML file.

    The file maps notebook paths relative to ``notebooks/`` to parameter values::

        20_synthetic/01_shap_is_not_causal.ipynb:
          n_samples: 20000

    A set is *named* only when it is a file of ``params_dir`` (given by its stem, or by
    its path); a ``default.yaml`` anywhere else is a set of its own, with its own run
    folder, so it can never write into the book's results.

    Returns
    -------
    ParamSet

    Raises
    ------
    ParameterError
        If the set does not exist, is not a mapping of mappings, or gives a key twice.
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
        content = load_yaml(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from exc
    except ParameterError as exc:
        raise ParameterError(f"{path}: {exc}") from None
    if not isinstance(content, dict) or not all(isinstance(v, dict | type(None))
                                                 for v in content.values()):
        raise ParameterError(f"{path}: expected a mapping of notebook path to parameters")
    values = {str(k): dict(v or {}) for k, v in content.items()}
    resolved = path.resolve()
    named = resolved.parent == params_dir.resolve() and path.suffix == ".yaml"
    if named:
        return ParamSet(path.stem, path.stem, values, path, True)
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    return ParamSet(str(path), f"file-{_slug(path.stem)}-{digest}", values, path, False)


_SAFE = re.compile(r"[^A-Za-z0-9._=,-]+")


def _slug(text: str) -> str:
    return _SAFE.sub("_", text).strip("_") or "_"


def format_value(value: Any) -> str:
    """A value as it is typed after ``-p name=`` (YAML flow style: ``0.5``, ``[3, 6]``)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return text.removesuffix("\n...").strip()


def custom_folder(base: str, overrides: Mapping[str, Any]) -> str:
    """The run folder of a set with ``-p`` overrides, named by them.

    ``custom_folder("default", {"seed": 3, "n_samples": 50000})`` is
    ``default+n_samples=50000+seed=3``: sorted, one ``name=value`` each. Characters that
    do not belong in a file name are replaced, and then (or when the name grows past 200
    characters) a hash of the exact overrides is appended, so two different runs never
    share a folder.
    """
    if not overrides:
        return base
    parts = [f"{name}={format_value(overrides[name])}" for name in sorted(overrides)]
    exact = "+".join(parts)
    safe = "+".join(_SAFE.sub("_", part) for part in parts)
    folder = f"{base}+{safe}"
    if safe != exact or len(folder) > 200:
        digest = hashlib.sha256(
            json.dumps(overrides, sort_keys=True, default=str).encode()
        ).hexdigest()[:8]
        folder = f"{folder[:190]}-{digest}"
    return folder


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


def validate_parameters(namespace: MutableMapping[str, Any], notebook: str | Path) -> None:
    """Check every declared parameter of a notebook in its own namespace, in place.

    The one validation call of a notebook, right after its parameters cell::

        validate_parameters(globals(), "01_shap_is_not_causal.ipynb")

    It reads the declaration (the ``# ... range [low, high]`` / ``choices {a, b}``
    comments of the ``parameters`` cell, open bounds included) from the notebook file,
    so each range is written once, and applies the same checks and messages as the
    runner: each value is converted to the declared type (``3`` becomes ``3.0`` for a
    float) and written back into ``namespace``.

    Parameters
    ----------
    namespace : mutable mapping
        The notebook's ``globals()``.
    notebook : str or Path
        The notebook file; a relative path is resolved from the current folder, which
        is the notebook's own folder under papermill (the runner) and in JupyterLab.

    Raises
    ------
    ParameterError
        If the notebook file is not found, a declared parameter is not defined in
        ``namespace``, or a value has the wrong type or is out of range.
    """
    path = Path(notebook)
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.is_file():
        raise ParameterError(
            f"validate_parameters: notebook {str(notebook)!r} not found (looked for {path}; "
            "a relative name is resolved from the current folder, the notebook's own folder "
            "when papermill or JupyterLab runs it)"
        )
    declared = read_parameters(path)
    missing = [name for name in declared if name not in namespace]
    if missing:
        raise ParameterError(
            f"notebook {path.name}: declared parameter(s) {', '.join(map(repr, missing))} "
            "not defined: run the parameters cell first"
        )
    for name, param in declared.items():
        namespace[name] = check(param, namespace[name], f"notebook {path.name}")
