"""The commands that write notes: today, commit, staged, working, patch."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tilgen.cli import output
from tilgen.cli.options import NoteFlags
from tilgen.git.source import ChangeSource

if TYPE_CHECKING:
    from tilgen.config.settings import Settings
    from tilgen.note.schema import TilNote
    from tilgen.pipeline import NoteResult


def run_note(source: ChangeSource, flags: NoteFlags) -> None:
    """Write, print and (unless told not to) save the note for ``source``."""
    from tilgen import pipeline
    from tilgen.cli.live import NoteStream

    if flags.show_prompt:  # what would be sent (compacted, redacted, fitted), no model
        with output.spinner("reading changes"):
            shown = pipeline.preview(source, flags.options)
        output.write_out(shown.prompt.text() + "\n")
        if shown.redactions:
            output.status(f"{shown.redactions} secret(s) redacted")
        output.status(shown.describe())
        return
    stream = NoteStream(enabled=not flags.json_out and not output.quiet())
    with ExitStack() as waiting:
        # A spinner until the pipeline's first word (a cache hit may bring none at all).
        waiting.enter_context(output.spinner("reading changes"))

        def first(callback: Callable[..., None]) -> Callable[..., None]:
            def call(*args: Any) -> None:
                waiting.close()
                callback(*args)
            return call

        try:
            # No token callback when nothing is shown: a replica failing mid-answer can then
            # be replaced by another one (see Chunk.restart in backends/base.py).
            result = pipeline.run(source, flags.options,
                                  on_token=first(stream.feed) if stream.enabled else None,
                                  on_status=first(stream.status),
                                  progress=first(stream.progress),
                                  review=_edit if flags.edit else None)
        finally:
            waiting.close()
            stream.close()
    if flags.json_out:
        output.write_out(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
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


def run_all(flags: NoteFlags, *, day: str | None, author: str | None, under: Path | None) -> None:
    """``today --all``: one line per repository; exit 1 when any of them failed."""
    from tilgen.batch import find_repos, today_all
    from tilgen.config.layers import load_settings
    from tilgen.errors import ExitCode, TilgenError
    from tilgen.git.source import parse_day

    if flags.edit or flags.show_prompt or flags.json_out or not flags.options.save:
        raise TilgenError("--all writes every note as it is: without --edit, --show-prompt, "
                          "--json or --no-save", exit_code=ExitCode.USAGE)
    user = load_settings(repo_root=None).settings  # `repos` is read from the user config only
    failed = 0
    for outcome in today_all(find_repos(user.repos, under), day=parse_day(day), author=author,
                             options=flags.options,
                             on_status=output.status if output.verbose() else None):
        failed += not outcome.ok
        output.console().print(outcome.line(), markup=False, highlight=False, soft_wrap=True)
    if failed:
        raise SystemExit(int(ExitCode.ERROR))


def _edit(result: NoteResult, settings: Settings) -> TilNote:
    """The note after the user's edit, validated like the model's (a second chance given)."""
    from tilgen.log.edit import edit_until_valid, note_checker
    from tilgen.note.schema import validate_note
    from tilgen.note.store import render_file
    from tilgen.pipeline import note_meta

    note, day = result.note, result.changes.date
    edited: TilNote = edit_until_valid(render_file(note, note_meta(result)), note_checker(
        note.title, note.keywords, lambda data: validate_note(data, date=day,
                                                             language=settings.language)),
        name=day.isoformat(), status=output.status)
    return edited
