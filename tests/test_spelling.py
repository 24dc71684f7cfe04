"""Identifiers spelled in Hangul are written as themselves; real Korean words stay."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from tilgen.git.changes import FileChange, Hunk
from tilgen.note.render import render_points
from tilgen.note.schema import PointsAnswer, validate_note
from tilgen.note.spelling import english_sounds, hangul_sounds, identifier_for, names_of, respell

WORDS = Path(__file__).parent / "data" / "korean_words.tsv"
# Identifiers of real changes whose sound is close to a Korean word of the labelled set
# (what a first version of the rule respelled: 매개변수 as `margins`, 인스턴스 as `instance`)
NAMES = ["SetInterspersed", "noInterspersed", "interspersed", "ShorthandLookup", "ReplaceAll",
         "TimestampSigner", "instance", "INTERFACE", "margins", "Manually", "version", "Method",
         "boolValue", "release", "testing", "literal", "serializer", "Package", "materials",
         "rolling", "check", "Sense", "useColor", "macro", "recursion", "option", "Control",
         "signature", "Generic", "defined", "cache", "Declare", "existing", "promote",
         "TestCase"]


def _rows(label: str) -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in WORDS.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [(r[1], r[2] if len(r) > 2 else "") for r in rows if r[0] == label]


def test_sounds_are_the_consonants_a_loanword_keeps():
    assert hangul_sounds("인터스퍼스드") == english_sounds("interspersed") == "NTSPST"
    assert english_sounds("ReplaceAll") == "RPRSR"
    assert hangul_sounds("리플레이스올") == "RPRRSR"  # 플 and 올: an l written twice


def test_a_transliterated_identifier_is_respelled():
    said = {"인터스퍼스드": "`interspersed`", "노인터스퍼스드를": "`noInterspersed`",
            "셋인터스퍼스드": "`SetInterspersed`", "쇼트핸드룩업": "`ShorthandLookup`",
            "리플레이스올": "`ReplaceAll`", "타임스탬프시그너": "`TimestampSigner`",
            "인터스퍼드": "`interspersed`"}  # the 1.5B's own, one syllable short
    for word, name in said.items():
        assert identifier_for(word, NAMES) == name, word
    assert {w for w, why in _rows("garbled") if "transliterated" in why} <= set(said) | {
        "듀레이션슬라이스", "이츠데인저러스", "자바포엣의", "애니하우"}  # names not in NAMES


def test_real_korean_words_are_never_respelled():
    # "테스트케이스에서" was once written `TestCase`에서 (unittest.TestCase was in the diff)
    for text, _why in [*_rows("real"), ("테스트케이스에서", "")]:
        for word in re.findall(r"[가-힣]+", text):
            assert identifier_for(word, NAMES) is None, word


def test_respelling_keeps_the_particle_and_leaves_code_spans_alone():
    assert (respell("`Parse`는 인터스퍼드 기능과 셋인터스퍼스드를 씁니다.", NAMES)
            == "`Parse`는 `interspersed` 기능과 `SetInterspersed`를 씁니다.")
    assert respell("`인터스퍼드`", NAMES) == "`인터스퍼드`"
    assert respell("인터스퍼드 기능", []) == "인터스퍼드 기능"  # no such name in the change


def test_a_rendered_note_names_the_identifier_the_model_spelled_in_hangul():
    hunk = Hunk("@@ -10,3 +10,3 @@ type FlagSet struct {", [
        "-\tnoInterspersed bool // do not allow interspersed option/non-option args",
        "+\tinterspersed   bool // allow interspersed option/non-option args"])
    assert "interspersed" in names_of([hunk])
    answer = PointsAnswer.model_validate({"topic": "플래그 파싱", "keywords": ["플래그"], "points": [
        {"hunk": 1, "text": "`noInterspersed`를 `interspersed`로 바꿔 인터스퍼드 파싱을 "
                            "기본으로 허용합니다."}]})
    day = dt.date(2026, 12, 2)
    note = render_points(answer, date=day, hunks=[(FileChange(path="flag.go", language="Go"),
                                                   hunk)])
    content = validate_note(note, date=day).content
    assert "`interspersed` 파싱을 기본으로 허용합니다." in content
    assert "인터스퍼드" not in content
