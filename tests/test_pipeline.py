"""The pipeline's rules, in-process: retries, a cut-off answer, the cache, the fallback backend.

The fake backend (tests/fake_backend.py, registered as "fake") answers from a queue; the CLI's
own behaviour is tested through the real command in test_today.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import commit_files, git
from tilgen import pipeline
from tilgen.errors import ConfigError, ExitCode, InvalidNoteError, TilgenError
from tilgen.git.source import ChangeSource, parse_day
from tilgen.options import NoteOptions

CUT = '{"topic": "값 처리", "keywords": ["값"], "points": [{"text": "`add`는 두 값을 더합니다.", '
FAKE = NoteOptions(backend="fake")


@pytest.fixture
def day_repo(repo: Path) -> Path:
    commit_files(repo, {"calc.py": "def add(a, b):\n    return a + b\n"}, "Add add()")
    commit_files(repo, {"calc.py": "def add(a: int, b: int) -> int:\n    return a + b\n"},
                 "Type add()")
    return repo


@pytest.fixture
def requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[Any]]:
    """The requests the fake backend received, in order (messages only)."""
    log = tmp_path / "requests.jsonl"
    monkeypatch.setenv("TILGEN_FAKE_LOG", str(log))
    return lambda: [json.loads(line)["messages"] for line in
                    (log.read_text().splitlines() if log.exists() else [])]


@pytest.fixture
def enqueue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Queue raw answers for the fake backend; after the queue it writes valid notes."""
    path = tmp_path / "answers.json"
    monkeypatch.setenv("TILGEN_FAKE_ANSWERS", str(path))

    def add(*answers: Any) -> None:
        queued = json.loads(path.read_text()) if path.exists() else []
        path.write_text(json.dumps([*queued, *answers], ensure_ascii=False))
    return add


def notes(home: Path) -> list[Path]:
    return sorted((home / "data" / "notes").rglob("*/*.md"))  # README.md is the index


def test_a_run_saves_one_note_and_reports_where(day_repo, isolated_home, requests):
    result = pipeline.run(ChangeSource.for_day(day_repo), FAKE)
    assert [result.path] == notes(isolated_home)
    assert result.backend == "fake" and result.attempts == 1 and not result.from_cache
    assert len(result.changes.commits) == 2 and result.languages == ["Python"]
    assert len(requests()) == 1
    text = result.path.read_text(encoding="utf-8")
    assert text.startswith("---\n") and result.note.content in text


def test_save_false_writes_nothing(day_repo, isolated_home):
    result = pipeline.run(ChangeSource.for_day(day_repo), NoteOptions(backend="fake", save=False))
    assert result.path is None and notes(isolated_home) == []


def test_an_invalid_answer_is_retried_with_the_error(day_repo, enqueue, requests):
    enqueue("{broken")
    result = pipeline.run(ChangeSource.for_day(day_repo), FAKE)
    assert result.attempts == 2
    first, second = requests()
    # the same conversation, the reason added to its last turn; not the rejected answer,
    # which small models copy
    assert second[:-1] == first[:-1] and len(second) == len(first)
    assert second[-1]["content"].startswith(first[-1]["content"])
    assert "An earlier answer was rejected: " in second[-1]["content"]
    assert "{broken" not in second[-1]["content"]


def test_invalid_twice_raises_and_saves_nothing(day_repo, isolated_home, enqueue, requests):
    enqueue("not json", {"topic": "x", "keywords": [], "points": []})
    with pytest.raises(InvalidNoteError) as err:
        pipeline.run(ChangeSource.for_day(day_repo), FAKE)
    assert "nothing was saved" in err.value.message
    assert err.value.exit_code == ExitCode.INVALID_NOTE
    assert len(requests()) == 2 and notes(isolated_home) == []


def test_a_cut_off_answer_keeps_its_finished_points(day_repo, enqueue, requests):
    said: list[str] = []
    enqueue({"raw": CUT + '"hunk": 1}, {"text": "끝나지 않는 문장이 이어지고', "finish_reason": "length"})
    result = pipeline.run(ChangeSource.for_day(day_repo), FAKE, on_status=said.append)
    assert result.attempts == 1 and len(requests()) == 1
    assert result.note.content.count("\n- ") == 1 and "`add`는 두 값을 더합니다." in result.note.content
    assert any("kept the points written before the cut" in s for s in said)


def test_a_cut_before_any_finished_point_asks_for_fewer(day_repo, enqueue, requests):
    said: list[str] = []
    enqueue({"raw": CUT, "finish_reason": "length"})
    result = pipeline.run(ChangeSource.for_day(day_repo), FAKE, on_status=said.append)
    assert result.attempts == 2
    first, second = requests()
    assert "at most 3 points" in second[-1]["content"]
    assert not any(m["role"] == "assistant" for m in second)  # the cut answer is not replayed
    assert any(s.startswith("retrying: the answer was cut off") for s in said)


def test_the_cache_hits_misses_and_survives_a_broken_entry(day_repo, isolated_home, requests):
    source = ChangeSource.for_day(day_repo)
    first = pipeline.run(source, FAKE)
    hit = pipeline.run(source, FAKE)
    assert hit.from_cache and hit.note == first.note and len(requests()) == 1
    assert hit.prompt is None and hit.backend == "fake"
    assert not pipeline.run(source, NoteOptions(backend="fake", cache=False)).from_cache
    assert len(requests()) == 2
    # other settings are another note
    assert not pipeline.run(source, NoteOptions(backend="fake", max_tokens=700)).from_cache
    assert len(requests()) == 3
    # a truncated or foreign file in the cache is a miss, then rewritten
    entries = list((isolated_home / "cache" / "notes").rglob("*.json"))
    assert len(entries) == 2  # one key per settings
    for entry, broken in zip(entries, ('{"note": {"title": ', '["a list"]'), strict=True):
        entry.write_text(broken)
    assert not pipeline.run(source, FAKE).from_cache and len(requests()) == 4
    assert not pipeline.run(source, NoteOptions(backend="fake", max_tokens=700)).from_cache
    assert pipeline.run(source, FAKE).from_cache and len(requests()) == 5
    # a new commit is new changes
    commit_files(day_repo, {"calc.py": "def add(a: int, b: int) -> int:\n    return b + a\n"},
                 "Swap")
    assert not pipeline.run(source, FAKE).from_cache and len(requests()) == 6


def test_an_unreachable_backend_falls_back(day_repo, isolated_home, requests):
    said: list[str] = []
    options = NoteOptions(backend="remote", settings={
        "remote.base_urls": ["http://127.0.0.1:9/v1"], "remote.retries": 0,
        "fallback_backend": "fake"})
    result = pipeline.run(ChangeSource.for_day(day_repo), options, on_status=said.append)
    assert result.backend == "fake" and result.fallback_from == "remote"
    assert 'fallback_from: "remote"' in result.path.read_text(encoding="utf-8")
    assert any("falling back to fake" in s for s in said) and len(requests()) == 1
    # the fallback's note is cached under the fallback's key
    assert pipeline.run(ChangeSource.for_day(day_repo), options).from_cache


def test_every_source_reads_its_changes(day_repo, tmp_path):
    (day_repo / "calc.py").write_text("def add(a: int, b: int) -> int:\n    return b + a\n")
    (day_repo / "new.py").write_text("x = 1\n")
    assert [f.path for f in pipeline.read(ChangeSource.working(day_repo), FAKE)[0].files] == [
        "calc.py", "new.py"]
    git(day_repo, "add", "new.py")
    assert [f.path for f in pipeline.read(ChangeSource.staged(day_repo), FAKE)[0].files] == [
        "new.py"]
    [commit] = pipeline.read(ChangeSource.commits(day_repo, "HEAD"), FAKE)[0].commits
    assert commit.subject == "Type add()"
    patch = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    cs = pipeline.read(ChangeSource.from_patch(patch, name="fix"), FAKE)[0]
    assert [f.path for f in cs.files] == ["x.py"] and cs.repo_name == "fix"


def test_the_author_comes_from_the_source_then_the_settings(day_repo):
    commit_files(day_repo, {"b.py": "y = 2\n"}, "Someone else's", email="other@example.com")
    mine = pipeline.read(ChangeSource.for_day(day_repo), FAKE)[0]
    everyone = pipeline.read(ChangeSource.for_day(day_repo, author="all"), FAKE)[0]
    theirs = pipeline.read(ChangeSource.for_day(day_repo), NoteOptions(
        backend="fake", settings={"author": "other@example.com"}))[0]
    assert (len(mine.commits), len(everyone.commits), len(theirs.commits)) == (2, 3, 1)


def test_the_preview_is_redacted_and_calls_no_model(day_repo, requests):
    key = "AKIA" + "Q3EGWJXV5RNT7ZKD"
    commit_files(day_repo, {"conf.py": f'AWS_KEY = "{key}"\n'}, "Add config")
    shown = pipeline.preview(ChangeSource.for_day(day_repo), FAKE)
    prompt, redactions = shown.prompt, shown.redactions
    assert redactions >= 1 and key not in prompt.text() and "conf.py" in prompt.text()
    assert requests() == []


def test_options_land_in_the_backend_section_the_layers_chose():
    assert NoteOptions(model="qwen2.5-coder-0.5b").overrides("embedded") == {
        "embedded.model": "qwen2.5-coder-0.5b"}
    assert NoteOptions(model="/m/x.gguf").overrides("embedded") == {
        "embedded.model_path": "/m/x.gguf"}
    assert NoteOptions(model="served", cache=False).overrides("remote") == {
        "remote.model": "served", "cache": False}
    # named options win over the free-form ones
    assert NoteOptions(backend="fake", settings={"backend": "remote", "redact": False}
                       ).overrides("fake") == {"backend": "fake", "redact": False}
    settings = NoteOptions(settings={"backend": "remote"}, model="served").resolve(None)
    assert settings.backend == "remote" and settings.remote.model == "served"
    with pytest.raises(ConfigError):
        NoteOptions(settings={"generation.max_tokens": 1}).resolve(None)


@pytest.mark.parametrize("value", ["tomorrow", "2024-13-01", "24-01-01"])
def test_a_bad_day_is_one_error_with_the_forms_it_takes(value):
    with pytest.raises(TilgenError) as err:
        parse_day(value)
    assert err.value.exit_code == 2 and "YYYY-MM-DD, 'today' or 'yesterday'" in err.value.message


def test_days_by_name():
    import datetime as dt

    today = dt.date.today()
    assert parse_day(None) == parse_day("") == parse_day("today") == today
    assert parse_day("yesterday") == today - dt.timedelta(days=1)
    assert parse_day("2024-02-29") == parse_day(dt.date(2024, 2, 29)) == dt.date(2024, 2, 29)


def _points(*texts: str) -> dict[str, Any]:
    return {"topic": "덧셈 함수", "keywords": ["덧셈"],
            "points": [{"hunk": 1, "en": "What the code does now.", "text": t} for t in texts]}


def test_of_several_candidates_the_one_naming_the_change_is_kept(
        day_repo, enqueue, requests, monkeypatch):
    monkeypatch.setenv("TILGEN_GENERATION_CANDIDATES", "3")
    said: list[str] = []
    enqueue(_points("함수가 더 좋아졌습니다.", "코드가 바뀌었습니다."),
            "not json", "not json either",  # the second candidate fails twice
            _points("`add`는 이제 `int` 인자를 받고 `int`를 돌려줍니다.", "함수가 바뀌었습니다."))
    result = pipeline.run(ChangeSource.for_day(day_repo), FAKE, on_status=said.append)
    assert "`add`는 이제" in result.note.content
    assert len(requests()) == 4
    assert "writing 3 candidate notes" in said and "kept candidate 3 of 3 (2 valid)" in said


def test_when_every_candidate_fails_the_first_ones_reason_is_told(
        day_repo, enqueue, isolated_home, monkeypatch):
    monkeypatch.setenv("TILGEN_GENERATION_CANDIDATES", "2")
    enqueue("not json", "{}", "not json", "{}")
    with pytest.raises(InvalidNoteError, match="nothing was saved"):
        pipeline.run(ChangeSource.for_day(day_repo), FAKE)
    assert notes(isolated_home) == []


@pytest.fixture
def two_point_repo(repo: Path) -> Path:
    """A day whose plan has two points: a helper swapped in, in two files."""
    commit_files(repo, {"calc.py": "def add(a, b):\n    return plus(a, b)\n",
                        "shapes.py": "def area(w, h):\n    return times(w, h)\n"}, "Add add, area")
    commit_files(repo, {"calc.py": "def add(a, b):\n    return checked_plus(a, b)\n",
                        "shapes.py": "def area(w, h):\n    return checked_times(w, h)\n"},
                 "Use the checked helpers")
    return repo


def test_a_note_is_written_point_by_point_over_the_same_changes(two_point_repo, requests):
    result = pipeline.run(ChangeSource.for_day(two_point_repo), FAKE)
    title, *points = requests()
    assert len(points) == len(result.prompt.focus) == 2
    assert "topic and keywords" in title[-1]["content"]
    for k, (asked, focus) in enumerate(zip(points, result.prompt.focus, strict=True), start=1):
        last = asked[-1]["content"]
        # each answer sees the changes and the plan, a prefix the others share, and is asked
        # for its own point alone, not after the others (a point copied their sentences)
        assert asked[0] == title[0]
        assert last.rsplit("\n", 1)[0] == title[-1]["content"].rsplit("\n", 1)[0]
        assert f"Write only point {k} of the plan now ({focus.plan_line()})" in last
        assert not any(m["role"] == "assistant" for m in asked)
    assert result.note.content.count("\n- ") == 1  # the fake's two equal sentences merge
    assert result.generation is not None and result.generation.completion_tokens == 30


def test_a_point_that_fails_is_stated_from_its_plan_while_the_others_stay(two_point_repo,
                                                                          enqueue):
    cut = {"raw": '{"en": "The sum is', "finish_reason": "length"}
    enqueue({"topic": "검사된 연산", "keywords": ["연산"]}, cut, cut,
            {"en": "Now `checked_times` multiplies.", "text": "`times`를 `checked_times`로 바꿔 "
             "곱셈 결과를 검사합니다."})
    result = pipeline.run(ChangeSource.for_day(two_point_repo), FAKE)
    assert result.note.title.endswith("검사된 연산")
    # what the plan knows of the hunk, said by tilgen in the cut point's place, in order
    bullets = [ln for ln in result.note.content.splitlines() if ln.startswith("- ")]
    assert bullets == ["- 새로 들어간 코드는 `def add(a, b): return checked_plus(a, b)`입니다.",
                       "- `times`를 `checked_times`로 바꿔 곱셈 결과를 검사합니다."]


def test_a_point_cut_at_its_limit_is_asked_once_more_then_keeps_its_opening(two_point_repo,
                                                                            enqueue, requests):
    looped = {"raw": '{"en": "Now checked.", "text": "`plus`를 `checked_plus`로 바꿔 '
                     + "`plus`), " * 40, "finish_reason": "length"}
    cut = {"raw": '{"en": "The', "finish_reason": "length"}  # cut before any opening: out
    enqueue({"topic": "검사된 연산", "keywords": ["연산"]}, looped, looped, cut, cut)
    result = pipeline.run(ChangeSource.for_day(two_point_repo), FAKE)
    assert len(requests()) == 5  # the title, each point twice
    assert "- `plus`를 `checked_plus`로 바꿨습니다." in result.note.content
    assert "`plus`), `plus`" not in result.note.content
    # the point cut before its opening: said by tilgen from the plan
    assert "- 새로 들어간 코드는 `def area(w, h): return checked_times(w, h)`입니다." in (
        result.note.content)


def test_a_point_that_loops_once_is_written_by_its_second_answer(two_point_repo, enqueue):
    enqueue({"topic": "검사된 연산", "keywords": ["연산"]},
            {"raw": '{"en": "Now', "finish_reason": "length"},
            {"en": "Now checked.", "text": "`plus`를 `checked_plus`로 바꿔 덧셈 넘침을 검사합니다."},
            {"en": "Now checked.", "text": "`times`를 `checked_times`로 바꿔 곱셈 넘침을 검사합니다."})
    result = pipeline.run(ChangeSource.for_day(two_point_repo), FAKE)
    assert "덧셈 넘침을 검사합니다" in result.note.content
    assert "곱셈 넘침을 검사합니다" in result.note.content


def test_a_note_whose_points_all_fail_is_written_in_one_answer(two_point_repo, enqueue,
                                                               requests):
    said: list[str] = []
    cut = {"raw": '{"en": "The', "finish_reason": "length"}
    enqueue({"topic": "검사된 연산", "keywords": ["연산"]}, cut, cut, cut, cut)
    result = pipeline.run(ChangeSource.for_day(two_point_repo), FAKE, on_status=said.append)
    assert any("writing it in one answer" in s for s in said)
    *_, last = requests()
    assert last[-1]["content"].endswith("Write the JSON answer now. (Korean prose, formal style.)")
    assert len(requests()) == 6 and result.note.content.count("\n- ") >= 1


def test_the_live_view_reads_a_point_by_point_note_as_one_answer(two_point_repo, enqueue):
    from tilgen.note.partial import PartialJSON, draft

    enqueue({"topic": "검사된 연산", "keywords": ["연산"]},
            {"en": "Now checked.", "text": "`plus`를 `checked_plus`로 바꿔 덧셈을 검사합니다."},
            {"en": "Now checked.", "text": "`times`를 `checked_times`로 바꿔 곱셈을 검사합니다."})
    reader = PartialJSON()
    pipeline.run(ChangeSource.for_day(two_point_repo), FAKE, on_token=reader.feed)
    shown = draft(reader.value)
    assert shown.title == "검사된 연산" and len(shown.points) == 2
    assert shown.points[1].startswith("`times`를 `checked_times`로")
