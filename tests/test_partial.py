"""Reading a note's JSON answer while it streams, piece by piece."""

from __future__ import annotations

import json

import pytest

from tilgen.note.partial import PartialJSON, draft

ANSWER = json.dumps({
    "topic": "재시도 \"백오프\"",
    "keywords": ["재시도", "지수 백오프"],
    "points": [{"text": "`retry()`는 실패한 요청을 다시 보낸다.", "hunk": 1},
               {"text": "대기 시간은 두 배씩 늘어난다.\n", "hunk": 2}],
}, ensure_ascii=True)  # \uXXXX escapes for every Hangul syllable: the hardest case


def feed_all(text: str, size: int) -> list[PartialJSON]:
    parser, states = PartialJSON(), []
    for i in range(0, len(text), size):
        parser.feed(text[i : i + size])
        states.append(json.loads(json.dumps(parser.value)))
    return states


@pytest.mark.parametrize("size", [1, 2, 3, 7, 1000])
def test_the_whole_answer_read_in_any_pieces_equals_json_loads(size):
    parser = PartialJSON()
    for i in range(0, len(ANSWER), size):
        parser.feed(ANSWER[i : i + size])
    assert parser.value == json.loads(ANSWER) and parser.done


def test_points_appear_as_they_are_written_and_only_grow():
    seen = [draft(state).points for state in feed_all(ANSWER, 1)]
    first = next(i for i, p in enumerate(seen) if p)
    assert seen[first] == ["`"]  # the first character of the first point, before it ends
    # a point only grows; the list never shrinks
    for before, after in zip(seen, seen[1:], strict=False):
        assert len(after) >= len(before)
        assert all(a.startswith(b) for b, a in zip(before, after, strict=False))
    assert seen[-1] == ["`retry()`는 실패한 요청을 다시 보낸다.", "대기 시간은 두 배씩 늘어난다."]
    assert draft(feed_all(ANSWER, 5)[-1]).title == '재시도 "백오프"'


def test_a_cut_answer_keeps_what_was_written():
    parser = PartialJSON()
    parser.feed('```json\n{"topic": "캐시", "keywords": ["캐시"], "points": [{"text": "캐시 키는')
    d = draft(parser.value)
    assert (d.title, d.keywords, d.points, d.known) == ("캐시", ["캐시"], ["캐시 키는"], True)
    assert not parser.done


def test_the_direct_answer_shows_its_markdown_bullets():
    parser = PartialJSON()
    parser.feed('{"title": "2026-01-02 TIL - 락", "keywords": ["락"], '
                '"content": "# 2026-01-02 TIL\\n\\n- 첫째 문장이다.\\n- 둘째')
    assert draft(parser.value).points == ["첫째 문장이다.", "둘째"]


@pytest.mark.parametrize("text", ['{"summary": "x", "items": [1, 2]', "[1, 2, 3]", "no json",
                                  '{"a": tru', '{"points": 5, "x": [}}]]'])
def test_an_unknown_shape_is_not_known_and_never_raises(text):
    parser = PartialJSON()
    parser.feed(text)
    assert draft(parser.value).known is False or draft(parser.value).points == []
    assert not draft(parser.value).points


def test_points_of_plain_strings_are_read_by_field_name():
    parser = PartialJSON()
    parser.feed('{"points": ["하나다.", "둘')
    assert draft(parser.value).points == ["하나다.", "둘"]
