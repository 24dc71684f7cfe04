"""tilgen digest: a weekly or monthly note from the daily notes already saved."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from tilgen.cli import output
from tilgen.cli.errors import handle_errors


def command(
    week: bool = typer.Option(False, "--week", help="The week (Monday to Sunday) of --date (default)."),
    month: bool = typer.Option(False, "--month", help="The month of --date."),
    date: str | None = typer.Option(None, "--date", "-d", help="A day in the period (default: today)."),
    repo: str | None = typer.Option(None, "--repo", "-C", help="Only this repository's notes."),
    all_repos: bool = typer.Option(False, "--all", help="Every repository's notes (the default)."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="embedded | remote."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model name or .gguf path."),
    notes_dir: str | None = typer.Option(None, "--notes-dir", help="The notes directory."),
    no_save: bool = typer.Option(False, "--no-save", help="Do not write the digest file."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Generate again."),
    edit: bool = typer.Option(False, "--edit", help="Open the digest in $VISUAL/$EDITOR first."),
    json_out: bool = typer.Option(False, "--json", help="Print the validated JSON only."),
) -> None:
    """Write a Korean weekly (or monthly) digest of the saved daily notes."""

    def go() -> None:
        from tilgen.cli.log_cmd import repo_name
        from tilgen.errors import ExitCode, TilgenError
        from tilgen.git.source import parse_day
        from tilgen.log.digest_run import write_digest

        if week and month:
            raise TilgenError("choose --week or --month, not both", exit_code=ExitCode.USAGE)
        if repo and all_repos:
            raise TilgenError("choose --repo or --all, not both", exit_code=ExitCode.USAGE)
        from tilgen.options import NoteOptions

        settings = NoteOptions(backend=backend, model=model, notes_dir=notes_dir,
                               cache=False if no_cache else None).resolve(None)
        result = write_digest(settings, day=parse_day(date), kind="month" if month else "week",
                              repo=repo_name(repo), on_status=output.status, save=not no_save,
                              edit=_editor("digest") if edit else None)
        if json_out:
            sys.stdout.write(json.dumps(result.note.model_dump(), ensure_ascii=False, indent=2)
                             + "\n")
            return
        if not output.quiet():
            output.print_markdown(result.note.content)
        if result.from_cache:
            output.status("the daily notes did not change: reused the digest without a model")
        if result.path:
            output.status(f"saved {result.path}")

    handle_errors(go)


def _editor(name: str) -> Any:
    from tilgen.log.edit import edit_until_valid, note_checker

    def edit(text: str, validate: Any) -> Any:
        from tilgen.log.notes import split_front_matter

        meta, _ = split_front_matter(text)
        meta = meta or {}
        return edit_until_valid(text, note_checker(meta.get("title", ""), meta.get("keywords", []),
                                                   validate), name=name, status=output.status)

    return edit
