"""Short messages for one line of a terminal."""

from __future__ import annotations

__all__ = ["shorten"]


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
