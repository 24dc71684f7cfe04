"""The note schema and the rules a machine can check.

Two shapes exist. The *public* note is ``{title, keywords, content}``. In ``points`` mode the
model answers a smaller structure (``topic``, ``keywords``, ``points``) and tilgen renders the
Markdown itself, so the format rules hold by construction (see :mod:`tilgen.note.render`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from tilgen.errors import InvalidNoteError

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")
FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
PERSONAL = re.compile(
    r"\b(I think|I learned|I believe|I feel|in my opinion)\b"
    r"|(?:^|[\s(])(저는|제가|나는|내가|제 생각|내 생각)(?=[\s,.]|$)",
    re.I,
)
# Korean prose in a point: Hangul, digits, punctuation and `code` spans, at least one span
# (a point names the code it is about; a sentence naming nothing teaches nothing); formal
# ending "다."
KO_CHAR = r"[가-힣 ,()·:/%+=-]"  # no < or >: arrows (a -> b) are not Korean
# A number is at most six digits, followed by Hangul (a unit, a particle: "3회", "512로"),
# ")" or "%": the 1.5B once wrote a 1 and a hundred zeros, and once "100000 , 300000 , …",
# to its token limit, twice, and the note was lost.
KO_PROSE = rf"({KO_CHAR}|[0-9]{{1,6}}[가-힣)%])"
# Code is printable ASCII but for " \ and the backtick: served through vLLM, the 1.5B model
# wrote Chinese and Cyrillic "identifiers" inside backticks (`字符串替换`, `интер스퍼드`).
CODE_CHAR = r"[ !#-\[\]-_a-~]"
MAX_CODE_SPAN = 40  # characters: a longer line is cut there, mid-word ("… digestmo`")
CODE_SPAN = rf"`{CODE_CHAR}{{1,{MAX_CODE_SPAN}}}`"
# The span comes within the first 12 characters: a model that began a sentence without one
# could otherwise never end it (the 0.5B model looped to its token limit, "…입니다 (…)입니다").
KO_SENTENCE = rf"^{KO_PROSE}{{0,12}}{CODE_SPAN}({KO_PROSE}|{CODE_SPAN})*다[.]$"
# The English note a point is written from: what the code does now, and why it matters.
# Printable ASCII but for " and \: the 0.5B model otherwise wrote it in Chinese.
EN_REASON = r"^[ !#-\[\]-~]{8,200}$"
EN_SENTENCE = r"^[^\n\"\\]{8,220}[.]$"
TOPIC_MAX = {"ko": 60, "en": 80}  # characters; the grammar stops a topic there
KO_KEYWORD = r"^[가-힣]{1,12}( [가-힣]{1,12})?$"
EN_KEYWORD = r"^[A-Za-z0-9+#.-]{1,20}( [A-Za-z0-9+#.-]{1,20})?$"


def prose(text: str) -> str:
    """The text outside fenced blocks and inline code."""
    return INLINE_CODE.sub(" ", FENCE.sub(" ", text))


HEADING = re.compile(r"^# \d{4}-\d{2}-\d{2} TIL[ \t]*$", re.M)


KOREAN_SHARE = 0.6  # a Korean note's least share of Hangul among the letters of its prose


def hangul_share(text: str) -> float:
    """Hangul syllables / (Hangul + Latin letters) in the prose; 0.0 for no letters.

    The mandated ``# YYYY-MM-DD TIL`` heading is format, not prose, and is not counted.
    """
    body = prose(HEADING.sub(" ", text))
    ko, en = len(HANGUL.findall(body)), len(LATIN.findall(body))
    return ko / (ko + en) if ko + en else 0.0


def bullets(content: str) -> list[str]:
    """The bullet lines of the prose, without the marker."""
    body = FENCE.sub("", content)
    return [ln.strip()[2:].strip() for ln in body.splitlines()
            if ln.strip().startswith(("- ", "* "))]


class TilNote(BaseModel):
    """A validated note. Validation context: ``{"date": date, "language": "ko"|"en"}``."""

    title: str = Field(min_length=1, max_length=200)
    keywords: list[str] = Field(min_length=1, max_length=3)
    content: str = Field(min_length=1)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str, info: ValidationInfo) -> str:
        date = _ctx(info, "date")
        prefix = f"{date} TIL - " if date else None
        if prefix and not v.startswith(prefix):
            raise ValueError(f"title must start with '{prefix}'")
        if not re.match(r"^\d{4}-\d{2}-\d{2} TIL - \S", v):
            raise ValueError("title must look like 'YYYY-MM-DD TIL - topic'")
        return v

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str], info: ValidationInfo) -> list[str]:
        language = _ctx(info, "language") or "ko"
        pattern = KO_KEYWORD if language == "ko" else EN_KEYWORD
        cleaned = [k.strip() for k in v]
        for k in cleaned:
            if not re.match(pattern, k):
                lang = "Korean" if language == "ko" else ""
                raise ValueError(
                    f"keyword {k!r} must be one or two {lang} words".replace("  ", " "))
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("keywords must be distinct")
        return cleaned

    @field_validator("content")
    @classmethod
    def _content(cls, v: str, info: ValidationInfo) -> str:
        date = _ctx(info, "date")
        language = _ctx(info, "language") or "ko"
        first = v.lstrip().splitlines()[0] if v.strip() else ""
        expected = f"# {date} TIL" if date else None
        if expected and first.strip() != expected:
            raise ValueError(f"content must start with the heading '{expected}'")
        items = bullets(v)
        if not items:
            raise ValueError("content must contain a bullet list")
        for item in items:
            if not item.endswith("."):
                raise ValueError(f"every bullet must end with a period: {item[:60]!r}")
        if len({b for b in items}) != len(items):
            raise ValueError("content repeats the same bullet")
        if PERSONAL.search(prose(v)):
            raise ValueError(
                "content must not use personal expressions (I think, I learned, 저는 …)")
        if v.count("```") % 2:
            raise ValueError("content has an unclosed code fence")
        if language == "ko" and hangul_share(v) < KOREAN_SHARE:
            raise ValueError("content must be written mostly in Korean (Hangul) outside code")
        return v


def _ctx(info: ValidationInfo, key: str) -> Any:
    return (info.context or {}).get(key)


def parse_json(text: str) -> Any:
    """Parse a model's JSON answer; raw newlines inside strings are accepted."""
    text = text.strip()
    if text.startswith("```"):
        text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end < start:
        raise InvalidNoteError("the model's answer contains no JSON object")
    try:
        return json.loads(text[start : end + 1], strict=False)
    except json.JSONDecodeError as exc:
        raise InvalidNoteError(
            f"the model's answer is not valid JSON ({exc.msg} at {exc.pos})") from exc


def validate_note(data: Any, *, date: dt.date, language: str = "ko") -> TilNote:
    """Validate a ``{title, keywords, content}`` mapping; raise InvalidNoteError listing
    problems."""
    try:
        return TilNote.model_validate(data, context={"date": date.isoformat(),
                                                     "language": language})
    except ValidationError as exc:
        raise InvalidNoteError(describe_errors(exc)) from exc


def describe_errors(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:4]:
        loc = ".".join(str(p) for p in err["loc"]) or "note"
        parts.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def direct_schema(date: dt.date, language: str = "ko") -> dict[str, Any]:
    """JSON schema of the public note, with the date fixed, for grammar-constrained decoding."""
    kw = KO_KEYWORD if language == "ko" else EN_KEYWORD
    return {
        "type": "object",
        "properties": {
            "title": {"type": "string", "pattern": f"^{date} TIL - [^\\n]{{2,80}}$"},
            "keywords": {
                "type": "array", "items": {"type": "string", "pattern": kw},
                "minItems": 1, "maxItems": 3,
            },
            # No minLength or maxLength on any string the grammar sees: llama.cpp expands a
            # maxLength into one rule per character and refuses the grammar, and xgrammar
            # (vLLM) turns a length-limited string into one that admits no escapes, so the
            # model could not write a newline. TilNote checks the lengths instead.
            "content": {"type": "string"},
        },
        "required": ["title", "keywords", "content"],
        "additionalProperties": False,
    }


def title_properties(language: str) -> dict[str, Any]:
    """The schema of a note's ``topic`` and ``keywords``."""
    kw = KO_KEYWORD if language == "ko" else EN_KEYWORD
    # Room beyond the length asked for: a grammar cut mid-word makes a broken title.
    topic = (rf"^[가-힣0-9 `A-Za-z_.()-]{{2,{TOPIC_MAX['ko']}}}$" if language == "ko"
             else rf"^[^\n.]{{2,{TOPIC_MAX['en']}}}$")
    return {"topic": {"type": "string", "pattern": topic},
            "keywords": {"type": "array", "items": {"type": "string", "pattern": kw},
                         "minItems": 1, "maxItems": 3}}


class Planned(Protocol):
    """A point planned ahead (:class:`tilgen.note.focus.Focus`): its hunk and its pattern."""

    @property
    def hunk(self) -> int: ...

    def sentence(self, language: str) -> str: ...


def points_schema(hunk_count: int, language: str = "ko", max_points: int = 5,
                  focus: Sequence[Planned] = ()) -> dict[str, Any]:
    """JSON schema of the intermediate answer: a topic, keywords and referenced points.

    With ``focus`` the points are a fixed list, one per :class:`~tilgen.note.focus.Focus`
    (at most ``max_points``): its hunk number set, its sentence opening with its names."""
    sentence = KO_SENTENCE if language == "ko" else EN_SENTENCE
    # Evidence first, then the lesson in English (small coder models reason far better in
    # English), then the Korean sentence the note shows.
    properties: dict[str, Any] = {
        "hunk": {"type": "integer", "minimum": 0, "maximum": max(hunk_count, 0)},
        **({"en": {"type": "string", "pattern": EN_REASON}} if language == "ko" else {}),
        "text": {"type": "string", "pattern": sentence},
    }
    point = {"type": "object", "properties": properties, "required": list(properties),
             "additionalProperties": False}
    points: dict[str, Any] = {"type": "array", "minItems": 2, "maxItems": max_points,
                              "items": point}
    if focus:
        chosen = list(focus)[:max(max_points, 1)]
        points = {"type": "array", "items": False, "minItems": len(chosen),
                  "maxItems": len(chosen), "prefixItems": [
                      {**point, "properties": {
                          **properties, "hunk": {"const": f.hunk},
                          "text": {"type": "string", "pattern": f.sentence(language)}}}
                      for f in chosen]}
    # "points" comes last: an answer cut off at max_tokens still holds the topic, the
    # keywords and every point written before the cut (see salvage_points).
    return {
        "type": "object",
        "properties": {**title_properties(language), "points": points},
        "required": ["topic", "keywords", "points"],
        "additionalProperties": False,
    }


def salvage_points(text: str) -> str | None:
    """Close a points answer cut off at ``max_tokens`` after its last complete point.

    The answer is ``{"topic": …, "keywords": […], "points": [{…}, {…}, …`` in that order
    (the grammar fixes it), so the cut falls inside ``points``: what came before it is whole.
    Returns the repaired JSON text, or None when no point was finished.
    """
    start = text.find("{")
    if start == -1:
        return None
    depth, in_string, escaped, last_point_end = 0, False, False, -1
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if ch == "}" and depth == 2:  # a point object inside the points array closed
                last_point_end = i
    if last_point_end == -1:
        return None
    return text[start : last_point_end + 1] + "]}"


class Point(BaseModel):
    text: str
    hunk: int = 0
    en: str = ""


class PointsAnswer(BaseModel):
    topic: str
    keywords: list[str]
    points: list[Point] = Field(min_length=1)
