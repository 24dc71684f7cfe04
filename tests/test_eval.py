"""`tilgen eval` through the real CLI, and the quality measures it reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import FAKE, assert_clean, tilgen
from tilgen.git.changes import FileChange, Hunk
from tilgen.note.quality import score

DAY = "2026-11-22"
FILES = [FileChange(path="app/retry.py", language="Python", hunks=[Hunk(
    "@@ -1,2 +1,3 @@", [" def fetch(url):", "+    delay = min(2 ** attempt, 30)", "     return get(url)"])])]


def note(content: str, *, title: str = f"{DAY} TIL - 재시도", keywords: list[str] | None = None):
    return {"title": title, "keywords": keywords or ["재시도"], "content": content}


def test_eval_runs_the_builtin_corpus_and_saves_a_report(isolated_home: Path):
    proc = tilgen("eval", "-b", FAKE, "--json")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    report = json.loads(proc.stdout)
    summary = report["summary"]
    assert summary["cases"] == summary["schema_valid"] == summary["format_ok"] == 3
    assert report["prompt_version"] and report["machine"]["cores"]
    saved = Path(report["saved"])
    assert saved.is_file() and saved.is_relative_to(isolated_home)
    assert json.loads(saved.read_text(encoding="utf-8"))["summary"] == summary

    table = tilgen("eval", "-b", FAKE, "--markdown", "--limit", "1").stdout
    assert "| schema-valid |" in table and "| fake-model | fake | points | 1/1 |" in table


def test_eval_counts_invalid_notes_and_keeps_going(tmp_path: Path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(["not json", "still not json"]))
    proc = tilgen("eval", "-b", FAKE, "--json", env={"TILGEN_FAKE_ANSWERS": str(answers)})
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["summary"]
    assert (summary["cases"], summary["schema_valid"], summary["json_valid"]) == (3, 2, 2)
    assert "BAD" in proc.stderr


def test_a_directory_without_cases_is_a_clean_usage_error(tmp_path: Path):
    proc = tilgen("eval", str(tmp_path), "-b", FAKE)
    assert proc.returncode == 2
    assert_clean(proc)
    assert "has no cases.jsonl" in proc.stderr


def test_grounding_counts_snippet_lines_and_names_found_in_the_patch():
    content = (f"# {DAY} TIL\n\n- `fetch`는 `delay`로 재시도 간격을 늘립니다.\n\n```python\n"
               "delay = min(2 ** attempt, 30)\ntime.sleep(invented)\n```\n\n"
               "- `backoff.py`의 `jitter`를 더합니다.\n")
    s = score(note(content), date=DAY, files=FILES)
    assert (s.snippet_lines, s.grounded_lines) == (2, 1)
    assert (s.names, s.grounded_names) == (4, 2)  # backoff.py and jitter are not in the patch
    assert s.format_ok and not s.repeated


def test_repetition_and_format_failures_are_reported():
    looped = f"# {DAY} TIL\n\n- " + "값을 다시 계산하여 저장합니다 그리고 " * 4 + "끝납니다.\n"
    s = score(note(looped), date=DAY, files=FILES)
    assert s.repeated
    bad = score(note(f"# {DAY} TIL\n\n- 마침표가 없습니다\n", title="TIL - x",
                     keywords=["english"]), date=DAY, files=FILES)
    assert not (bad.title_date or bad.bullets_period or bad.keywords_ok or bad.format_ok)


def test_korean_share_reads_the_prose_only():
    content = f"# {DAY} TIL\n\n- `exponentialBackoff`로 재시도합니다.\n\n```python\nretry_all()\n```\n"
    assert score(note(content), date=DAY, files=FILES).korean_share == 1.0
    mixed = f"# {DAY} TIL\n\n- retry 재시도.\n"
    assert score(note(mixed), date=DAY, files=FILES).korean_share == 0.375  # 3 Hangul, 5 Latin


@pytest.mark.slow
def test_a_saved_report_is_rescored_without_a_model(tmp_path: Path):
    report = json.loads(tilgen("eval", "-b", FAKE, "--json").stdout)
    assert report["summary"]["facts"] == 6  # the built-in corpus carries facts.jsonl
    for case in report["cases"]:  # a report of older measures: no scores, no fact counts
        case["scores"] = {}
        del case["facts"]
    report["cases"][0]["note"]["content"] += "\n- 오늘 204번 커밋에서 바꿨습니다.\n"
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")

    proc = tilgen("eval", "--rescore", str(saved), "--json")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    again = json.loads(proc.stdout)
    first = again["cases"][0]
    assert first["seconds"] == report["cases"][0]["seconds"] and first["facts"] == 2
    assert first["scores"]["meta_bullets"] == 1 and "204" in first["scores"]["invented_numbers"]
    assert again["summary"]["meta_bullets"] == 1 and again["summary"]["facts"] == 6

    table = tilgen("eval", "--rescore", str(saved), "--markdown").stdout
    assert "| fact recall |" in table and "| py-retry-backoff | yes |" in table

    lines = tmp_path / "cases.jsonl"  # one case result a line, the corpus named
    lines.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in report["cases"]))
    from tilgen.tools.evaluate import builtin_corpus

    proc = tilgen("eval", str(builtin_corpus()), "--rescore", str(lines), "--json")
    rows = json.loads(proc.stdout)
    assert rows["summary"] == again["summary"]

    bad = tilgen("eval", "--rescore", str(tmp_path / "missing.json"))
    assert bad.returncode == 2 and "is not a saved eval report" in bad.stderr
    assert_clean(bad)


def test_eval_runs_only_the_cases_named():
    proc = tilgen("eval", "-b", FAKE, "--json", "--case", "go-context-timeout")
    assert proc.returncode == 0, proc.stderr
    assert [c["id"] for c in json.loads(proc.stdout)["cases"]] == ["go-context-timeout"]
    bad = tilgen("eval", "-b", FAKE, "--case", "nope")
    assert bad.returncode == 2 and "has no case nope" in bad.stderr
    assert_clean(bad)


@pytest.mark.server
def test_eval_through_a_real_server_reports_the_readers_measures(isolated_home, llama_server):
    from tests.servers import LLAMA_SERVER_CTX, TEST_MODEL_ALIAS

    proc = tilgen("eval", "--backend", "remote", "--limit", "1", "--json", env={
        "TILGEN_REMOTE_BASE_URLS": llama_server, "TILGEN_REMOTE_MODEL": TEST_MODEL_ALIAS,
        "TILGEN_REMOTE_CONTEXT_LENGTH": str(LLAMA_SERVER_CTX),
        "TILGEN_GENERATION_MAX_TOKENS": "500"})
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["backend"] == "remote" and report["summary"]["cases"] == 1
    [case] = report["cases"]
    scores = case["scores"] or {}
    if case["ok"]:  # the 0.5B model's note may be rejected; the measures are what is tested
        assert {"facts", "facts_strict", "invented_numbers", "meta_bullets",
                "vacuous_bullets", "boilerplate_snippets"} <= set(scores)
        assert scores["facts"] >= 2
    assert {"fact_recall_strict", "fact_recall_loose"} <= set(report["summary"])
