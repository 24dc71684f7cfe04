"""How the model's points are mended with tilgen's own statements of them
(:mod:`tilgen.note.statements`): a reason linking two changes the wrong way cut, a garbled
or empty point replaced, a point the answer lacks stated, a point's key code said after it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from tilgen.note.reject import reason_of, without_reason
from tilgen.note.statements import Statement


def unlinked(text: str, hunk: int, stated: Sequence[Statement]) -> str:
    """A point whose reason names what another planned point is about, and not its own
    ("`javaWriter.emitEnumValue`를 `javaWriter.emitEnumValues`로 바꾸어 `emitLastEnumValue`가
    이제 프라이빗이 되었습니다"): its opening. Two hunks of a commit are seldom cause and
    effect the way a small model links them (the test followed the method going private,
    not the reverse), and the other point says its own change."""
    own = {n for s in stated if s.hunk == hunk for n in s.names}
    others = {n for s in stated if s.hunk != hunk for n in s.names} - own
    named = set(re.findall(r"`([^`]+)`", reason_of(text)))
    if own and named & others:
        return without_reason(text) or text
    return text


def ungarbled(text: str, hunk: int, stated: Sequence[Statement],
              garbled: Callable[[str], list[str]]) -> tuple[str, int]:
    """A point holding a word that is no Korean ("`bail` 랜더러가 삭제되었습니다"): its opening
    where that reads clean, else tilgen's statement of its hunk, else the point as it is."""
    if not garbled(text):
        return text, hunk
    short = without_reason(text)
    if short and not garbled(short):
        return short, hunk
    said = next((s.text for s in stated if s.hunk == hunk and s.text), None)
    return (said or text), hunk


def unsaid(text: str, hunk: int, stated: Sequence[Statement],
           says_nothing: Callable[[str], bool] | None) -> str:
    """A point that names its code and says nothing of it ("`cmd.should.equal('exec1');`
    (코드 변경)입니다", see :func:`tilgen.note.korean.says_nothing`): tilgen's statement of
    its hunk where there is one."""
    said = next((s.text for s in stated if s.hunk == hunk and s.text), None)
    return said if said and says_nothing and says_nothing(text) else text


def in_plan(points: list[tuple[str, int]], stated: Sequence[Statement],
            ) -> list[tuple[str, int]]:
    """``points`` in the plan's order, each planned point the answer lacks (its answer looped
    or was rejected) stated by tilgen where it can, and a point that does not quote its
    key code (a new test's check) followed by tilgen's sentence; points about unplanned
    hunks after. A decisive statement (see :class:`Statement`) takes its point's place."""
    if not stated:
        return points
    left = list(points)
    out: list[tuple[str, int]] = []
    for said in stated:
        mine = next((p for p in left if p[1] == said.hunk), None)
        if mine:
            left.remove(mine)
            if said.decisive and said.text:  # tilgen knows what the line means
                mine = (said.text, said.hunk)
            more = said.following(mine[0])
            if more:
                mine = (f"{mine[0].rstrip('.')}{more}." if said.aside
                        else f"{mine[0].rstrip('.')}. {more}", said.hunk)
            out.append(mine)
        elif said.text:
            out.append((said.text, said.hunk))
    return out + left
