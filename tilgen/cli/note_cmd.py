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
