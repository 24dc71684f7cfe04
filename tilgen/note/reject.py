"""Points a reader would reject, dropped before the note is rendered.

Small models fill a note with sentences that look right and teach nothing: a number taken
from nowhere ("204번 커밋에서 …"), a remark about the commit, the date or the project rather
than the code, a sentence naming nothing of the change. The same checks that ``tilgen eval``
counts (:mod:`tilgen.note.checks`) find them. Such a point is dropped while others remain;
an answer left with none is rejected with the reason, so the retry is told what to avoid.
"""

from __future__ import annotations

import re
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
    meta = checks.meta_phrase(text, proof.text)
    if meta:
        return f"'{meta}' is about the commit, the date or the project, not the code"
    return None


# The verbs a point's opening ends with ("`A`를 `B`로 바꿔 …", "`x`를 제거해 …"; see
# tilgen.note.focus.sentence_pattern), each with the form that ends a sentence there.
_ENDINGS = {"바꿔": "바꿨습니다", "바꾸어": "바꾸었습니다", "대체해": "대체했습니다",
            "대체하여": "대체했습니다", "교체해": "교체했습니다", "교체하여": "교체했습니다",
            "변경해": "변경했습니다", "변경하여": "변경했습니다", "옮겨": "옮겼습니다",
            "옮겨서": "옮겼습니다", "이동해": "이동했습니다", "이동하여": "이동했습니다",
            "제거해": "제거했습니다", "제거하여": "제거했습니다", "삭제해": "삭제했습니다",
            "삭제하여": "삭제했습니다", "없애": "없앴습니다", "지워": "지웠습니다",
            "선언해": "선언했습니다", "선언하여": "선언했습니다", "사용해": "사용합니다",
            "사용하여": "사용합니다", "호출해": "호출합니다", "호출하여": "호출합니다",
            "써서": "씁니다"}
_OPENING = re.compile(r"^[^`]{0,12}`[^`]+`[^`]{0,20}(?:`[^`]+`[^`]{0,12})*?\s("
                      + "|".join(sorted(_ENDINGS, key=len, reverse=True)) + r")\s")


def without_reason(text: str) -> str | None:
    """A point cut after its opening, what changed, when what follows is the trouble:
    "`emitLastEnumValue`를 `private`로 바꾸어 프로젝트의 … 개선했습니다." becomes
    "`emitLastEnumValue`를 `private`로 바꾸었습니다." None for a point without such an
    opening."""
    found = _OPENING.match(text)
    if not found:
        return None
    return text[:found.start(1)] + _ENDINGS[found.group(1)] + "."


def keep(points: list[tuple[str, int]], proof: Proof) -> list[tuple[str, int]]:
    """The points without a problem, and of those the ones naming something of the change
    (when any does); InvalidNoteError naming a problem when no point is left. A point whose
    trouble lies in its reason (a number from nowhere, a remark about the project) keeps its
    opening, which says what changed: rejecting it lost the whole note of a correct change."""
    points = [(_repaired(t, proof), ref) for t, ref in points]
    kept = [(t, ref) for t, ref in points if problem(t, proof) is None]
    if points and not kept:
        text = points[0][0]
        raise InvalidNoteError(f"every point was rejected, e.g. {text[:50]!r}: "
                               f"{problem(text, proof)}")
    specific = [(t, ref) for t, ref in kept if not checks.vacuous(t, set(proof.terms))]
    return specific or kept


def _repaired(text: str, proof: Proof) -> str:
    if problem(text, proof) is None:
        return text
    short = without_reason(text)
    return short if short and problem(short, proof) is None else text
