"""What a planned point says, in one plain Korean sentence tilgen writes itself.

A point the model could not write (its answer looped to the token limit, or every sentence
it wrote was rejected) used to leave the note without that change: pallets/itsdangerous
85618914's new test `test_iter_unsigners`, whose check (`… == hashlib.sha1`) is the lesson,
was in the plan and in no bullet. The plan line knows what the hunk did, from the diff
alone (:meth:`tilgen.note.focus.Focus.plan_line`); this is that line in Korean, for the
renderer to use in the missing point's place. Code stays in backticks, verbatim; a noun
("코드", "테스트", "선언") carries each particle, which after code could not be chosen by
sound.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from tilgen.git.changes import FileChange, reverted_subject
from tilgen.note.checks import import_line
from tilgen.note.declarations import declared_name
from tilgen.note.evidence import PROSE_LANGUAGES
from tilgen.note.idioms import bound_check, keyed, reformatted, turned_off
from tilgen.note.idioms import code_span as _code
from tilgen.note.openings import Focus as Opened

_CODE = re.compile(r"[(=;{\[]")  # a line of code has one of these; prose seldom does
_LOOP = re.compile(r"\s*(for|while|loop)\b|.*\.forEach\(")  # a line opening a loop


class Planned(Opened, Protocol):
    """A planned point (:class:`tilgen.note.focus.Focus`), as far as its statement goes:
    what its opening knows, and the lines its plan line quotes."""

    @property
    def hunk(self) -> int: ...
    @property
    def scope(self) -> str: ...
    @property
    def lines(self) -> tuple[str, str] | None: ...
    @property
    def shows(self) -> str: ...
    @property
    def stays(self) -> str: ...
    @property
    def checks(self) -> str: ...
    @property
    def then(self) -> tuple[str, str] | None: ...
    @property
    def besides(self) -> str: ...
    @property
    def instead(self) -> str: ...
    @property
    def successor(self) -> str: ...
    @property
    def before(self) -> str: ...
    @property
    def keyed(self) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None: ...
    @property
    def reformat(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Statement:
    """A planned point as tilgen states it: about hunk [#hunk], ``text`` (None where it
    cannot), and what a sentence about it must quote, or be followed by the part of
    ``text`` that says it: a new test's checks, the code a removal removed. Other points'
    snippets show their code."""

    hunk: int
    text: str | None
    keys: tuple[str, ...] = ()  # the code each part quotes
    parts: tuple[str, ...] = ()  # each part as it follows the model's sentence
    test: bool = False  # the parts are a test's checks, said in one sentence
    names: tuple[str, ...] = ()  # the code its point is about (names, swap, successor)
    title: str | None = None  # the point as a note's title ("`A` 대신 `B`"), None for none
    decisive: bool = False  # says what the code means, where a model's guess went wrong
    aside: bool = False  # the part goes inside the sentence, before its period: "(…)"

    def following(self, sentence: str) -> str:
        """What to say after the model's ``sentence``: the parts whose code it leaves out
        (a quote dropped inside the code is no loss), "" for none."""
        lacking = [p for k, p in zip(self.keys, self.parts, strict=True)
                   if _letters(k) not in _letters(sentence)]
        if not lacking:
            return ""
        if self.test:
            return f"이 테스트는 {', '.join(lacking)}로 결과를 확인합니다."
        return " ".join(lacking)


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def statement(focus: Planned, file: FileChange | None = None) -> Statement:
    """How tilgen states ``focus``, a point about a hunk of ``file``."""
    names = tuple(dict.fromkeys([*focus.names, *(focus.swap or ()), focus.successor]))
    return replace(_said(focus, file), names=names, title=_title(focus))


def _said(focus: Planned, file: FileChange | None) -> Statement:
    off = (turned_off(focus.lines, focus.scope, file.language if file else None)
           or keyed(focus.keyed)
           or bound_check(focus.names[0] if focus.checks else "", focus.shows, focus.checks)
           or reformatted(focus.reformat, focus.lines[1] if focus.lines else "", focus.scope,
                          focus.names))
    if off:
        return Statement(focus.hunk, off, decisive=True)
    text = stated(focus, file)
    if not text:
        return Statement(focus.hunk, None)
    if focus.checks:
        keys = tuple(c for _r, c in _tested(focus))
        return Statement(focus.hunk, text, keys, tuple(_checks(focus)), test=True)
    if focus.removed and _code(focus.shows):
        return Statement(focus.hunk, text, (" ".join(focus.shows.split()),), (text,))
    after = _after(focus)
    if after:  # what the model's sentence leaves out: the line before, the calls' successor
        return Statement(focus.hunk, text, (after[0],), (after[1],), aside=bool(focus.swap))
    return Statement(focus.hunk, text)


def _noun(code: str) -> str:
    """What ``code`` is, to carry a particle: a loop ("루프") or code ("코드")."""
    return "루프" if _LOOP.match(code) else "코드"


def _after(focus: Planned) -> tuple[str, str] | None:
    """(code, what to add) where a point's sentence lacks the code: a swap's line as it was,
    an aside ("(바뀌기 전: `… -1)`)"; the snippet shows it as it is; a sentence of its own
    read the same in every bullet), a declaration made private's calls elsewhere
    ("`emitLastEnumValue` 호출은 이제 `javaWriter.emitEnumValues` 호출로 바뀌었습니다.")."""
    before = _code(focus.before)
    if focus.swap and before:
        return focus.before, f"(바뀌기 전: {before})"
    successor = _code(focus.successor)
    if focus.modifier and successor:
        return (focus.successor,
                f"`{focus.modifier[0]}` 호출은 이제 {successor} 호출로 바뀌었습니다.")
    return None


_NAME = re.compile(r"[A-Za-z_][\w.:]*(\(\))?")  # a name, not a line: `strings.ReplaceAll`
MAX_TITLE_NAME = 40


def _title(focus: Planned) -> str | None:
    """The point as a title, from its names alone (a line of code is no title): a swap
    "`strings.Replace` 대신 `strings.ReplaceAll`", a modifier "`f` 선언은 이제 `private`",
    a removal "`stripColor` 제거", a new test "새 테스트 `T`"; None otherwise."""
    def name(text: str) -> str | None:
        return (f"`{text}`" if _NAME.fullmatch(text) and len(text) <= MAX_TITLE_NAME
                else None)

    first = name(focus.names[0]) if focus.names else None
    if focus.swap:
        old, new = (name(n) for n in focus.swap)
        return f"{old} 대신 {new}" if old and new else None
    if focus.modifier:
        who, after = name(focus.modifier[0]), focus.modifier[2]
        return f"{who} 선언은 이제 `{after}`" if who and after else None
    if focus.keyed:
        return f"`{focus.keyed[0]}` 리터럴의 필드 이름"
    if focus.move or focus.comment or not first:
        return None
    if focus.removed:
        return f"{first} 제거" if not focus.stays else None
    if focus.checks:
        return f"새 테스트 {first}"
    return None


def _tested(focus: Planned) -> list[tuple[str, str]]:
    """(the line run before, the check) of each check of a new test a span can hold."""
    checks = [(focus.shows, focus.checks), *([focus.then] if focus.then else [])]
    return [(" ".join(r.split()), " ".join(c.split())) for r, c in checks if _code(c)]


def _checks(focus: Planned) -> list[str]:
    """"`runs` 실행 뒤 `check` 검사" for each check of a new test a span can hold."""
    return [f"{_code(r)} 실행 뒤 {_code(c)} 검사" if _code(r) else f"{_code(c)} 검사"
            for r, c in _tested(focus)]


def stated(focus: Planned, file: FileChange | None = None) -> str | None:
    """The point about ``focus`` (a hunk of ``file``) as one Korean sentence, or None where
    the plan says too little to state (a hunk with names only). Prose (a changelog's new
    words) is said to be there: its English is the snippet's to show, which a sentence
    quoting it would outweigh the note's Korean with."""
    first = _code(focus.names[0]) if focus.names else None
    if focus.swap:
        old, new = (_code(n) for n in focus.swap)
        if not (old and new):
            return None
        besides = _code(focus.besides)
        also = f" `{focus.besides}` 코드도 추가했습니다." if besides else ""
        aside = _after(focus)
        return f"{old} 코드를 {new} 코드로 바꿨습니다{aside[1] if aside else ''}.{also}"
    if focus.move and first:
        source, target = (_code(p) for p in focus.move)
        if not (source and target):
            return None
        return f"{first} 선언을 {source}에서 {target} 파일로 옮겼습니다."
    if focus.modifier:
        name, before, after = (_code(p) if p else None for p in focus.modifier)
        if name and after:
            earlier = f"(이전에는 {before})" if before else ""
            calls = _after(focus)
            return f"{name} 선언은 이제 {after}입니다{earlier}." + (f" {calls[1]}" if calls else "")
        return f"{name} 선언에서 {before} 수식어를 뺐습니다." if name and before else None
    if focus.comment:
        on, was, now = (_code(p) if p else None for p in focus.comment)
        if not (on and (was or now)):
            return None
        said = (f"{was}에서 {now} 내용으로 고쳤고" if was and now else
                f"{now} 설명을 넣었고" if now else f"{was} 설명을 뺐고")
        return f"{on}의 주석만 {said}, 코드는 그대로입니다."
    if focus.removed:
        what = _code(focus.shows) or first
        if not what:
            return None
        stays, successor = _code(focus.stays), _code(focus.successor)
        then = (f" {stays}의 다른 정의는 남아 있습니다." if stays
                else f" 그 자리에는 {successor} 코드를 씁니다." if successor else "")
        return f"{what} 코드를 제거했습니다.{then}"
    if focus.lines:
        old, new = (_code(p) if p else None for p in focus.lines)
        if not new:
            return None
        if not old:
            return _added(focus, new)
        return f"{old} {_noun(focus.lines[0])}를 {new} 코드로 바꿨습니다."
    if focus.checks and first:
        checks = _checks(focus)
        return f"새 테스트 {first}는 {', '.join(checks)}로 결과를 확인합니다." if checks else None
    if focus.shows and focus.names:
        shows = _code(focus.shows)
        if not shows or not _CODE.search(focus.shows) or import_line(focus.shows):
            # a doc comment's words are no code; an import teaches nothing
            return None
        instead = _code(focus.instead)
        if instead:
            # where it was, not what it does instead: the two may differ in purpose
            return f"{instead} {_noun(focus.instead)}가 있던 자리에 {shows} 코드가 들어갔습니다."
        return _added(focus, shows)
    document = file and file.language and file.language in PROSE_LANGUAGES and _code(file.path)
    if focus.shows and not focus.names and document:  # not a script without a suffix
        return f"{document}에 새 글이 들어갔습니다."
    return None


def reverted(subjects: Sequence[str]) -> tuple[str, ...]:
    """What to say first when the changes undo an earlier commit (git's `Revert "…"`
    subject), its subject quoted, then the same without the quote (an English subject can
    outweigh a short note's Korean); () for none. Told only what was removed, a reader takes
    a revert for a new decision."""
    then = "그 변경이 더한 코드는 더 이상 없고, 고친 코드는 그 전으로 돌아갔습니다."
    for subject in subjects:
        undone = reverted_subject(subject)
        if undone:
            quoted = (f'앞서 들어간 "{undone}" 변경을 되돌렸습니다(revert). {then}'
                      if '"' not in undone else None)
            return tuple(filter(None, (quoted, f"앞서 들어간 변경을 되돌렸습니다(revert). {then}")))
    return ()


def _added(focus: Planned, code: str) -> str:
    """"`Scope`에 새로 들어간 코드는 `code`입니다." ("코드를 추가했습니다" reads as a remark
    about the commit: tilgen eval counts it as a meta bullet)."""
    name = declared_name(focus.scope) if focus.scope else ""
    where = f"`{name}`에 " if name and "`" not in name else ""
    return f"{where}새로 들어간 코드는 {code}입니다."
