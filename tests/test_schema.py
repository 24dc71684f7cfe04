from __future__ import annotations

import datetime as dt
import json

import pytest

from tilgen.errors import InvalidNoteError
from tilgen.git.changes import FileChange, Hunk
from tilgen.note.render import render_points, snippet
from tilgen.note.schema import PointsAnswer, bullets, hangul_share, parse_json, validate_note

DAY = dt.date(2026, 11, 22)


def good(**over):
    note = {
        "title": "2026-11-22 TIL - 입력 검증",
        "keywords": ["입력 검증", "오류"],
        "content": "# 2026-11-22 TIL\n\n- `Set` 메서드는 빈 값을 거부합니다.\n\n```go\nif v == \"\" {\n```\n",
    }
    note.update(over)
    return note


def test_valid_note_passes():
    assert validate_note(good(), date=DAY).keywords == ["입력 검증", "오류"]


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("title", "2026-11-21 TIL - 입력", "title must start"),
        ("keywords", [], "keywords"),
        ("keywords", ["a", "b", "c", "d"], "keywords"),
        ("keywords", ["three word keyword"], "one or two"),
        ("content", "# 2026-11-22 TIL\n\n- 마침표가 없습니다", "period"),
        ("content", "## wrong heading\n\n- 내용입니다.", "heading"),
        ("content", "# 2026-11-22 TIL\n\n- This note is written in English only.", "Korean"),
        ("content", "# 2026-11-22 TIL\n\n- 같은 문장입니다.\n- 같은 문장입니다.", "repeats"),
        ("content", "# 2026-11-22 TIL\n\n- 저는 이것을 배웠습니다.", "personal"),
        ("content", "# 2026-11-22 TIL\n\n- 코드입니다.\n```go\nx := 1\n", "unclosed"),
    ],
)
def test_rules_are_enforced(field, value, needle):
    with pytest.raises(InvalidNoteError, match=needle):
        validate_note(good(**{field: value}), date=DAY)


def test_english_notes_follow_the_language_setting():
    note = {"title": "2026-11-22 TIL - Flags", "keywords": ["flags"],
            "content": "# 2026-11-22 TIL\n\n- The setter replaces a public field."}
    assert validate_note(note, date=DAY, language="en").title.endswith("Flags")


def test_parse_json_accepts_raw_newlines_and_fences():
    assert parse_json('```json\n{"a": "line1\nline2"}\n```') == {"a": "line1\nline2"}
    with pytest.raises(InvalidNoteError):
        parse_json("no json here")


def test_hangul_share_ignores_code():
    assert hangul_share("한국어 설명 `someIdentifier`\n```\nenglish code here\n```") == 1.0


def test_render_points_builds_a_valid_note_with_snippets_from_the_patch():
    f = FileChange(path="flag.go", language="Go")
    h = Hunk(header="@@ -1,2 +1,3 @@", lines=[" func a() {", "+\treturn nil", " }"])
    answer = PointsAnswer.model_validate({
        "topic": "플래그 처리", "keywords": ["플래그"],
        "points": [{"text": "`a` 함수는 nil을 반환합니다.", "hunk": 1},
                   {"text": "범위를 벗어난 참조는 코드 없이 표시됩니다.", "hunk": 9}],
    })
    note = render_points(answer, date=DAY, hunks=[(f, h)])
    checked = validate_note(note, date=DAY)
    assert "```go\nreturn nil\n```" in checked.content
    assert checked.content.count("```") == 2


def test_points_repeating_one_sentence_become_one_bullet_with_every_name_and_snippet():
    files = [FileChange(path=f"{n}.java", language="Java") for n in ("A", "B", "C")]
    hunks = [(f, Hunk("@@ -1 +1,2 @@", [f"+class {f.path[0]} {{}}", " x"])) for f in files]
    answer = PointsAnswer.model_validate({
        "topic": "애너테이션", "keywords": ["타입"],
        "points": [{"text": f"`{n}` 클래스의 `annotated` 메서드는 목록을 추가합니다.", "hunk": i}
                   for i, n in enumerate("ABC", 1)]
        + [{"text": "`A` 클래스의 `annotated` 메서드는 목록을 추가합니다.", "hunk": 1},
           {"text": "`A.java`의 다른 문장은 그대로 남습니다.", "hunk": 0}],
    })
    note = validate_note(render_points(answer, date=DAY, hunks=hunks), date=DAY)
    assert bullets(note.content) == [
        "`A`, `B`, `C` 클래스의 `annotated` 메서드는 목록을 추가합니다.",
        "`A.java`의 다른 문장은 그대로 남습니다."]
    assert [ln for ln in note.content.splitlines() if ln.startswith("class ")] == [
        "class A {}", "class B {}", "class C {}"]


def test_a_first_person_point_is_dropped_when_others_remain():
    f = FileChange(path="a.py", language="Python")
    hunks = [(f, Hunk("@@ -1 +1 @@", ["-a = 1", "+a = 2"]))]

    def answer(*texts: str) -> PointsAnswer:
        return PointsAnswer.model_validate({"topic": "값", "keywords": ["값"], "points": [
            {"text": t, "hunk": 1} for t in texts]})

    note = render_points(answer("I think the value changed.", "`a`의 값은 2입니다."),
                         date=DAY, hunks=hunks)
    assert bullets(validate_note(note, date=DAY).content) == ["`a`의 값은 2입니다."]
    alone = render_points(answer("I think the value changed."), date=DAY, hunks=hunks)
    with pytest.raises(InvalidNoteError, match="personal"):
        validate_note(alone, date=DAY)


def test_a_snippet_found_in_two_hunks_is_shown_once():
    f = FileChange(path="a.rs", language="Rust")
    same = ["+/// The `Error` type.", " x"]
    answer = PointsAnswer.model_validate({
        "topic": "오류", "keywords": ["오류"],
        "points": [{"text": "첫 번째 설명입니다.", "hunk": 1},
                   {"text": "두 번째 설명입니다.", "hunk": 2}],
    })
    note = render_points(answer, date=DAY, hunks=[(f, Hunk("@@ -1 +1,2 @@", same)),
                                                  (f, Hunk("@@ -9 +9,2 @@", same))])
    assert validate_note(note, date=DAY).content.count("/// The `Error` type.") == 1


def test_snippet_prefers_added_lines_and_falls_back_to_removed_ones_marked_as_removed():
    assert snippet(Hunk("@@ -1 +1 @@", ["-old()", "+new()"])) == ["new()"]
    assert snippet(Hunk("@@ -1,2 +0,0 @@", ["-gone()", "-also()"])) == ["-gone()", "-also()"]


def test_snippet_drops_lines_that_would_close_the_fence():
    h = Hunk("@@ -1,3 +1,3 @@", ['+doc = """```', "+let x = f();", '+```"""'])
    assert snippet(h) == ["let x = f();"]


def test_personal_check_does_not_fire_inside_words():
    text = "# 2026-11-22 TIL\n\n- 오류가 나타나는 경우를 안내가 필요한 부분에서 처리합니다.\n"
    assert validate_note(good(content=text), date=DAY)



@pytest.mark.parametrize(("topic", "keywords", "title"), [
    ("Error Handling in Rust", ["오류 처리", "매크로"], "2026-11-22 TIL - 오류 처리와 매크로"),
    ("Go flags", ["플래그 구문", "단축키"], "2026-11-22 TIL - 플래그 구문과 단축키"),
    ("Go flags", ["플래그"], "2026-11-22 TIL - 플래그"),
    ("Rust", ["오류 처리", "매크로"], "2026-11-22 TIL - Rust"),  # a name, not an English phrase
    ("`Set` 메서드 검증", ["검증"], "2026-11-22 TIL - `Set` 메서드 검증"),
    ("Flag parsing", ["flags"], "2026-11-22 TIL - Flag parsing"),  # an English note stays English
])
def test_an_english_topic_over_korean_keywords_becomes_the_keywords(topic, keywords, title):
    hunk = Hunk(header="@@ -1 +1 @@", lines=["+x = 1"])
    answer = PointsAnswer.model_validate({"topic": topic, "keywords": keywords, "points": [
        {"text": "값을 설정합니다.", "hunk": 1}]})
    note = render_points(answer, date=DAY, hunks=[(FileChange(path="a.py", hunks=[hunk]), hunk)])
    assert note["title"] == title


@pytest.mark.parametrize(("topic", "keywords", "title"), [
    ("Go", ["옵션", "플래그 구문"], "2026-11-22 TIL - Go의 옵션"),
    ("go", ["플래그"], "2026-11-22 TIL - go의 플래그"),
    ("Rust", ["오류 처리"], "2026-11-22 TIL - Rust"),  # not the language of these changes
    ("Go", ["flags"], "2026-11-22 TIL - Go"),  # no Korean keyword to name the lesson
    ("Go", ["언어", "고랭", "타입 검사"], "2026-11-22 TIL - Go의 타입 검사"),  # generic ones skipped
    ("Go", ["언어", "이러한 변경"], "2026-11-22 TIL - Go"),
])
def test_a_topic_that_only_names_the_language_gets_the_keywords(topic, keywords, title):
    hunk = Hunk(header="@@ -1 +1 @@", lines=["+x := 1"])
    answer = PointsAnswer.model_validate({"topic": topic, "keywords": keywords, "points": [
        {"text": "값을 설정합니다.", "hunk": 1}]})
    f = FileChange(path="a.go", language="Go", hunks=[hunk])
    assert render_points(answer, date=DAY, hunks=[(f, hunk)])["title"] == title


def test_a_topic_stopped_at_the_length_limit_loses_its_cut_word():
    from tilgen.note.schema import TOPIC_MAX, points_schema

    hunk = Hunk(header="@@ -1 +1 @@", lines=["+x := 1"])
    f = FileChange(path="a.go", language="Go", hunks=[hunk])
    cut = ("Go 프로그래밍 언어에서 interspersed 옵션과 non-option 옵션 인자를 지원하는 Flag 구")
    assert len(cut) == TOPIC_MAX["ko"] and f"{TOPIC_MAX['ko']}}}" in str(points_schema(1))
    answer = PointsAnswer.model_validate({"topic": cut, "keywords": ["옵션"], "points": [
        {"text": "값을 설정합니다.", "hunk": 1}]})
    title = render_points(answer, date=DAY, hunks=[(f, hunk)])["title"]
    assert title.endswith("지원하는 Flag")


def test_the_fixed_heading_is_not_counted_as_prose():
    short = "# 2026-11-22 TIL\n\n- `BSD`를 사용합니다.\n"
    assert hangul_share(short) == 1.0
    assert hangul_share("# 2026-11-22 TIL\n\n- TIL 형식을 사용합니다.\n") < 1.0


def test_points_come_last_in_the_schema_so_a_cut_off_answer_keeps_the_rest():
    from tilgen.note.schema import points_schema, salvage_points

    schema = points_schema(3)
    assert list(schema["properties"]) == ["topic", "keywords", "points"] == schema["required"]
    cut = ('{"topic": "a \\"}]\\" b", "keywords": ["값"], "points": [{"text": "첫 {문장}입니다.", '
           '"hunk": 1}, {"text": "두 번째 문장은 끝나지')
    assert json.loads(salvage_points(cut)) == {
        "topic": 'a "}]" b', "keywords": ["값"], "points": [{"text": "첫 {문장}입니다.", "hunk": 1}]}
    assert salvage_points('{"topic": "a", "keywords": ["값"], "points": [{"text": "첫') is None
    assert salvage_points("no json at all") is None


def test_a_first_person_word_right_after_inline_code_is_dropped_too():
    """The note check reads the prose with inline code taken out, so `x`제가 is personal
    there; the point filter must see it the same way or the whole note is rejected."""
    f = FileChange(path="a.py", language="Python")
    hunks = [(f, Hunk("@@ -1 +1 @@", ["-a = 1", "+a = 2"]))]
    answer = PointsAnswer.model_validate({"topic": "값", "keywords": ["값"], "points": [
        {"text": "`a`내 생각 그대로 바뀐 값입니다.", "hunk": 1}, {"text": "`a`의 값은 2입니다.", "hunk": 1}]})
    note = render_points(answer, date=DAY, hunks=hunks)
    assert bullets(validate_note(note, date=DAY).content) == ["`a`의 값은 2입니다."]


@pytest.mark.parametrize(("text", "bullet"), [
    ("제가 `a`의 값을 2로 바꾸었습니다.", "`a`의 값을 2로 바꾸었습니다."),
    ("이 변경에서 저는 `a`를 고쳤습니다.", "이 변경에서 `a`를 고쳤습니다."),
    ("`a`내가 바꾼 값입니다.", "`a`바꾼 값입니다."),
    ("나타나는 `a` 값은 2입니다.", "나타나는 `a` 값은 2입니다."),  # a word, not the pronoun
])
def test_a_first_person_subject_is_taken_out_of_the_sentence(text, bullet):
    f = FileChange(path="a.py", language="Python")
    hunks = [(f, Hunk("@@ -1 +1 @@", ["-a = 1", "+a = 2"]))]
    answer = PointsAnswer.model_validate({"topic": "값", "keywords": ["값"], "points": [
        {"text": text, "hunk": 1}, {"text": "`a`의 값은 2입니다.", "hunk": 1}]})
    note = validate_note(render_points(answer, date=DAY, hunks=hunks), date=DAY)
    assert bullets(note.content)[0] == bullet


def _strings(schema):
    """Every string-typed subschema of a JSON schema."""
    if isinstance(schema, dict):
        if schema.get("type") == "string":
            yield schema
        for value in schema.values():
            yield from _strings(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _strings(value)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_no_string_the_grammar_sees_has_a_length_limit(language):
    # xgrammar (vLLM) turns a length-limited string into one that admits no escapes: a
    # direct note's content could hold no newline and failed validation twice.
    from tilgen.note.schema import direct_schema, points_schema

    for schema in (direct_schema(DAY, language), points_schema(4, language)):
        strings = list(_strings(schema))
        assert strings
        for sub in strings:
            assert not {"minLength", "maxLength"} & set(sub), sub


def test_an_empty_content_is_still_refused_without_the_grammar():
    with pytest.raises(InvalidNoteError, match="content"):
        validate_note(good(content=""), date=DAY)
