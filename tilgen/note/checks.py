"""Points a reader would reject, found before the note is rendered.

Small models fill a note with sentences that look right and teach nothing: a number taken
from nowhere ("204번 커밋에서 …"), a remark about the commit, the date or the project rather
than the code. Such a point is dropped while others remain; an answer left with none is
rejected with the reason, so the retry is told what to avoid.
"""

from __future__ import annotations

import re

from tilgen.note.schema import INLINE_CODE

NUMBER = re.compile(r"(?<![\w.])\d{2,}")
# About the change rather than the code: the commit, the project, a date, "this change".
META = re.compile(
    r"커밋|프로젝트|저장소|리포지토리|레포지토리|작성자|\d+월\s*\d+일|\d{4}년|오늘|이번 변경|변경 사항에서는"
)


def invented_numbers(text: str, evidence: str) -> list[str]:
    """Numbers of two or more digits in ``text`` that occur nowhere in ``evidence``."""
    return [n for n in NUMBER.findall(text) if n not in evidence]


def is_meta(text: str) -> bool:
    """A point about the commit, the date or the project (identifiers in backticks aside)."""
    return bool(META.search(INLINE_CODE.sub(" ", text)))


def problem(text: str, evidence: str) -> str | None:
    """Why a point teaches nothing true, or None."""
    numbers = invented_numbers(text, evidence)
    if numbers:
        return f"the number {numbers[0]} is not in the changes"
    if is_meta(text):
        return "it is about the commit, the date or the project, not the code"
    return None


def keep(points: list[tuple[str, int]], evidence: str) -> list[tuple[str, int]]:
    """The points without a problem; InvalidNoteError naming one when none is left."""
    from tilgen.errors import InvalidNoteError

    kept = [(t, ref) for t, ref in points if problem(t, evidence) is None]
    if not kept and points:
        reason = problem(points[0][0], evidence)
        raise InvalidNoteError(f"every point was rejected; for example {points[0][0][:60]!r}: "
                               f"{reason}")
    return kept
