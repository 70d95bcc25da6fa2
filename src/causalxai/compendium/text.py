"""Text helpers of the book machinery: one-line messages, glued numbers read back."""

from __future__ import annotations

import re

__all__ = ["as_number", "shorten"]

_NUMPY_SCALAR = re.compile(r"np\.(?:float|int|uint|bool_?)\d*\((.*)\)")


def as_number(text: str) -> float | None:
    """The number a glued ``text/plain`` value shows, or None when it is not one.

    Reads ``0.5``, ``'0.5'``, ``np.float64(0.5)`` (numpy 2 reprs), ``True``/``False``
    (as 1.0/0.0), ``nan`` and ``inf``.

    Examples
    --------
    >>> as_number("np.float64(0.25)"), as_number("True"), as_number("'symptom'")
    (0.25, 1.0, None)
    """
    text = str(text).strip()
    if m := _NUMPY_SCALAR.fullmatch(text):
        text = m.group(1).strip()
    if text in {"True", "False"}:
        return float(text == "True")
    try:
        return float(text.strip("'\""))
    except ValueError:
        return None


def shorten(text: str, limit: int = 1000) -> str:
    """``text`` on one line, at most about ``limit`` characters, never cut mid-sentence.

    Whitespace is collapsed. A longer text is cut after the last full sentence that
    fits (or, when the first sentence alone is longer, after the last full word) and
    ends with `` [...]``.

    Examples
    --------
    >>> shorten("One.  Two\\nthree.")
    'One. Two three.'
    >>> shorten("First sentence. Second sentence is long.", 20)
    'First sentence. [...]'
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = max(head.rfind(mark) for mark in (". ", "! ", "? ", "; ", ": "))
    if cut > 0:
        return head[: cut + 1] + " [...]"
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else text[:limit]) + " [...]"
