"""How much a hunk has to teach, and which of its names say what it is about (see
:func:`tilgen.note.focus.plan`)."""

from __future__ import annotations

import re

from tilgen.git.changes import FileChange, Hunk
from tilgen.note import evidence, pairs

# `version='0.17',`, `"version": "1.2.0",`, `__version__ = "2.0"`: a release, not a lesson
_VERSION = re.compile(r"""^\s*["']?(__version__|version|VERSION)["']?\s*[=:]\s*"""
                      r"""["'][\w.+-]+["'],?\s*$""")


def telling(name: str) -> bool:
    """A name that says what it is about (``parseArgs``, ``SET_FLAG``, ``f.args``, a long
    one), rather than a short word any code has (``std``, ``path``, ``drop``)."""
    return bool(re.search(r"[a-z][A-Z]|[_.:$]|^[A-Z]", name)) or len(name) >= 7


def hunk_score(f: FileChange, hunk: Hunk, swaps: list[tuple[str, str]], new: list[str],
               gone: list[str], name: str) -> float:
    """How much a hunk teaches: swaps most, then names added or gone, a function it is in
    and its size; comments, imports or a raised version little; prose a little."""
    changed = [ln for ln in evidence.realigned(hunk.lines) if ln[:1] in "+-"]
    if not changed:
        return 0.0  # only whitespace changed
    if f.language in evidence.PROSE_LANGUAGES:
        return 0.5
    if all(not ln[1:].strip() or pairs._COMMENT.match(ln[1:])
           or evidence._NO_SCOPE.match(ln[1:].strip()) or _VERSION.match(ln[1:])
           for ln in changed):
        return 0.6  # comments, blank lines, imports, a version number raised
    return (3.0 * bool(swaps) + min(len(new), 3) + min(len(gone), 3) + bool(name)
            + min(len(changed), 20) / 20)


def name_parts(name: str) -> list[str]:
    """The words of a name: ``command._alias`` -> command, alias; ``parseArgs`` -> parse,
    args."""
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name) if len(w) > 2]


def message_words(text: str) -> frozenset[str]:
    """The words of commit messages, as :func:`tilgen.note.focus.plan` matches names
    against them."""
    return frozenset(name_parts(text))
