"""The commands that write notes: today, commit, staged, working, patch."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tilgen.git.changes import ChangeSet
from tilgen.cli import output
from tilgen.cli.options import NoteOptions
from tilgen.errors import TilgenError


def parse_day(value: str | None) -> dt.date:
    if value in (None, "", "today"):
        return dt.date.today()
    if value == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(value)  # type: ignore[arg-type]
    except ValueError:
        raise TilgenError(f"invalid --date {value!r}: use YYYY-MM-DD, 'today' or 'yesterday'",
                          exit_code=2) from None


def _settings(opts: NoteOptions, repo_root: Path | None) -> Any:
    from tilgen.config.layers import load_settings

    first = load_settings(repo_root=repo_root, cli=NoteOptions(repo=opts.repo, backend=opts.backend)
                          .cli_overrides("embedded")).settings
    return load_settings(repo_root=repo_root, cli=opts.cli_overrides(first.backend)).settings


def run_note(opts: NoteOptions, collect: Callable[[], ChangeSet], *,
             repo_root: Path | None) -> None:
    """Collect changes, generate, print and save the note."""
    from tilgen import pipeline

    settings = _settings(opts, repo_root)
    with output.spinner("reading changes"):
        cs = collect()
    if opts.show_prompt:
        _show_prompt(cs, settings)
        return
    from tilgen.cli.live import NoteStream

    stream = NoteStream(enabled=not opts.json_out and not output.quiet())
    try:
        result = pipeline.generate_note(
            cs, settings, on_token=stream.feed, on_status=stream.status, progress=stream.progress
        )
    finally:
        stream.close()
    if opts.edit:
        result.note = _edit(result, settings)
    if not opts.no_save:
        pipeline.save(result, settings)
    if opts.json_out:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    if not output.quiet():
        output.print_markdown(result.note.content)
    if result.fallback_from:
        output.status(f"written with the fallback backend {result.backend} "
                      f"({result.fallback_from} was unreachable)")
    if result.from_cache:
        output.status("nothing new since the last note: reused it without calling a model")
    if result.path:
        output.status(f"saved {result.path}")


def run_all(opts: NoteOptions, *, day: dt.date, author: str | None, under: Path | None) -> None:
    """``today --all``: one line per repository; exit 1 when any of them failed."""
    from tilgen.batch import find_repos, today_all
    from tilgen.config.layers import load_settings
    from tilgen.errors import ExitCode

    if opts.edit or opts.show_prompt or opts.json_out or opts.no_save:
        raise TilgenError("--all writes every note as it is: without --edit, --show-prompt, "
                          "--json or --no-save", exit_code=ExitCode.USAGE)
    user = load_settings(repo_root=None).settings  # `repos` is read from the user config only
    first = load_settings(repo_root=None, cli=opts.cli_overrides("embedded")).settings
    failed = 0
    for outcome in today_all(find_repos(user.repos, under), day=day, author=author,
                             cli=opts.cli_overrides(first.backend),
                             on_status=output.status if output.verbose() else None):
        failed += not outcome.ok
        output.console().print(outcome.line(), markup=False, highlight=False, soft_wrap=True)
    if failed:
        raise SystemExit(int(ExitCode.ERROR))


def _edit(result: Any, settings: Any) -> Any:
    """The note after the user's edit, validated like the model's (a second chance given)."""
    from tilgen.log.edit import edit_until_valid, note_checker
    from tilgen.note.schema import validate_note
    from tilgen.note.store import render_file
    from tilgen.pipeline import note_meta

    note, day = result.note, result.changes.date
    return edit_until_valid(render_file(note, note_meta(result)), note_checker(
        note.title, note.keywords, lambda data: validate_note(data, date=day,
                                                             language=settings.language)),
        name=day.isoformat(), status=output.status)


def _show_prompt(cs: ChangeSet, settings: Any) -> None:
    """Print exactly what would be sent (after compaction and redaction), without a model."""
    from tilgen.pipeline import prepare
    from tilgen.note.prompt import build_prompt

    prepared, languages, redactions = prepare(cs, settings)
    prompt = build_prompt(prepared, languages=languages, language=settings.language,
                          mode=settings.note_format)
    sys.stdout.write(prompt.text() + "\n")
    if redactions:
        output.status(f"{redactions} secret(s) redacted")
