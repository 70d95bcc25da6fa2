"""The book's Sphinx extension: offline MathJax, footer, launch links, author-year labels."""

from __future__ import annotations

import datetime as dt

from pybtex.database import parse_string

from causalxai.compendium import sphinx_ext

BIB = r"""
@book{pearl2009, author = {Pearl, Judea}, title = {Causality}, publisher = {CUP},
  year = {2009}}
@inproceedings{lundberg2017, author = {Lundberg, Scott M. and Lee, Su-In},
  title = {A unified approach}, booktitle = {NeurIPS}, year = {2017}}
@article{cherno2018, author = {Chernozhukov, Victor and Chetverikov, Denis and Demirer, Mert},
  title = {Double/debiased machine learning}, journal = {Econom. J.}, year = {2018}}
@article{pearl2009b, author = {Pearl, Judea}, title = {Causal inference in statistics},
  journal = {Stat. Surv.}, year = {2009}}
@misc{econml, title = {EconML}, organization = {Microsoft Research}, year = {2019}}
@article{vdl, author = {van der Laan, Mark J. and {\"O}zt{\"u}rk, Ali}, title = {T},
  journal = {J}, year = {2011}}
"""


def test_author_year_labels_follow_the_citations():
    entries = parse_string(BIB, "bibtex").entries
    label = {k: sphinx_ext.author_year_label(e) for k, e in entries.items()}
    assert label["pearl2009"] == "Pearl 2009"
    assert label["lundberg2017"] == "Lundberg and Lee 2017"
    assert label["cherno2018"] == "Chernozhukov et al. 2018"
    assert label["econml"] == "Microsoft Research 2019"
    assert label["vdl"] == "van der Laan and Öztürk 2011"


def test_shared_labels_get_a_b_in_order():
    entries = parse_string(BIB, "bibtex").entries
    labels = sphinx_ext.author_year_labels([entries["pearl2009"], entries["lundberg2017"],
                                            entries["pearl2009b"]])
    assert labels == ["Pearl 2009a", "Lundberg and Lee 2017", "Pearl 2009b"]


def test_the_registered_style_labels_a_bibliography_author_year():
    from pybtex.plugin import find_plugin

    sphinx_ext.register_bib_style()
    sphinx_ext.register_bib_style()  # twice is harmless
    style = find_plugin("pybtex.style.formatting", sphinx_ext.BIB_STYLE)()
    formatted = style.format_bibliography(parse_string(BIB, "bibtex"))
    labels = [e.label for e in formatted]
    assert "Pearl 2009a" in labels and "Chernozhukov et al. 2018" in labels
    assert not any(label.isdigit() for label in labels)


def test_mathjax_copy_is_installed_with_the_project():
    root = sphinx_ext.mathjax_source()
    assert (root / sphinx_ext.MATHJAX_ENTRY).stat().st_size > 100_000
    assert (root / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_footer_has_version_and_iso_date():
    html = sphinx_ext.footer_html("0.1.0", dt.date(2026, 12, 6))
    assert "causalxai 0.1.0" in html and "2026-12-06" in html


def test_launch_links_point_at_notebook_sources_local_links_unchanged():
    binder = "https://mybinder.org/v2/gh/causalxai/causalxai/main?urlpath=lab/tree/executed/a/b.ipynb"
    assert sphinx_ext.notebook_url(binder).endswith("lab/tree/notebooks/a/b.ipynb")
    colab = "https://colab.research.google.com/github/causalxai/causalxai/blob/main/executed/a/b.ipynb"
    assert sphinx_ext.notebook_url(colab).endswith("/blob/main/notebooks/a/b.ipynb")
    assert sphinx_ext.notebook_url("../../_sources/executed/a/b.ipynb") == \
        "../../_sources/executed/a/b.ipynb"


def test_buttons_are_rewritten_recursively():
    buttons = [{"type": "group", "buttons": [
        {"url": "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/executed/x.ipynb"},
        {"url": "../_sources/executed/x.ipynb"}]}]
    sphinx_ext._rewrite_urls(buttons)
    inner = buttons[0]["buttons"]
    assert "tree/notebooks/x.ipynb" in inner[0]["url"]
    assert inner[1]["url"] == "../_sources/executed/x.ipynb"
