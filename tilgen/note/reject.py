"""Points a reader would reject, dropped before the note is rendered.

Small models fill a note with sentences that look right and teach nothing: a number taken
from nowhere ("204번 커밋에서 …"), a remark about the commit, the date or the project rather
than the code, a sentence naming nothing of the change. The same checks that ``tilgen eval``
counts (:mod:`tilgen.note.checks`) find them. Such a point is dropped while others remain;
an answer left with none is rejected with the reason, so the retry is told what to avoid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tilgen.errors import InvalidNoteError
from tilgen.git.changes import FileChange
from tilgen.note import checks


@dataclass(frozen=True)
class Proof:
    """What a point may draw on: the changed lines, paths and commit subjects."""

    text: str
    terms: frozenset[str]

    @classmethod
    def of(cls, files: Sequence[FileChange], subjects: Sequence[str] = ()) -> Proof:
        messages = "\n".join(subjects)
        return cls(checks.evidence_text(list(files), messages),
                   frozenset(checks.change_terms(list(files), messages)))


def problem(text: str, proof: Proof) -> str | None:
    """Why a point teaches nothing true, or None."""
    numbers = checks.invented_numbers(text, proof.text)
    if numbers:
        return f"the number {numbers[0]} is not in the changes"
    if checks.is_meta(text, proof.text):
        return "it is about the commit, the date or the project, not the code"
    return None


def keep(points: list[tuple[str, int]], proof: Proof) -> list[tuple[str, int]]:
    """The points without a problem, and of those the ones naming something of the change
    (when any does); InvalidNoteError naming a problem when no point is left."""
    kept = [(t, ref) for t, ref in points if problem(t, proof) is None]
    if points and not kept:
        text = points[0][0]
        raise InvalidNoteError(f"every point was rejected, e.g. {text[:50]!r}: "
                               f"{problem(text, proof)}")
    specific = [(t, ref) for t, ref in kept if not checks.vacuous(t, set(proof.terms))]
    return specific or kept
