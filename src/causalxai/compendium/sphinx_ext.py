"""The book's own Sphinx extension: what the reader meets on every page.

Listed in ``_config.yml`` (``sphinx: extra_extensions``), it

- serves MathJax from the copy installed with the project (the ``django-static-mathjax``
  package, MathJax 3.2.2 — the version Sphinx loads from a CDN by default), copied into
  ``_static/mathjax/`` at build time, so that math renders without internet;
- writes the package version and the build date in the footer of every page;
- points the launch buttons (Binder, Colab, JupyterHub) and the source buttons of a
  computed chapter at its notebook source in ``notebooks/``, not at the git-ignored
  executed copy in ``executed/`` that the book is built from;
- registers the pybtex style ``causalxai_author_year`` (``bibtex_default_style``): the
  bibliography is labelled "Pearl 2009", "Lundberg and Lee 2017", "Chernozhukov et al.
  2018" (a, b... when two works share a label), as the text cites them, instead of
  [1]-[159];
- drops an inline script that a page would load twice (sphinx-thebe's
  ``THEBE_JS_URL`` constant; the second declaration is a console error), early enough
  that a theme handler returning a template cannot skip it;
- gives the theme its colour mode (``default_mode = "auto"``): without it the first page a
  reader opens (empty ``localStorage``) hands the theme an empty mode, a console error.
"""

from __future__ import annotations

import datetime as _dt
import re
import shutil
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["BIB_STYLE", "MATHJAX_DIR", "MATHJAX_ENTRY", "author_year_label", "author_year_labels",
           "footer_html", "mathjax_source", "notebook_url", "register_bib_style", "setup"]

#: The pybtex formatting style of the bibliography (``bibtex_default_style``).
BIB_STYLE = "causalxai_author_year"

#: Folder of ``_static`` that receives the MathJax copy.
MATHJAX_DIR = "mathjax"
#: The MathJax component the book loads (TeX and MathML input, CommonHTML output).
MATHJAX_ENTRY = "tex-mml-chtml.js"


def mathjax_source() -> Path:
    """The ``es5`` folder of the installed MathJax copy.

    Raises
    ------
    RuntimeError
        If the ``django-static-mathjax`` package is missing or holds no
        :data:`MATHJAX_ENTRY` (reinstall the project: ``make install``).
    """
    try:
        import mathjax  # the django-static-mathjax distribution
    except ImportError as exc:
        raise RuntimeError("MathJax is not installed: the book needs the package "
                           "django-static-mathjax (run `make install`)") from exc
    root = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (root / MATHJAX_ENTRY).is_file():
        raise RuntimeError(f"no {MATHJAX_ENTRY} in {root}: reinstall django-static-mathjax")
    return root


def footer_html(version: str, built: _dt.date) -> str:
    """The footer line: package version and build date (ISO 8601)."""
    return (f'<p class="causalxai-footer">causalxai {version} · built on '
            f"{built.isoformat()}</p>")


def notebook_url(url: str) -> str:
    """An external link to a computed chapter, moved from its executed copy to its source.

    >>> notebook_url("https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/executed/a/b.ipynb")
    'https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/notebooks/a/b.ipynb'
    >>> notebook_url("../_sources/executed/a/b.ipynb")  # a local download: unchanged
    '../_sources/executed/a/b.ipynb'
    """
    if "://" not in url:
        return url
    return url.replace("/executed/", "/notebooks/")


def _plain(latex: str) -> str:
    try:
        from pybtex.richtext import Text

        return str(Text.from_latex(latex).render_as("text"))
    except Exception:  # any LaTeX pybtex cannot parse: strip it
        return re.sub(r"[{}\\]", "", latex)


def author_year_label(entry: Any) -> str:
    """"Pearl 2009", "Lundberg and Lee 2017", "Chernozhukov et al. 2018" for a pybtex
    entry (its authors, else its editors, else its organisation or key)."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in persons]
    if not names:
        names = [_plain(entry.fields.get("organization") or entry.fields.get("publisher")
                        or entry.key)]
    who = (names[0] if len(names) == 1 else f"{names[0]} and {names[1]}" if len(names) == 2
           else f"{names[0]} et al.")
    return f"{who} {entry.fields.get('year', 'n.d.')}"


def author_year_labels(entries: Any) -> list[str]:
    """The labels of sorted entries, made unique with a, b, c... in their order."""
    labels = [author_year_label(e) for e in entries]
    counts, seen = Counter(labels), Counter()
    unique = []
    for label in labels:
        if counts[label] > 1:
            unique.append(label + "abcdefghijklmnopqrstuvwxyz"[seen[label] % 26])
            seen[label] += 1
        else:
            unique.append(label)
    return unique


def register_bib_style() -> None:
    """Register :data:`BIB_STYLE` (pybtex's plain style, author-year labels, sorted by
    author, year and title) with pybtex; registering twice is harmless."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.plain import Style as Plain
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries: Any) -> Any:
            yield from author_year_labels(list(sorted_entries))

    class AuthorYearStyle(Plain):
        default_label_style = "causalxai_author_year"
        default_sorting_style = "author_year_title"

    register_plugin("pybtex.style.labels", "causalxai_author_year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", BIB_STYLE, AuthorYearStyle)


def _package_version() -> str:
    try:
        return metadata.version("causalxai")
    except metadata.PackageNotFoundError:
        return "(unknown version)"


def _config_inited(app: Any, config: Any) -> None:
    config.mathjax_path = f"{MATHJAX_DIR}/{MATHJAX_ENTRY}"
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = footer_html(_package_version(), _dt.date.today())
    config.html_theme_options = options


def _builder_inited(app: Any) -> None:
    if getattr(app.builder, "format", "") != "html":
        return
    target = Path(app.outdir) / "_static" / MATHJAX_DIR
    if not (target / MATHJAX_ENTRY).is_file():
        shutil.copytree(mathjax_source(), target, dirs_exist_ok=True)


def _rewrite_urls(buttons: Any) -> None:
    if isinstance(buttons, list):
        for button in buttons:
            _rewrite_urls(button)
    elif isinstance(buttons, dict):
        for name, value in buttons.items():
            if name == "url" and isinstance(value, str):
                buttons[name] = notebook_url(value)
            else:
                _rewrite_urls(value)


def _page_context(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    """Late: point the launch buttons of an executed chapter at its notebook source (the
    theme's button handlers run at priority 501 and must have filled them)."""
    if pagename.startswith("executed/"):
        _rewrite_urls(context.get("header_buttons"))


def _unique_scripts(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                    doctree: Any) -> None:
    """Early: drop an inline script already on the page (sphinx-thebe's and
    togglebutton's configuration scripts are registered twice); it must run before any
    handler that returns a template name, after which Sphinx calls no further handler."""
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        seen: set[str] = set()  # inline scripts by their text
        unique = []
        for script in scripts:
            body = getattr(script, "attributes", {}).get("body", "")
            if body and body in seen:
                continue
            if body:
                seen.add(body)
            unique.append(script)
        scripts[:] = unique


def _default_mode(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: Any) -> None:
    """Early: the colour mode pydata-sphinx-theme writes into every page's head script
    (``localStorage.getItem("mode") || default_mode``), unless ``html_context`` sets one."""
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def setup(app: Any) -> dict[str, Any]:
    """Register the extension's handlers and bibliography style (Sphinx entry point)."""
    register_bib_style()
    app.connect("config-inited", _config_inited, priority=900)
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _unique_scripts, priority=100)
    app.connect("html-page-context", _default_mode, priority=100)
    app.connect("html-page-context", _page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
