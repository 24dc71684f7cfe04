"""End to end through the real CLI: collect, generate, validate, save."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import FAKE, assert_clean, tilgen
from tests.conftest import commit_files, git
from tests.models import TEST_MODEL, test_model_path
from tilgen.errors import ExitCode
from tilgen.note.schema import validate_note


def read_note(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, body = text[4:].split("\n---\n", 1)
    meta = {k: json.loads(v) for k, v in (line.split(": ", 1) for line in head.splitlines())}
    return meta, body.strip() + "\n"


def notes(home: Path) -> list[Path]:
    return sorted((home / "data" / "notes").rglob("*/*.md"))


@pytest.fixture
def day_repo(repo: Path) -> Path:
    commit_files(repo, {"calc.py": "def add(a, b):\n    return a + b\n"}, "Add add()")
    commit_files(repo, {"calc.py": "def add(a: int, b: int) -> int:\n    return a + b\n"},
                 "Type add()")
    return repo


def test_today_with_a_plugin_backend_saves_a_valid_note(day_repo, isolated_home):
    proc = tilgen("today", "--backend", FAKE, cwd=day_repo)
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    [path] = notes(isolated_home)
    assert path.parent.name == "project"
    meta, body = read_note(path)
    assert meta["backend"] == "fake" and meta["repo"] == "project"
    assert len(meta["commits"]) == 2 and meta["prompt_version"]
    note = validate_note({"title": meta["title"], "keywords": meta["keywords"], "content": body},
                         date=__import__("datetime").date.fromisoformat(meta["date"]))
    assert "```python" in note.content  # snippet rendered from the patch


def test_a_cache_hit_loads_no_secret_scanner_and_redact_is_part_of_the_key(day_repo, tmp_path):
    log = tmp_path / "requests.jsonl"
    env = {"TILGEN_FAKE_LOG": str(log), "PYTHONPROFILEIMPORTTIME": "1"}
    first = tilgen("today", "-b", FAKE, cwd=day_repo, env=env)
    assert first.returncode == 0 and "tilgen.secrets.redact" in first.stderr
    hit = tilgen("today", "-b", FAKE, cwd=day_repo, env=env)
    assert "reused" in hit.stderr and "tilgen.secrets.redact" not in hit.stderr
    # turning redaction off changes what would be sent: not the same note
    off = tilgen("today", "-b", FAKE, cwd=day_repo, env={**env, "TILGEN_REDACT": "false"})
    assert off.returncode == 0 and "reused" not in off.stderr
    assert len(log.read_text().splitlines()) == 2


def test_json_output_is_the_validated_note_only(day_repo):
    proc = tilgen("today", "-b", FAKE, "--json", "--no-save", cwd=day_repo)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"title", "keywords", "content"}


def test_show_prompt_needs_no_model(day_repo, isolated_home):
    proc = tilgen("today", "--show-prompt", cwd=day_repo,
                  env={"TILGEN_EMBEDDED_MODEL_PATH": "/nonexistent/model.gguf"})
    assert proc.returncode == 0, proc.stderr
    assert "Type add()" in proc.stdout and "[#1] calc.py" in proc.stdout
    assert "**Python**" in proc.stdout
    assert notes(isolated_home) == []


def test_nothing_today_names_what_was_searched(repo):
    commit_files(repo, {"a.txt": "x\n"}, "old", date="2001-01-01T12:00:00")
    proc = tilgen("today", cwd=repo)
    assert proc.returncode == ExitCode.NO_CHANGES
    assert_clean(proc)
    assert "--author all" in proc.stderr or "--date" in proc.stderr


def test_patch_from_stdin(tmp_path, isolated_home):
    from tilgen.tools.evaluate import builtin_corpus

    diff = builtin_corpus() / "go-context-timeout.diff"
    proc = tilgen("patch", "-", "-b", FAKE, "--json", input=diff.read_bytes(), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["title"].endswith("변경 사항 정리")


def test_missing_model_file_is_one_line(day_repo):
    proc = tilgen("today", "--model", "/nonexistent/x.gguf", cwd=day_repo)
    assert proc.returncode == ExitCode.MODEL
    assert_clean(proc)
    assert "model pull" in proc.stderr or "model_path" in proc.stderr


def test_corrupt_model_file_is_one_line(day_repo, tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"<html>not a model</html>")
    proc = tilgen("today", "--model", str(bad), cwd=day_repo)
    assert proc.returncode == ExitCode.MODEL
    assert_clean(proc)
    assert "not a GGUF" in proc.stderr


@pytest.mark.model
def test_real_embedded_model_end_to_end(day_repo, isolated_home):
    """The real 0.5B model through the CLI; the saved file must pass the schema."""
    path = test_model_path()
    proc = tilgen("today", "--model", TEST_MODEL, cwd=day_repo,
                  env={"TILGEN_MODELS_DIR": str(path.parent)})
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    [saved] = notes(isolated_home)
    meta, body = read_note(saved)
    assert meta["model"] == TEST_MODEL and meta["backend"] == "embedded"
    import datetime as dt

    validate_note({"title": meta["title"], "keywords": meta["keywords"], "content": body},
                  date=dt.date.fromisoformat(meta["date"]))
    assert git(day_repo, "status", "--porcelain") == ""


@pytest.mark.model
def test_direct_format_grammar_is_accepted_by_llama_cpp(day_repo, isolated_home):
    """--format direct decodes under the note's own JSON schema; llama.cpp must accept that
    grammar (a maxLength on content once made it refuse, and the run died)."""
    path = test_model_path()
    proc = tilgen("today", "--format", "direct", "--model", TEST_MODEL, "--no-save",
                  cwd=day_repo, env={"TILGEN_MODELS_DIR": str(path.parent)})
    assert "error parsing grammar" not in proc.stderr
    assert proc.returncode in (ExitCode.OK, ExitCode.INVALID_NOTE), proc.stderr[-2000:]
    assert_clean(proc)


def test_python_api_generates_and_saves(day_repo, isolated_home):
    from tilgen import generate_note

    result = generate_note(day_repo, settings={"backend": FAKE})
    assert result.path is not None and result.path.exists()
    assert result.note.title.startswith(result.changes.date.isoformat())
    assert len(result.changes.commits) == 2


@pytest.mark.model
def test_python_api_keeps_the_model_loaded_between_calls(day_repo, isolated_home):
    """Apps call generate_note once per note: the second call must not load the model again."""
    from tilgen import generate_note
    from tilgen.backends import embedded
    from tilgen.errors import InvalidNoteError

    path = test_model_path()
    settings = {"embedded.model_path": str(path)}

    def note(commit: str):  # type: ignore[no-untyped-def]
        try:
            return generate_note(day_repo, commit=commit, save=False, settings=settings)
        except InvalidNoteError:  # the 0.5B model's answer may be rejected: loading is tested
            return None

    first = note("HEAD~1")
    [loaded] = embedded._LOADED.values()
    second = note("HEAD")
    assert list(embedded._LOADED.values()) == [loaded]  # the same model object, not reloaded
    if second is not None:
        assert second.backend == "embedded" and (first is None or first.backend == "embedded")
        assert second.generation is not None and second.generation.load_seconds == 0


def test_startup_does_not_import_heavy_backends():
    import subprocess
    import sys

    code = ("import sys; from tilgen.cli.main import app; "
            "from typer.testing import CliRunner; r = CliRunner()\n"
            "r.invoke(app, ['--help']); r.invoke(app, ['config', 'show'])\n"
            "bad = [m for m in ('llama_cpp', 'openai', 'huggingface_hub', 'detect_secrets') "
            "if m in sys.modules]\nprint(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
