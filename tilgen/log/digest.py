"""Weekly and monthly digests of saved daily notes: the period, the prompt, the answer's
schema, the rendered note and its rules. Generation lives in :mod:`tilgen.log.digest_run`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator

from tilgen.errors import InvalidNoteError
from tilgen.log.notes import SavedNote
from tilgen.note.schema import (FENCE, HANGUL, INLINE_CODE, KO_KEYWORD, PERSONAL, TOPIC_MAX,
                                bullets, describe_errors, hangul_share)

MIN_LESSONS, MAX_LESSONS = 3, 7
PROMPT_VERSION = "digest-2026.12-3"
_CODE = r"`[A-Za-z0-9_.:()<>\[\]/=-]{1,40}`"
# A formal Korean sentence that starts with a word or `code`: not with a date or "title:".
LESSON = rf"^([가-힣]|{_CODE})([가-힣0-9 ,()·/%+=<>-]|{_CODE})*다[.]$"
_LEADING_LABEL = re.compile(r"^\[?\d{2}-\d{2}\]?\s*[-·:]?\s*")


@dataclass(frozen=True)
class Period:
    kind: str  # "week" | "month"
    label: str  # 2026-W48 | 2026-11
    start: dt.date
    end: dt.date

    @property
    def word(self) -> str:
        return "주간" if self.kind == "week" else "월간"

    @property
    def links_heading(self) -> str:
        return "## 이번 주의 노트" if self.kind == "week" else "## 이번 달의 노트"

    def contains(self, day: str) -> bool:
        return self.start.isoformat() <= day <= self.end.isoformat()


def period_of(day: dt.date, kind: str) -> Period:
    if kind == "month":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return Period("month", f"{day:%Y-%m}", start, end)
    year, week, weekday = day.isocalendar()
    start = day - dt.timedelta(days=weekday - 1)
    return Period("week", f"{year}-W{week:02d}", start, start + dt.timedelta(days=6))


def day_label(date: str) -> str:
    return date[5:10]  # 2026-11-24 -> 11-24


SYSTEM = """\
You write a {word} "Today I Learned" digest in Korean from a developer's daily TIL notes.

Rules:
- Write in formal Korean (합니다/입니다 style). Code identifiers stay in English inside backticks.
- Each lesson sums up what one or more daily notes below teach; join notes that teach the same
  idea. Only say what the notes say; never invent files, functions or behaviour.
- No personal expressions: never write "I think", "I learned", "저는", "제가".

Answer with one JSON object of this shape:
{{"topic": "...", "keywords": ["..."], "lessons": [{{"text": "...", "days": ["MM-DD"]}}]}}
- topic: a short Korean phrase (at most 30 characters) naming the period's main theme.
- keywords: 1 to 3 Korean keywords of one or two words each.
- lessons: {low} to {high} distinct lessons. Each "text" is ONE formal Korean sentence ending
  with "다." that states a technique and what it is good for, naming the code identifiers the
  notes name, for example "`wait_exponential`로 재시도 간격을 늘리면 장애 중 서버 부하가
  줄어듭니다." Never a bare title, never starting with a date. Each "days" lists the dates
  (MM-DD, as written in brackets below) of the notes the lesson comes from.
"""


def note_block(note: SavedNote, max_bullets: int | None) -> str:
    lessons = [b[:300] for b in note.lessons()]
    if max_bullets is not None:
        lessons = lessons[:max_bullets]
    head = f"[{day_label(note.date)}] {note.repo} · {note.title}"
    if note.keywords:
        head += f"\nkeywords: {', '.join(note.keywords)}"
    return "\n".join([head, *(f"- {b}" for b in lessons)])


def messages(period: Period, notes: list[SavedNote], max_bullets: int | None = None,
             ) -> list[dict[str, str]]:
    system = SYSTEM.format(word="weekly" if period.kind == "week" else "monthly",
                           low=MIN_LESSONS, high=MAX_LESSONS)
    body = "\n\n".join(note_block(n, max_bullets) for n in sorted(notes, key=lambda n: n.date))
    user = (f"Period: {period.label} ({period.start} to {period.end})\n\n"
            f"Daily notes:\n\n{body}\n")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def schema(days: list[str], max_lessons: int = MAX_LESSONS) -> dict[str, Any]:
    topic = rf"^[가-힣0-9 `A-Za-z_.()-]{{2,{TOPIC_MAX['ko']}}}$"
    return {
        "type": "object",
        "properties": {
            "topic": {"type": "string", "pattern": topic},
            "keywords": {"type": "array", "items": {"type": "string", "pattern": KO_KEYWORD},
                         "minItems": 1, "maxItems": 3},
            "lessons": {  # last: an answer cut at max_tokens keeps its finished lessons
                "type": "array", "minItems": MIN_LESSONS, "maxItems": max_lessons,
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string", "pattern": LESSON},
                        "days": {"type": "array", "items": {"type": "string", "enum": days},
                                 "minItems": 1, "maxItems": len(days)},
                    },
                    "required": ["text", "days"], "additionalProperties": False,
                },
            },
        },
        "required": ["topic", "keywords", "lessons"], "additionalProperties": False,
    }


class Lesson(BaseModel):
    text: str
    days: list[str] = Field(min_length=1)


class DigestAnswer(BaseModel):
    topic: str
    keywords: list[str]
    lessons: list[Lesson] = Field(min_length=1)


def _terms(text: str) -> set[str]:
    from tilgen.log.terms import text_terms

    return set(text_terms(text, {}, set()))


def attribute(text: str, said: list[str], notes: list[SavedNote]) -> list[str]:
    """The days a lesson comes from: the notes whose words it shares most (a small model's
    own ``days`` are often off by one), else the days the model named."""
    words = _terms(text)
    scores: dict[str, int] = {}
    for note in notes:
        shared = len(words & _terms(" ".join([note.title, *note.keywords, *note.lessons()])))
        label = day_label(note.date)
        scores[label] = max(scores.get(label, 0), shared)
    best = max(scores.values(), default=0)
    if best < 2:
        return sorted(dict.fromkeys(d for d in said if d in scores)) or sorted(scores)[:1]
    return sorted(d for d, v in scores.items() if v >= max(2, 0.6 * best))


def _clean(text: str, notes: list[SavedNote]) -> str:
    """Drop a leading "11-24 - title:" that small models copy from the prompt."""
    text = _LEADING_LABEL.sub("", " ".join(text.split()))
    for note in notes:
        topic = note.title.split(" TIL - ", 1)[-1]
        if topic and text.startswith(topic) and text[len(topic):len(topic) + 1] in (":", " "):
            rest = text[len(topic):].lstrip(" :-")
            if rest:
                text = rest
    return text.rstrip(".")


def render(answer: DigestAnswer, period: Period, links: list[tuple[str, str]],
           notes: list[SavedNote]) -> dict[str, Any]:
    """``{title, keywords, content}``; ``links`` are (title, target) of the period's notes."""
    from tilgen.note.render import _and

    keywords = list(dict.fromkeys(" ".join(k.split()) for k in answer.keywords))[:3]
    topic = " ".join(answer.topic.split()).rstrip(".")
    if not HANGUL.search(topic) and any(HANGUL.search(k) for k in keywords):
        topic = _and(keywords[0], keywords[1]) if len(keywords) > 1 else keywords[0]
    lines = [f"# {period.label} {period.word} TIL", ""]
    seen: set[str] = set()
    for lesson in answer.lessons:
        text = _clean(lesson.text, notes)
        if not text or text in seen:
            continue
        seen.add(text)
        lines.append(f"- {text} ({', '.join(attribute(text, lesson.days, notes))}).")
    lines += ["", period.links_heading, ""]
    for title, target in links:
        lines.append(f"- {target}" if target.startswith("[[") else f"- [{title}]({target})")
    return {"title": f"{period.label} {period.word} TIL - {topic}", "keywords": keywords,
            "content": "\n".join(lines) + "\n"}


_DAYS = re.compile(r" \((\d{2}-\d{2}(?:, \d{2}-\d{2})*)\)\.$")


class DigestNote(BaseModel):
    """A validated digest. Context: ``{"period": Period, "days": [MM-DD…]}``."""

    title: str = Field(min_length=1, max_length=200)
    keywords: list[str] = Field(min_length=1, max_length=3)
    content: str = Field(min_length=1)

    @field_validator("title")
    @classmethod
    def _title(cls, v: str, info: ValidationInfo) -> str:
        period: Period = (info.context or {})["period"]
        prefix = f"{period.label} {period.word} TIL - "
        if not v.startswith(prefix) or not v[len(prefix):].strip():
            raise ValueError(f"title must look like '{prefix}topic'")
        return v

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str]) -> list[str]:
        for k in v:
            if not re.match(KO_KEYWORD, k.strip()):
                raise ValueError(f"keyword {k!r} must be one or two Korean words")
        return [k.strip() for k in v]

    @field_validator("content")
    @classmethod
    def _content(cls, v: str, info: ValidationInfo) -> str:
        period: Period = (info.context or {})["period"]
        days = set((info.context or {})["days"])
        heading = f"# {period.label} {period.word} TIL"
        if (v.lstrip().splitlines() or [""])[0].strip() != heading:
            raise ValueError(f"content must start with the heading '{heading}'")
        lessons_part = v.split("\n" + period.links_heading, 1)[0]
        lessons = bullets(lessons_part)
        if not MIN_LESSONS <= len(lessons) <= MAX_LESSONS:
            raise ValueError(f"a digest has {MIN_LESSONS} to {MAX_LESSONS} lessons, "
                             f"not {len(lessons)}")
        for lesson in lessons:
            m = _DAYS.search(lesson)
            if not m:
                raise ValueError(f"every lesson must end with its days, as '(11-24, 11-26).': "
                                 f"{lesson[:60]!r}")
            unknown = [d for d in m.group(1).split(", ") if d not in days]
            if unknown:
                raise ValueError(f"lesson names a day without a note: {', '.join(unknown)}")
        for lesson in lessons:
            if len(_DAYS.sub("", lesson).split()) < 4:
                raise ValueError(f"a lesson is a whole sentence, not a title: {lesson[:60]!r}")
        if len(set(lessons)) != len(lessons):
            raise ValueError("content repeats the same lesson")
        if PERSONAL.search(INLINE_CODE.sub(" ", FENCE.sub(" ", lessons_part))):
            raise ValueError("content must not use personal expressions (I think, 저는 …)")
        if hangul_share(lessons_part.replace(heading, "")) < 0.6:
            raise ValueError("content must be written mostly in Korean (Hangul) outside code")
        return v


def validate_digest(data: Any, period: Period, days: list[str]) -> DigestNote:
    try:
        return DigestNote.model_validate(data, context={"period": period, "days": days})
    except ValidationError as exc:
        raise InvalidNoteError(describe_errors(exc)) from exc
