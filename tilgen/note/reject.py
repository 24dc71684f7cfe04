"""Points a reader would reject, dropped before the note is rendered.

Small models fill a note with sentences that look right and teach nothing: a number taken
from nowhere ("204번 커밋에서 …"), a remark about the commit, the date or the project rather
than the code. The same checks that ``tilgen eval`` counts (:mod:`tilgen.note.checks`) find
them; such a point is dropped while others remain, and an answer left with none is rejected
with the reason, so the retry is told what to avoid.
"""

from __future__ import annotations

from collections.abc import Sequence

from tilgen.errors import InvalidNoteError
from tilgen.git.changes import FileChange
from tilgen.note import checks


def problem(text: str, evidence: str) -> str | None:
    """Why a point teaches nothing true, or None. ``evidence``: :func:`checks.evidence_text`."""
    numbers = checks.invented_numbers(text, evidence)
    if numbers:
        return f"the number {numbers[0]} is not in the changes"
    if checks.is_meta(text, evidence):
        return "it is about the commit, the date or the project, not the code"
    return None


def keep(points: list[tuple[str, int]], evidence: str) -> list[tuple[str, int]]:
    """The points without a problem; InvalidNoteError naming one when none is left."""
    kept = [(t, ref) for t, ref in points if problem(t, evidence) is None]
    if points and not kept:
        text = points[0][0]
        raise InvalidNoteError(f"every point was rejected, e.g. {text[:50]!r}: "
                               f"{problem(text, evidence)}")
    return kept


def evidence_of(files: list[FileChange], subjects: Sequence[str] = ()) -> str:
    """Where a number in a point may come from: the changed lines, paths, commit subjects."""
    return checks.evidence_text(files, "\n".join(subjects))
