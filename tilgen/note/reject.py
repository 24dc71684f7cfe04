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
from tilgen.note.openings import FINITE
from tilgen.note.schema import INLINE_CODE, MAX_CODE_SPAN, prose


@dataclass(frozen=True)
class Proof:
    """What a point may draw on: the changed lines, paths and commit subjects."""

    text: str
    terms: frozenset[str]
    messages: str = ""  # the commit messages alone: the author's own claims

    @classmethod
    def of(cls, files: Sequence[FileChange], subjects: Sequence[str] = ()) -> Proof:
        messages = "\n".join(subjects)
        return cls(checks.evidence_text(list(files), messages),
                   frozenset(checks.change_terms(list(files), messages)), messages)


def problem(text: str, proof: Proof) -> str | None:
    """Why a point teaches nothing true, or None."""
    numbers = checks.invented_numbers(text, proof.text)
    if numbers:
        return f"the number {numbers[0]} is not in the changes"
    meta = checks.meta_phrase(text, proof.text)
    if meta:
        return f"'{meta}' is about the commit, the date or the project, not the code"
    if checks.looping(text):
        return "it repeats itself"
    if _PLAN_WORDS.search(text):
        return "it copies the plan's English instead of saying it in Korean"
    if len(INLINE_CODE.findall(text)) > MAX_SPANS:
        return "it lists code instead of saying what changed"
    absolute = _ALWAYS.search(prose(text))
    if absolute and not _ALWAYS_EN.search(proof.messages):
        return f"'{absolute.group(0)}' claims more than the changes show"
    return None


# "`t.Errorf`를 `t.Fatal`로 바꾸어 … 항상 실패하도록 합니다": an always or a never the author's
# messages do not say is a small model's guess (t.Fatal stops the test; it does not always fail)
_ALWAYS = re.compile(r"항상|언제나|절대로?|반드시|무조건")
_ALWAYS_EN = re.compile(r"\b(always|never|must)\b|항상|반드시", re.IGNORECASE)


# No sentence of the 1.5B's thirty corpus notes holds more than 8 code spans; the 0.5B looped
# through flags in one ("`-o`, `-f`, `-n`, … `-m`", fifty spans).
MAX_SPANS = 12


# the words of tilgen's own plan lines (see tilgen.note.focus.Focus.plan_line), copied into a
# point when its answer loops: "`getErrHasColors: …`` became ``…` The author's words explain";
# or read back in Korean: "the text now says" as "텍스트는 이제 `'Mark top-level … sotype` …"
_PLAN_WORDS = re.compile(r"`\s*became\s*`|\bhunk \[#|in place of the removed|The author's words"
                         r"|\bno longer exists\b|텍스트는 이제")


# the plan's list of a hunk's names copied in front of a sentence: "`command._alias`,
# `command` - …", "`Shortcut string // …` (`Shortcut`, `Flag`) - …", "`a`, `b` (1) 추가: …"
_LISTED = re.compile(r"^`[^`]+`(?:,\s*`[^`]+`|\s*\((?:`[^`]+`(?:,\s*)?)+\))+\s*(?:\(\d+\)\s*)?"
                     r"(?:[가-힣]+\s*)?[-:–]\s+(?=.*`)")


def unlisted(text: str) -> str:
    """``text`` without a list of names copied from the plan in front of its sentence
    (the sentence after it names its code itself)."""
    return _LISTED.sub("", text, count=1)


# a point's opening: its code spans and the verb the grammar ends it with (see openings)
_OPENING = re.compile(r"^[^`]{0,12}`[^`]+`[^`]{0,20}(?:`[^`]+`[^`]{0,12})*?\s("
                      + "|".join(sorted(FINITE, key=len, reverse=True)) + r")\s")


def reason_of(text: str) -> str:
    """What follows a point's opening (its reason: "… 바꾸어 `X`가 이제 …"), "" for none."""
    found = _OPENING.match(text)
    return text[found.end(1):] if found else ""


def without_reason(text: str) -> str | None:
    """A point cut after its opening, what changed, when what follows is the trouble:
    "`emitLastEnumValue`를 `private`로 바꾸어 프로젝트의 … 개선했습니다." becomes
    "`emitLastEnumValue`를 `private`로 바꾸었습니다." None for a point without such an
    opening."""
    found = _OPENING.match(text)
    if not found:
        return None
    return text[:found.start(1)] + FINITE[found.group(1)] + "."


# "to allow non-interspersed arguments" written "… 인터스퍼드 … 를 허용합니다": the English
# reason negates what the Korean one affirms (told as its opposite)
_NOT_EN = re.compile(r"\bnon-(?!option)\w|\bnot (?:in|allowed|supported)\b|\bdisallow|\bprevent",
                     re.IGNORECASE)
_NOT_KO = re.compile(r"않|없|못|금지|아닌|아니|막|중단|멈|불가|말고|제외")


def negation_lost(en: str, text: str) -> bool:
    """The point's English sentence says a thing is not (allowed, in, …) and its Korean one
    says nothing of the kind: the Korean reads as the opposite."""
    return bool(_NOT_EN.search(en)) and not _NOT_KO.search(text)


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


MAX_COMPLETED = 100  # a completed span longer than this is no sentence's part


def completed(text: str, proof: Proof) -> str:
    """``text`` with each code span the grammar cut at its length limit completed from the
    one changed line it begins ("`mac = hmac.new(self.secret_key, digestmo`" told of a line
    that goes on "…d=self.digest_method)"). A cut span that two lines could complete (the
    line before and after the change) leaves its sentence at its opening where it is in the
    reason; a span no line goes on from stays as written."""
    unsure: list[str] = []

    def whole(found: re.Match[str]) -> str:
        span = found.group(0)[1:-1]
        if len(span) != MAX_CODE_SPAN:
            return found.group(0)
        ends = {line[line.index(span):].strip() for line in proof.text.splitlines()
                if span in line}
        ends = {e for e in ends if len(e) > len(span)}
        end = ends.pop() if len(ends) == 1 else ""
        if not end or len(end) > MAX_COMPLETED or "`" in end:
            unsure.extend([span] if ends else [])
            return found.group(0)
        return f"`{end}`"

    text = INLINE_CODE.sub(whole, text)
    if any(f"`{span}`" in reason_of(text) for span in unsure):
        return without_reason(text) or text
    return text


def _repaired(text: str, proof: Proof) -> str:
    if problem(text, proof) is None:
        return text
    short = without_reason(text)
    return short if short and problem(short, proof) is None else text
