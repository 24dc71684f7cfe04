"""Render a points answer into the public note, so format rules hold by construction."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tilgen.git.changes import FileChange, Hunk
from tilgen.note import evidence, reject, spelling
from tilgen.note.checks import import_line
from tilgen.note.mending import in_plan, ungarbled, unlinked, unsaid
from tilgen.note.schema import (
    HANGUL,
    KOREAN_SHARE,
    PERSONAL,
    TOPIC_MAX,
    PointsAnswer,
    hangul_share,
    prose,
)
from tilgen.note.statements import Statement

MAX_SNIPPET_LINES = 8
MAX_SNIPPETS_PER_BULLET = 3
_SPAN = re.compile(r"(`[^`\n]*`)")


def fence_language(f: FileChange) -> str:
    return (f.language or "").lower().replace(" ", "").replace("+", "p").replace("#", "sharp")


# Lines that carry no lesson on their own: imports, package lines, comments, lone braces.
BOILERPLATE = re.compile(
    r"^\s*($|import\b|package\b|use\s|from\s+\S+\s+import\b|#include\b|extern crate\b"
    r"|([\w.]+\s+)?\"[\w./-]+\"$"  # a Go import spec: "fmt", _ "net/http/pprof"
    r"|//|#(?![\[!])|/\*|\*|--|[{}()\[\];,]+$)"
)


def is_boilerplate(line: str) -> bool:
    return bool(BOILERPLATE.match(line)) or import_line(line)


def snippet(hunk: Hunk) -> list[str]:
    return code_snippet(hunk)[0]


def code_snippet(hunk: Hunk, prefer: Sequence[str] = ()) -> tuple[list[str], bool]:
    """(lines, removed): the lines that carry the hunk's point. Its richest run of added code,
    with boilerplate (imports, comments, blank lines) trimmed; a changed comment with the
    code it documents, or nothing where no code is near (the point's sentence says it); a
    hunk that adds no code shows its removed run, marked as removed, so deleted code never
    reads as new. Runs and, in a long run, the lines shown are the ones naming what the hunk
    adds (or removes), e.g. the one field renamed in a realigned struct; first of all the
    lines the plan quoted (``prefer``: a new test's check)."""
    new, gone = evidence.name_changes(hunk)
    for prefix, names in (("+", new), ("-", gone)):
        runs: list[list[str]] = []
        ends: list[int] = []  # where each run stops in the hunk
        current: list[str] = []
        for i, line in enumerate(hunk.lines):
            if line.startswith(prefix):
                current.append(line[1:])
            elif current:
                runs.append(current)
                ends.append(i)
                current = []
        if current:
            runs.append(current)
            ends.append(len(hunk.lines))
        # A line holding a Markdown fence (Rust doc examples) would close ours early.
        runs = [[ln for ln in r if "```" not in ln] for r in runs]
        for plain in (is_boilerplate, _is_import):
            rich = [r for r in runs if any(not plain(ln) for ln in r)]
            if rich:
                best = max(rich, key=lambda r: (_holding(r, prefer), _naming(r, names),
                                                 sum(1 for ln in r if not plain(ln))))
                lines = _window(_trim(best, plain), names, prefer)
                if prefix == "+" and all(is_boilerplate(ln) for ln in lines):
                    # a changed comment: with the code it documents, which is unchanged
                    lines = lines + _documented(hunk.lines[ends[runs.index(best)]:])
                if all(is_boilerplate(ln) for ln in lines):
                    break  # comments alone: the sentence says them (code commented out: gone)
                lines = textwrap.dedent("\n".join(lines)).splitlines()
                return (lines, False) if prefix == "+" else ([f"-{ln}" for ln in lines], True)
    return [], False


def _documented(after: list[str]) -> list[str]:
    """The unchanged code line that follows a changed comment (and the comment lines between
    them, at most five), or nothing when the next line of code is itself changed."""
    out: list[str] = []
    for line in after[:6]:
        if not line.startswith(" "):
            return []
        out.append(line[1:])
        if not is_boilerplate(line[1:]):
            return out
    return []


def _naming(lines: list[str], names: list[str]) -> int:
    """How many of ``lines`` hold one of ``names``."""
    return sum(1 for ln in lines if any(n in ln for n in names))


def _holding(lines: list[str], quoted: Sequence[str]) -> int:
    """How many of the ``quoted`` lines ``lines`` hold."""
    return sum(1 for q in quoted if q and any(ln.strip() == q for ln in lines))


def _window(lines: list[str], names: list[str], prefer: Sequence[str] = ()) -> list[str]:
    """At most MAX_SNIPPET_LINES of ``lines``: the first window holding the most of the
    ``prefer`` lines, then of the names."""
    if len(lines) <= MAX_SNIPPET_LINES:
        return lines
    # with lines to quote, a window may be cut short by the run's end
    starts = range(len(lines) if prefer else len(lines) - MAX_SNIPPET_LINES + 1)

    def opening(i: int) -> int:  # a window quoting lines opens where a statement does
        line = lines[i]
        if not prefer or not line.strip() or line.strip()[0] in ")]}.,":
            return -99
        return -(len(line) - len(line.lstrip()))

    best = max(starts, key=lambda i: (_holding(lines[i:i + MAX_SNIPPET_LINES], prefer),
                                      opening(i) if prefer else 0,
                                      _naming(lines[i:i + MAX_SNIPPET_LINES], names), -i))
    return _trim_blank(lines[best:best + MAX_SNIPPET_LINES])


_IMPORT = re.compile(r"^\s*($|import\b|package\b|use\s|from\s+\S+\s+import\b|#include\b"
                     r"|([\w.]+\s+)?\"[\w./-]+\"$)")


def _is_import(line: str) -> bool:
    return bool(_IMPORT.match(line)) or import_line(line)


def _trim(lines: list[str], plain: Callable[[str], bool]) -> list[str]:
    """Drop leading lines that carry nothing (closing brackets stay), and trailing blanks."""
    while lines and plain(lines[0]) and lines[0].strip() not in ("}", ")", "]"):
        lines = lines[1:]
    return _trim_blank(lines)


def _trim_blank(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def merge_templated(points: list[tuple[str, int]]) -> list[tuple[str, list[int]]]:
    """Collapse points that repeat one sentence with different `names` into one bullet.

    Small models often write "`A` 클래스의 `f` 메서드는 … 추가합니다." once per class. Such
    points share every word outside backticks; they become one bullet naming every `A`,
    followed by the snippets of all their hunks. Exact repeats are dropped the same way.
    """
    groups: list[tuple[tuple[str, ...], list[list[str]], list[int]]] = []
    for text, ref in points:
        pieces = _SPAN.split(text)
        skeleton, spans = tuple(pieces[0::2]), pieces[1::2]
        for g_skeleton, columns, refs in groups:
            if g_skeleton == skeleton:
                for column, span in zip(columns, spans, strict=False):
                    if span not in column:
                        column.append(span)
                refs.append(ref)
                break
        else:
            groups.append((skeleton, [[span] for span in spans], [ref]))
    merged = []
    for skeleton, columns, refs in groups:
        text = skeleton[0] + "".join(
            ", ".join(column) + plain for column, plain in zip(columns, skeleton[1:], strict=False))
        merged.append((text, refs))
    return merged


PRONOUN = re.compile(r"(^|[\s(`])(?:저는|제가|나는|내가)\s+")


def _and(first: str, second: str) -> str:
    """"A와 B" / "A과 B": the particle follows whether A's last syllable has a final consonant."""
    last = first[-1]
    closed = "가" <= last <= "힣" and (ord(last) - ord("가")) % 28 != 0
    return f"{first}{'과' if closed else '와'} {second}"


# Keywords that name no lesson: the language itself (in Hangul), "code", "change", "this …".
_GENERIC = {"언어", "프로그래밍 언어", "코드", "코드 변경", "변경", "변경 사항", "변경 내용",
            "파일", "파일 수정", "개선", "기능", "자바", "자바스크립트", "타입스크립트", "파이썬",
            "러스트", "고", "고랭", "코틀린"}


def _generic(keyword: str) -> bool:
    return keyword in _GENERIC or keyword.startswith(("이러한", "이 ", "그리고"))


def render_points(
    answer: PointsAnswer, *, date: dt.date, hunks: list[tuple[FileChange, Hunk]],
    proof: reject.Proof | None = None, quoted: Mapping[int, Sequence[str]] | None = None,
    stated: Sequence[Statement] = (), garbled: Callable[[str], list[str]] | None = None,
    leading: Sequence[str] = (), says_nothing: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """Turn ``{topic, keywords, points}`` into ``{title, keywords, content}``; ``quoted``
    gives, by hunk number, the lines the plan quoted, which its snippet shows first;
    ``stated``, the planned points in order as tilgen states them, each taking the place of
    a point the answer lacks (see :mod:`tilgen.note.statements`); ``garbled`` finds the
    words of a sentence that are no Korean (see :func:`tilgen.note.korean.garbled`);
    ``leading``, what tilgen says first of the changes as a whole (a revert), the ways to say
    it from most to least quoted: the first that leaves the note mostly Korean;
    ``says_nothing`` finds a sentence its statement says better (see :func:`unsaid`)."""
    topic = " ".join(answer.topic.split()).rstrip(".")
    if len(answer.topic) in TOPIC_MAX.values() and " " in topic:
        # The grammar stopped the topic at its length limit, likely mid-word: drop that word.
        topic = topic.rsplit(" ", 1)[0]
    keywords = [k for k in dict.fromkeys(" ".join(k.split()) for k in answer.keywords) if k][:3]
    # the plan's most telling point, by its names ("`A` 대신 `B`"), says more than the
    # model's keywords joined ("추가와 자료형", "변경과 코드")
    planned = next((st.title for st in stated if st.title), None)
    if " " in topic and not HANGUL.search(topic) and (
            planned or any(HANGUL.search(k) for k in keywords)):
        # Small models title a Korean note in English ("Error Handling in Rust"); the plan's
        # point, else the Korean keywords, name the lesson. A one-word topic ("Rust") is a
        # name: kept. (Forcing Hangul in the grammar instead
        # made the 0.5B model append a stray syllable to English and decode 4x slower.)
        topic = planned or (_and(keywords[0], keywords[1]) if len(keywords) > 1
                            else keywords[0])
    elif topic.lower() in {(f.language or "").lower() for f, _ in hunks}:
        # "2026-11-22 TIL - Go" names the language, not the lesson; a keyword may.
        lesson = next((k for k in keywords if HANGUL.search(k) and not _generic(k)), None)
        if lesson:
            topic = f"{topic}의 {lesson}"
    # A first-person subject ("제가 값을 바꿉니다.") breaks a rule the note must keep; Korean
    # drops the subject and stays grammatical, so the word goes. A point that stays personal
    # ("제 생각에는 …", "I think …") is dropped rather than the whole note, while others remain.
    # An identifier spelled in Hangul ("인터스퍼드") is written as itself (see spelling).
    names = spelling.names_of(h for _f, h in hunks)
    points = [(spelling.respell(PRONOUN.sub(r"\1", " ".join(p.text.split())), names), p.hunk)
              for p in answer.points]
    # a reason whose negation got lost between the English and the Korean: its opening stays
    points = [((reject.without_reason(t) or t) if reject.negation_lost(p.en, t) else t, ref)
              for (t, ref), p in zip(points, answer.points, strict=True)]
    impersonal = [(t, ref) for t, ref in points if not PERSONAL.search(prose(t))]  # as validated
    if any(t for t, _ in impersonal):
        points = impersonal
    # Invented numbers, remarks about the commit and vague points go (see reject).
    if proof is None:
        proof = reject.Proof.of(list({id(f): f for f, _ in hunks}.values()))
    points = [(reject.unlisted(reject.completed(t, proof)), ref) for t, ref in points if t]
    points = reject.keep(points, proof)
    points = [(unlinked(t, ref, stated), ref) for t, ref in points]
    if garbled:  # a garbled sentence's opening, then one with nothing said, give way
        points = [ungarbled(t, ref, stated, garbled) for t, ref in points]
    points = [(unsaid(t, ref, stated, says_nothing), ref) for t, ref in points]
    points = in_plan(points, stated)
    content = _content(date, points, hunks, quoted)
    for said in leading:  # said only where the note stays mostly Korean with it
        first = _content(date, [(said, 0), *points], hunks, quoted)
        if hangul_share(first) >= KOREAN_SHARE:
            content = first
            break
    return {
        "title": f"{date.isoformat()} TIL - {topic}",
        "keywords": keywords,
        "content": content,
    }


def _content(date: dt.date, points: list[tuple[str, int]],
             hunks: list[tuple[FileChange, Hunk]],
             quoted: Mapping[int, Sequence[str]] | None) -> str:
    """The note's body: a heading, then each point as a bullet with its hunk's snippet."""
    out = [f"# {date.isoformat()} TIL", ""]
    used_hunks: set[int] = set()
    shown_code: set[tuple[str, ...]] = set()
    for text, refs in merge_templated([(t, ref) for t, ref in points if t]):
        if not text.endswith("."):
            text += "."
        out.append(f"- {text}")
        shown = 0
        for ref in refs:
            if shown < MAX_SNIPPETS_PER_BULLET and 1 <= ref <= len(hunks) and ref not in used_hunks:
                used_hunks.add(ref)
                f, h = hunks[ref - 1]
                code, removed = code_snippet(h, (quoted or {}).get(ref, ()))
                if code and tuple(code) not in shown_code:  # same lines in two hunks: once
                    shown_code.add(tuple(code))
                    lang = "diff" if removed else fence_language(f)
                    out += ["", f"```{lang}", *code, "```"]
                    shown += 1
        out.append("")
    return "\n".join(out).rstrip() + "\n"
