"""What the comments a hunk adds say, where they say why: "Cast to avoid ambiguity between
assertThat(Path) and assertThat(Iterable<?>)" is the lesson of javapoet's writeToPath test,
and no name or line of code says it."""

from __future__ import annotations

import re

from tilgen.git.changes import Hunk
from tilgen.note import declarations
from tilgen.note.pairs import _COMMENT

# `// Cast to avoid ambiguity between …`, `continue; // Skip 'DEFAULT' if it doesn't exist!`
_WHY = re.compile(r"^\s*(?P<code>.*?)(?:^|\s)(?://|#) (?P<said>[A-Za-z][^`]{15,118})$")
_NOT_WHY = re.compile(r"^(TODO|FIXME|XXX|noqa|type:|eslint|nolint|prettier|pylint)", re.I)


def why_comment(hunk: Hunk) -> str:
    """The first comment a hunk adds in prose, alone on its line or after a statement (not a
    field's or a doc comment's description): where an author says why, "" for none."""
    lines = [ln[1:] for ln in hunk.lines]
    for i, line in enumerate(lines):
        found = _WHY.match(line) if hunk.lines[i].startswith("+") else None
        code = found.group("code").strip() if found else ""
        said = found.group("said").strip() if found else ""
        then = next((ln for ln in lines[i + 1:] if not _COMMENT.match(ln)), "")
        if (found and (re.search(r"[;{)]$", code) or not code and not declarations.opens(then))
                and len(said.split()) >= 4 and not _NOT_WHY.match(said)):
            return said
    return ""
