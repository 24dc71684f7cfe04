"""The learning log's pure parts: periods, day attribution, search terms, layouts' paths."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tilgen.config.settings import Settings
from tilgen.errors import InvalidNoteError
from tilgen.log.digest import DigestAnswer, attribute, period_of, render, validate_digest
from tilgen.log.layouts import path_for, slug
from tilgen.log.notes import SavedNote, split_front_matter, strip_related
from tilgen.log.terms import identifier_terms, text_terms


def note(date: str, title: str, *points: str) -> SavedNote:
    body = f"# {date} TIL\n\n" + "\n".join(f"- {p}" for p in points) + "\n"
    return SavedNote(Path(f"/n/api/{date}.md"), {"title": f"{date} TIL - {title}", "date": date,
                                                  "repo": "api", "keywords": []}, body, Path("/n"))


def test_periods_are_iso_weeks_and_calendar_months():
    week = period_of(dt.date(2026, 11, 25), "week")
    assert (week.label, week.start, week.end) == ("2026-W48", dt.date(2026, 11, 23),
                                                  dt.date(2026, 11, 29))
    assert period_of(dt.date(2027, 1, 1), "week").label == "2026-W53"
    month = period_of(dt.date(2026, 2, 10), "month")
    assert (month.label, month.end) == ("2026-02", dt.date(2026, 2, 28))


def test_a_lesson_names_the_days_whose_notes_it_shares_words_with():
    notes = [note("2026-11-23", "재시도", "`wait_exponential`로 재시도 간격을 늘립니다."),
             note("2026-11-24", "연결 풀", "`pool_size`로 연결 수를 제한합니다.")]
    # the model said 11-23 for a lesson about the pool: the words win
    assert attribute("`pool_size`로 연결 수를 제한하여 부하를 줄입니다", ["11-23"], notes) == ["11-24"]
    # a lesson sharing nothing keeps the model's days (when they exist)
    assert attribute("여러 날의 일을 정리합니다", ["11-23", "12-01"], notes) == ["11-23"]


def test_a_digest_breaking_a_rule_is_rejected():
    period = period_of(dt.date(2026, 11, 25), "week")
    notes = [note("2026-11-23", "재시도", "`wait_exponential`로 재시도 간격을 늘립니다."),
             note("2026-11-24", "연결 풀", "`pool_size`로 연결 수를 제한합니다.")]
    answer = DigestAnswer.model_validate({"topic": "안정성", "keywords": ["안정성"], "lessons": [
        {"text": "11-23 - 재시도: `wait_exponential`로 재시도 간격을 늘려 부하를 줄입니다.",
         "days": ["11-24"]},
        {"text": "`pool_size`로 연결 수를 제한하여 데이터베이스를 보호합니다.", "days": ["11-24"]},
        {"text": "두 기법은 모두 장애 중에도 서버를 지키는 방법입니다.", "days": ["11-23"]}]})
    data = render(answer, period, [("t", "../api/2026-11-23.md")], notes)
    assert "- `wait_exponential`로 재시도 간격을 늘려 부하를 줄입니다 (11-23)." in data["content"]
    validate_digest(data, period, ["11-23", "11-24"])
    with pytest.raises(InvalidNoteError, match="day without a note"):
        validate_digest(data, period, ["11-24"])
    short = {**data, "content": data["content"].replace("두 기법은 모두 장애 중에도 서버를 지키는 방법입니다",
                                                        "서버 보호")}
    with pytest.raises(InvalidNoteError, match="not a title"):
        validate_digest(short, period, ["11-23", "11-24"])
    with pytest.raises(InvalidNoteError, match="title must look like"):
        validate_digest({**data, "title": "2026-11-24 TIL - x"}, period, ["11-23", "11-24"])


def test_search_terms_split_identifiers_and_read_korean_words():
    assert identifier_terms("`ChangeSet` and os.path.join") == [
        "changeset", "change", "set", "os.path.join", "os", "path", "join"]
    vocab = {"캐시를": ["캐시"], "지웁니다": ["지우"]}
    assert text_terms("캐시를 지웁니다", vocab) == ["캐시", "지우"]
    # an unknown word: its particle dropped when what is left is a known term
    assert text_terms("캐시는", vocab, {"캐시"}) == ["캐시"]
    assert text_terms("캐시무효화", vocab, {"캐시", "무효화"}) == ["캐시", "무효화"]


def test_layout_paths_stay_in_the_notes_dir(tmp_path):
    for layout, expected in (("plain", "api/2026-11-24.md"), ("obsidian", "api/2026-11-24.md"),
                             ("jekyll", "_posts/2026-11-24-api.md"),
                             ("hugo", "content/posts/api/2026-11-24.md")):
        s = Settings(notes_dir=str(tmp_path), notes_layout=layout)
        assert path_for(s, repo="api", date="2026-11-24") == tmp_path / expected
    s = Settings(notes_dir=str(tmp_path), notes_layout="jekyll")
    assert path_for(s, repo="My Repo", date="2026-11-29", period="2026-W48") == \
        tmp_path / "_posts" / "2026-11-29-my-repo-2026-w48.md"
    assert slug("../../etc") == "etc"
    evil = path_for(Settings(notes_dir=str(tmp_path)), repo="../x", date="2026-11-24")
    assert evil.resolve().is_relative_to(tmp_path.resolve())


def test_front_matter_and_the_related_section_are_read_back():
    meta, body = split_front_matter('---\ntitle: "t"\nkeywords: ["a", "b"]\nodd: plain text\n'
                                    '---\n\n# x\n\n- y.\n\n## 관련 노트\n\n- [z](z.md)\n')
    assert meta == {"title": "t", "keywords": ["a", "b"], "odd": "plain text"}
    assert strip_related(body) == "# x\n\n- y.\n"
    assert split_front_matter("# no front matter\n") == (None, "# no front matter\n")
