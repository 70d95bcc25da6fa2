"""Notebook parameters: declaration, resolution, validation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from causalxai.compendium.params import (
    Parameter,
    ParameterError,
    check,
    load_set,
    parse_override,
    read_parameters,
    require,
    resolve,
    validate_parameters,
)
from tests.conftest import make_notebook


def test_read_parameters_types_ranges_and_choices(project):
    declared = read_parameters(project.notebooks / "a/first.ipynb")
    assert list(declared) == ["n_samples", "rate", "mode", "fail"]
    assert declared["n_samples"].default == 100 and declared["n_samples"].kind == "int"
    assert (declared["n_samples"].low, declared["n_samples"].high) == (10, 1000)
    assert declared["mode"].choices == ("fast", "slow")
    assert declared["fail"].help == "raise on purpose"


def test_range_accepts_arithmetic_and_open_bounds(tmp_path):
    nb = make_notebook(tmp_path / "x.ipynb", "seed = 0  # s; range [0, 2**31 - 1]\n"
                                             "p = 0.5  # p; range (0, 1)\n")
    declared = read_parameters(nb)
    assert declared["seed"].high == 2**31 - 1
    assert declared["p"].low_open and declared["p"].high_open
    with pytest.raises(ParameterError, match=r"'p' must be in \(0, 1\)"):
        check(declared["p"], 1.0)


@pytest.mark.parametrize("source, message", [
    ("x = 1\ny = 2\n", None),
    ("x = f(1)\n", "literal default"),
    ("import os\n", "not `name = literal`"),
    ("x = (\n", "not valid Python"),
])
def test_parameters_cell_must_hold_literal_assignments(tmp_path, source, message):
    nb = make_notebook(tmp_path / "x.ipynb", source)
    if message is None:
        assert read_parameters(nb)["y"].default == 2
    else:
        with pytest.raises(ParameterError, match=message):
            read_parameters(nb)


def test_missing_notebook_and_missing_parameters_cell(tmp_path):
    with pytest.raises(ParameterError, match="notebook not found"):
        read_parameters(tmp_path / "nope.ipynb")
    nb = make_notebook(tmp_path / "x.ipynb", "x = 1\n")
    import nbformat

    content = nbformat.read(nb, as_version=4)
    content.cells[1].metadata["tags"] = []
    nbformat.write(content, nb)
    with pytest.raises(ParameterError, match="exactly one cell tagged 'parameters', found 0"):
        read_parameters(nb)


def test_unknown_parameter_suggests_the_closest(project):
    declared = read_parameters(project.notebooks / "a/first.ipynb")
    with pytest.raises(ParameterError, match="unknown parameter 'n_smples'; did you mean "
                                             "'n_samples'"):
        resolve(declared, ("-p", {"n_smples": 10}))


@pytest.mark.parametrize("name, value, expected", [
    ("n_samples", "20", 20), ("n_samples", 3e2, 300), ("rate", 1, 1.0), ("rate", "0.25", 0.25),
    ("mode", "slow", "slow"), ("fail", True, True),
])
def test_values_are_converted_to_the_declared_type(project, name, value, expected):
    declared = read_parameters(project.notebooks / "a/first.ipynb")
    out = resolve(declared, ("-p", {name: value}))[name]
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize("name, value, message", [
    ("n_samples", "many", "expects int"),
    ("n_samples", 10.5, "expects int"),
    ("n_samples", True, "expects int"),
    ("n_samples", 5, r"must be in \[10, 1000\]"),
    ("rate", "high", "expects float"),
    ("mode", "medium", "must be one of"),
    ("fail", "yes", "expects bool"),
])
def test_bad_values_are_refused_with_the_parameter_named(project, name, value, message):
    declared = read_parameters(project.notebooks / "a/first.ipynb")
    with pytest.raises(ParameterError, match=message) as info:
        resolve(declared, ("-p", {name: value}))
    assert repr(name) in str(info.value)


@given(st.integers(min_value=10, max_value=1000))
def test_integers_in_range_pass_unchanged(n):
    param = Parameter("n", 100, low=10, high=1000)
    assert check(param, n) == n
    assert check(param, str(n)) == n


@pytest.mark.parametrize("text, expected", [
    ("seed=3", ("seed", 3)), ("rate=0.5", ("rate", 0.5)), ("flag=true", ("flag", True)),
    ("h=[3, 6]", ("h", [3, 6])), ("name=abc", ("name", "abc")), ("x=", ("x", "")),
])
def test_parse_override(text, expected):
    assert parse_override(text) == expected


@pytest.mark.parametrize("text", ["seed", "=3", "1x=2"])
def test_parse_override_rejects_malformed(text):
    with pytest.raises(ParameterError, match="name=value"):
        parse_override(text)


def test_load_set_named_and_file(project, tmp_path):
    smoke = load_set("smoke", project.params)
    assert smoke.name == smoke.folder == "smoke" and smoke.named
    assert smoke.values["a/first.ipynb"] == {"n_samples": 10}
    custom = tmp_path / "mine.yaml"
    custom.write_text("a/first.ipynb:\n  rate: 0.1\n")
    mine = load_set(str(custom), project.params)
    assert mine.values == {"a/first.ipynb": {"rate": 0.1}} and not mine.named
    assert mine.folder.startswith("file-mine-")
    with pytest.raises(ParameterError, match=r"parameter set 'nope' not found.*default, smoke"):
        load_set("nope", project.params)
    custom.write_text("- just a list\n")
    with pytest.raises(ParameterError, match="mapping of notebook path"):
        load_set(str(custom), project.params)


def test_require_inside_notebooks():
    assert require("n", 5, int, low=1, high=10) == 5
    assert require("x", 2, float) == 2.0 and isinstance(require("x", 2, float), float)
    assert math.isinf(require("x", math.inf, float))
    with pytest.raises(ParameterError, match="'n' must be in"):
        require("n", 0, int, low=1, high=10)
    with pytest.raises(ParameterError, match="'kind' must be one of"):
        require("kind", "c", str, choices=["a", "b"])


def test_validate_parameters_reads_the_declaration_next_to_the_notebook(tmp_path, monkeypatch):
    make_notebook(tmp_path / "nb.ipynb",
                  "n = 5  # rows; range [1, 10]\n"
                  "p = 0.5  # a share; range (0, 1]\n"
                  "seed = 0  # s; range [0, 2**31 - 1]\n"
                  "mode = 'a'  # how; choices {a, b}\n")
    monkeypatch.chdir(tmp_path)  # papermill and JupyterLab run in the notebook's folder
    space = {"n": 3, "p": 1, "seed": "7", "mode": "b"}
    assert validate_parameters(space, "nb.ipynb") is None
    assert space == {"n": 3, "p": 1.0, "seed": 7, "mode": "b"}
    assert type(space["p"]) is float and type(space["seed"]) is int
    for bad, message in [({"p": 0}, r"notebook nb\.ipynb: parameter 'p' must be in \(0, 1\]"),
                         ({"seed": -1}, r"must be in \[0, 2\*\*31 - 1\], got -1"),
                         ({"mode": "c"}, "must be one of"),
                         ({"n": math.nan}, "expects int"),
                         ({"p": math.nan}, r"expects a number in \(0, 1\], got nan")]:
        with pytest.raises(ParameterError, match=message):
            validate_parameters({**space, **bad}, "nb.ipynb")
    with pytest.raises(ParameterError, match=r"declared parameter\(s\) 'mode' not defined"):
        validate_parameters({"n": 3, "p": 0.5, "seed": 0}, "nb.ipynb")
    with pytest.raises(ParameterError, match=r"notebook 'other\.ipynb' not found \(looked for "):
        validate_parameters(space, "other.ipynb")


def test_validate_parameters_and_the_runner_give_the_same_message(project):
    declared = read_parameters(project.notebooks / "a/first.ipynb")
    with pytest.raises(ParameterError) as runner_error:
        resolve(declared, ("-p for notebooks/a/first.ipynb", {"rate": 2}))
    space = {"n_samples": 100, "rate": 2, "mode": "fast", "fail": False}
    with pytest.raises(ParameterError) as notebook_error:
        validate_parameters(space, project.notebooks / "a/first.ipynb")
    assert (str(runner_error.value).split(": ", 1)[1]
            == str(notebook_error.value).split(": ", 1)[1])


def test_the_converted_chapter_validates_in_one_call():
    import json

    from tests.conftest import REPO

    nb = json.loads((REPO / "notebooks/20_synthetic/01_shap_is_not_causal.ipynb").read_text())
    cell = "".join(nb["cells"][2]["source"])
    assert 'validate_parameters(globals(), "01_shap_is_not_causal.ipynb")' in cell
    assert "require(" not in cell


def test_an_open_bound_is_declared_once_and_refused_with_its_message(tmp_path, monkeypatch):
    make_notebook(tmp_path / "nb.ipynb", "share = 0.2  # share treated; range (0, 1]\n")
    monkeypatch.chdir(tmp_path)
    declared = read_parameters(tmp_path / "nb.ipynb")["share"]
    assert declared.low_open and not declared.high_open and declared.interval == "(0, 1]"
    space = {"share": 1e-12}  # no fake 1e-9 bound: any positive share is allowed
    validate_parameters(space, "nb.ipynb")
    with pytest.raises(ParameterError,
                       match=r"notebook nb\.ipynb: parameter 'share' must be in \(0, 1\], got 0"):
        validate_parameters({"share": 0}, "nb.ipynb")
    with pytest.raises(ParameterError, match=r"'share' must be in \(0, 1\]"):
        resolve({"share": declared}, ("-p", {"share": 0.0}))


@pytest.mark.parametrize("line, good, bad, message", [
    ("h = [3, 6]  # horizons; increasing, range [1, 24]", [1, 24], [6, 3],
     r"'h' must be strictly increasing, got \[6, 3\]"),
    ("h = [3, 6]  # horizons; increasing, range [1, 24]", [2], [3, 30],
     r"'h\[1\]' must be in \[1, 24\], got 30"),
    ("h = [3, 6]  # horizons; increasing, range [1, 24]", [5], [],
     "'h' must hold at least one value"),
    ("h = [1, 5]  # years; distinct, choices {1, 5}", [5, 1], [1, 1],
     r"'h' must hold distinct values"),
    ("h = [1, 5]  # years; distinct, choices {1, 5}", [5], [2],
     r"'h\[0\]' must be one of \{1, 5\}, got 2"),
    ("s = [0.0, -1.0]  # sizes; range [-4, 4]", [-4, 4.0], [0.0, -5.0],
     r"'s\[1\]' must be in \[-4, 4\], got -5\.0"),
    ("m = '2020-06'  # a month; month [2017-01, 2021-06]", "2017-01", "2021-07",
     r"'m' must be a month in \[2017-01, 2021-06\], got '2021-07'"),
    ("m = '2020-06'  # a month; month [2017-01, 2021-06]", "2021-06", "2020-13",
     r"'m' expects a month 'YYYY-MM' in \[2017-01, 2021-06\], got '2020-13'"),
    ("n = 100  # trees; multiple of 4, range [20, 1_000]", 20, 22,
     "'n' must be a multiple of 4, got 22"),
    ("n = 100  # trees; multiple of 4, range [20, 1_000]", 1000, 1004, r"must be in \[20, 1_000\]"),
])
def test_list_month_and_multiple_declarations(tmp_path, line, good, bad, message):
    param = next(iter(read_parameters(make_notebook(tmp_path / "x.ipynb", line + "\n")).values()))
    out = check(param, good)
    assert out == good and (not isinstance(good, list)
                            or all(type(v) is type(param.default[0]) for v in out))
    with pytest.raises(ParameterError, match=message):
        check(param, bad)


def test_list_elements_take_the_type_of_the_default(tmp_path):
    nb = make_notebook(tmp_path / "x.ipynb", "s = [0.0, -1.0]  # sizes; range [-4, 4]\n"
                                             "n = [500]  # rows; increasing, range [100, 1e5]\n")
    declared = read_parameters(nb)
    assert check(declared["s"], [0, -2]) == [0.0, -2.0]
    assert type(check(declared["s"], [0, -2])[0]) is float
    assert check(declared["n"], [300.0, "400"]) == [300, 400]
    with pytest.raises(ParameterError, match=r"'n\[0\]' expects int"):
        check(declared["n"], [1.5])


def test_prose_words_before_the_last_clause_are_not_flags(tmp_path):
    nb = make_notebook(tmp_path / "x.ipynb",
                       "h = [6, 3]  # horizons, increasing or distinct in prose; range [1, 24]\n")
    param = read_parameters(nb)["h"]
    assert not param.increasing and not param.distinct
    assert check(param, [6, 3]) == [6, 3]
