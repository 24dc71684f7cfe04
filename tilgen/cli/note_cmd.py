"""The commands that write notes: today, commit, staged, working, patch."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tilgen.git.changes import ChangeSet
from tilgen.cli import output
from tilgen.cli.options import NoteOptions
from tilgen.errors import TilgenError


EPOCH = dt.date(1970, 1, 1)


def parse_day(value: str | None) -> dt.date:
    if value in (None, "", "today"):
        return dt.date.today()
    if value == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(value)  # type: ignore[arg-type]
    except ValueError:
        raise TilgenError(f"invalid --date {value!r}: use YYYY-MM-DD, 'today' or 'yesterday'",
                          exit_code=2) from None
    if day < EPOCH:
        raise TilgenError(f"--date {value} is before 1970-01-01, the first day a git commit "
                          "can carry; use a later date", exit_code=2)
    if day > dt.date.today() + dt.timedelta(days=1):
        raise TilgenError(f"--date {value} is in the future, so no commit was made that day; "
                          "use today or an earlier date", exit_code=2)
    return day


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


def _show_prompt(cs: ChangeSet, settings: Any) -> None:
    """Print what would be sent (compacted, redacted, fitted to the context), without a model."""
    from tilgen.pipeline import fit_prompt, prepare

    prepared, languages, redactions = prepare(cs, settings)
    counter = _Estimate(settings)
    fitted, prompt = fit_prompt(prepared, counter, settings, languages)
    output.write_out(prompt.text() + "\n")
    if redactions:
        output.status(f"{redactions} secret(s) redacted")
    left = f"; {len(fitted.omitted)} part(s) left out to fit" if fitted.omitted else ""
    output.status(f"fitted to the {counter.name} backend's {counter.context_length()}-token "
                  f"context ({counter.source}), counted with tilgen's token estimate, not the "
                  f"model's tokenizer (no model is loaded){left}")


class _Estimate:
    """The context a backend would have and an estimated token count, known from settings
    alone: --show-prompt never loads a model or calls a server."""

    def __init__(self, settings: Any) -> None:
        self.name = settings.backend
        remote = settings.remote.context_length if settings.backend == "remote" else None
        self._context = remote or settings.embedded.n_ctx
        self.source = ("remote.context_length" if remote else "embedded.n_ctx"
                       if settings.backend == "embedded" else "assumed: embedded.n_ctx")

    def context_length(self) -> int:
        return int(self._context)

    def count_tokens(self, text: str) -> int:
        from tilgen.backends.base import estimate_tokens

        return estimate_tokens(text)
