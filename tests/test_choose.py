"""Of several candidate notes, the one naming most of the change is kept."""

from __future__ import annotations

import datetime as dt

from tests.test_generation_design import REPLACE, SETTER
from tilgen.git.changes import FileChange
from tilgen.note import choose
from tilgen.note.reject import Proof
from tilgen.note.schema import validate_note

DAY = dt.date(2026, 12, 2)
FILES = [FileChange(path="flag.go", language="Go", hunks=[SETTER, REPLACE])]
HUNKS = [(FILES[0], h) for h in FILES[0].hunks]


def note(*bullets: str):
    content = "# 2026-12-02 TIL\n\n" + "\n".join(f"- {b}" for b in bullets) + "\n"
    return validate_note({"title": "2026-12-02 TIL - 플래그 파싱", "keywords": ["플래그"],
                          "content": content}, date=DAY)


def test_key_names_are_what_the_change_added_removed_or_swapped():
    names = choose.key_names(HUNKS)
    assert {"SetInterspersed", "NoInterspersed", "ReplaceAll", "strings.ReplaceAll",
            "NewFlagSet", "wrapN"} <= names
    assert "support" not in names and "true" not in names


def test_the_specific_note_beats_the_vague_one():
    terms = set(Proof.of(FILES).terms)
    names = choose.key_names(HUNKS)
    vague = note("플래그를 처리하는 코드가 바뀌었습니다.", "코드가 더 좋아졌습니다.")
    specific = note("`NoInterspersed`가 사라지고 `SetInterspersed`가 불리언 인자를 받습니다.",
                    "`wrapN`은 `strings.ReplaceAll`로 줄바꿈을 바꿉니다.")
    half = note("`SetInterspersed`가 추가되었습니다.", "코드가 더 좋아졌습니다.")
    assert choose.score(specific, names, terms) > choose.score(half, names, terms)
    assert choose.score(half, names, terms) > choose.score(vague, names, terms)
    assert choose.best([vague, half, specific], names, terms) == 2
    assert choose.best([specific, specific], names, terms) == 0  # the first of equals


def test_a_name_inside_a_longer_identifier_is_not_counted():
    names = {"Replace"}
    assert choose.score(note("`ReplaceAll`을 씁니다."), names, set())[0] == 0
    assert choose.score(note("`Replace` 대신 다른 것을 씁니다."), names, set())[0] == 1
