"""Generated hostile input, 10,000 cases each, for the three readers of input from outside:
the patch parser (with the steps after it that need no model), the config reader, and the
note renderer with the note path. The only exceptions allowed are tilgen's own, which the CLI
turns into one line and an exit code."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tilgen.config import trust
from tilgen.errors import ConfigError, InvalidNoteError, NoChangesError, TilgenError

MANY = settings(max_examples=int(os.environ.get("TILGEN_PROPERTY_EXAMPLES", "10000")),
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
pytestmark = pytest.mark.slow

# -- the patch parser -------------------------------------------------------------------------

_DIFFISH = st.sampled_from([
    "diff --git a/x.py b/y.py", "diff --git \"a/\\303\" b/q", "diff --cc z", "--- a/x.py",
    "+++ b/x.py", "--- /dev/null", "+++ /dev/null", "@@ -1,2 +1 @@", "@@ -1 +1 @@ def f():",
    "@@@ -1 -1 +1 @@@", "@@ -0,0 +1,3 @@", "@@ -99999999999999999999 +1 @@", "+", "-", " ",
    "\\ No newline at end of file", "commit 0123456789abcdef0123456789abcdef01234567",
    "Merge: a b", "Author: A <a@b.c>", "Date:   Fri Dec 31 23:59:59 9999 +1400",
    "Date:   Thu Jan 1 00:00:00 1970 -1200", "Date: x", "Date: Mon, 1 Jan 0001 00:00:00 +0000",
    "    msg", "", "rename from \"a\\", "rename to b", "index 1..2 160000", "new file mode 100755",
    "old mode 120000", "deleted file mode 100644", "Binary files a/x and b/x differ",
    "GIT binary patch", "literal 12", "From 0123456789012345678901234567890123456789 Mon Sep 17",
    "Subject: [PATCH] x", "+Subproject commit 0123456789012345678901234567890123456789",
    '"\\377\\', "similarity index 99999999999%", "+<<<<<<< HEAD", "+=======", "+>>>>>>> b",
    "+AKIAIOSFODNN7EXAMPLE", "+password = 'hunter2hunter2'", "+\x00\x01\x7f", "+\u202e\ufeff",
])


@MANY
@given(st.lists(st.one_of(_DIFFISH, st.text(max_size=40)), max_size=30),
       st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_patch_text_is_parsed_compacted_and_prompted(lines: list[str], newline: str) -> None:
    from tilgen.fit.compact import compact
    from tilgen.git.changes import conflict_files, without_text
    from tilgen.git.collect import collect_patch
    from tilgen.git.languages import main_languages
    from tilgen.note.prompt import build_prompt

    try:
        cs = collect_patch(newline.join(lines).encode("utf-8", "surrogatepass"), name="x.diff")
    except NoChangesError:
        return
    cs = compact(cs)
    without_text(cs)
    conflict_files(cs)
    prompt = build_prompt(cs, languages=main_languages(cs.files), language="ko", mode="points")
    assert isinstance(prompt.text(), str)
    for f in cs.files:
        assert f.added >= 0 and f.removed >= 0 and isinstance(f.path, str)


@MANY
@given(st.binary(max_size=600))
def test_any_patch_bytes_parse(data: bytes) -> None:
    from tilgen.git.collect import collect_patch

    try:
        collect_patch(data, name="-")
    except NoChangesError:
        pass


# -- the config reader ------------------------------------------------------------------------

_KEYS = st.sampled_from([
    "backend", "fallback_backend", "notes_dir", "note_filename", "language", "note_format",
    "author", "redact", "ignore", "cache", "embedded", "remote", "generation", "plugins",
    "api_key", "token", "n_ctx", "model", "base_urls", "max_tokens", "tool", "tilgen", "",
    " ", "a.b", "\u00e9", "password",
])
_SCALARS = st.one_of(
    st.booleans(), st.integers(min_value=-2**70, max_value=2**70), st.text(max_size=20),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([
        "{repo}/{date}.md", "{0}.md", "{nope}", "{repo}/", "../../x", "/etc/passwd", "{", "}",
        "this:print", "remote", "embedded", "ko", "en", "points", "direct", "http://u:p@h/v1",
        "none", "null", "true", "1e999"]),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=8)
_TABLES = st.dictionaries(_KEYS, _VALUES, max_size=6)


_IS_TRUSTED = trust.is_trusted


def _toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _toml(value: object) -> str:
    """A generated value as TOML (inline tables and arrays; quicker than tomlkit)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else "inf" if value == float("inf") else \
            "-inf" if value == float("-inf") else repr(value)
    if isinstance(value, (int, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def _read_all(repo: Path) -> None:
    from tilgen.config.layers import ignored_rows, load_settings, settings_rows

    try:
        resolved = load_settings(repo_root=repo, env={}, warn=False)
    except ConfigError:
        return
    settings_rows(resolved, env={})
    ignored_rows(resolved)


@MANY
@given(_TABLES, st.booleans())
def test_any_config_table_is_read_or_refused_in_one_line(tmp_path: Path, table: dict,
                                                          trusted: bool) -> None:
    text = "".join(f"{_toml_key(k)} = {_toml(v)}\n" for k, v in table.items())
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    path = repo / ".tilgen.toml"
    path.write_text(text, encoding="utf-8")
    trust.is_trusted = lambda _path: trusted  # type: ignore[assignment]  # no state file per case
    try:
        _read_all(repo)
    finally:
        trust.is_trusted = _IS_TRUSTED


@MANY
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from([
    "[embedded]", "[remote]", "[tool.tilgen]", "[[x]]", "a = 1", "backend = 'remote'",
    'note_filename = "{0}"', "n_ctx = 99999999999999999999", "x = [1, 'a']", "= 1", "[", '"',
    "language = 'ko'", "redact = false", "\x00", "\ufeff", "tool = 1", "tilgen = 'x'",
]), max_size=8).map("\n".join)), st.sampled_from([".tilgen.toml", "pyproject.toml"]))
def test_any_config_text_is_read_or_refused_in_one_line(tmp_path: Path, text: str,
                                                         name: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    for old in (".tilgen.toml", "pyproject.toml"):
        (repo / old).unlink(missing_ok=True)
    path = repo / name
    path.write_text(("[tool.tilgen]\n" + text) if name == "pyproject.toml" else text,
                    encoding="utf-8", errors="surrogatepass")
    _read_all(repo)


# -- the note renderer and the note path ------------------------------------------------------

_TEXT = st.one_of(st.text(max_size=80), st.sampled_from([
    "이 변경은 함수의 동작을 명확하게 정리합니다.", "제가 값을 바꿉니다.", "I think this is good.",
    "`code` 만 있습니다", "", " ", "。", "---", "```", "# 제목", "- 목록", "\u202e", "🙂" * 30,
]))
_POINTS = st.fixed_dictionaries({
    "topic": _TEXT, "keywords": st.lists(_TEXT, max_size=5),
    "points": st.lists(st.fixed_dictionaries({"text": _TEXT, "hunk": st.integers(-3, 12)}),
                       min_size=1, max_size=6)})
_HUNK_LINES = st.lists(st.one_of(st.sampled_from(["+x = 1", "-y = 2", " z", "+", "+```",
                                                  "\\ No newline"]),
                                 st.text(max_size=30).map(lambda t: "+" + t)), max_size=12)
_DATES = st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(9999, 12, 31))


@MANY
@given(_POINTS, st.lists(st.tuples(st.sampled_from(["a.py", "b.rs", "c", "d.md", "코드.go"]),
                                   st.sampled_from(["Python", "Rust", None, "Go"]), _HUNK_LINES),
                         max_size=5), _DATES, st.sampled_from(["ko", "en"]))
def test_any_points_answer_renders_or_is_refused(answer: dict, hunks: list, date: dt.date,
                                                 language: str) -> None:
    from tilgen.git.changes import FileChange, Hunk
    from tilgen.note.render import render_points
    from tilgen.note.schema import PointsAnswer, parse_json, validate_note
    from tilgen.note.store import render_file

    pairs = [(FileChange(path, language=lang), Hunk("@@ -1 +1 @@", lines))
             for path, lang, lines in hunks]
    try:
        parsed = PointsAnswer.model_validate(parse_json(json.dumps(answer, ensure_ascii=False)))
    except (InvalidNoteError, ValueError):
        return
    try:  # every point dropped by the checks is a refusal too, named in one line
        data = render_points(parsed, date=date, hunks=pairs)
        note = validate_note(data, date=date, language=language)
    except InvalidNoteError:
        return
    text = render_file(note, {"date": date.isoformat(), "repo": "r", "commits": []})
    assert text.startswith("---\n") and note.content.strip() in text


@MANY
@given(st.text(max_size=30), st.text(max_size=40), _DATES)
def test_any_note_path_stays_inside_the_notes_dir(tmp_path: Path, repo: str, pattern: str,
                                                  date: dt.date) -> None:
    from tilgen.note.store import note_path

    base = tmp_path / "notes"
    try:
        path = note_path(notes_dir=str(base), pattern=pattern, repo=repo, date=date.isoformat())
    except ConfigError:
        return
    resolved = Path(*path.parts)  # lexically: no '..' can remain
    assert ".." not in resolved.relative_to(base).parts
    assert resolved != base and str(resolved).startswith(str(base) + "/")


def test_the_allowed_errors_are_tilgens_own() -> None:
    for cls in (ConfigError, InvalidNoteError, NoChangesError):
        assert issubclass(cls, TilgenError)
