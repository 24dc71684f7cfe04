"""The learning-log commands: index, search, edit."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from tilgen.cli import output
from tilgen.cli.errors import handle_errors

NotesDirOpt = typer.Option(None, "--notes-dir", help="The notes directory (default: settings).")


def log_settings(notes_dir: str | None, **cli: Any) -> Any:
    from tilgen.config.layers import load_settings

    overrides = {"notes_dir": notes_dir, **cli}
    return load_settings(repo_root=None,
                         cli={k: v for k, v in overrides.items() if v is not None}).settings


def repo_name(value: str | None) -> str | None:
    """``--repo`` names a repository as its notes do; a directory stands for its own name."""
    if value is None:
        return None
    path = Path(value)
    return path.resolve().name if value in (".", "..") or path.is_dir() else value


def index_command(notes_dir: str | None = NotesDirOpt) -> None:
    """Write README.md in the notes directory: every note by month, newest first."""

    def go() -> None:
        from tilgen.log.index import write_index
        from tilgen.log.notes import notes_root

        path = write_index(notes_root(log_settings(notes_dir).notes_dir))
        output.status(f"wrote {path}")

    handle_errors(go)


def search_command(
    query: list[str] = typer.Argument(..., help="Words to look for (Korean or English)."),
    repo: str | None = typer.Option(None, "--repo", "-C", help="Only this repository's notes."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, help="At most this many notes."),
    json_out: bool = typer.Option(False, "--json", help="Print the hits as JSON."),
    notes_dir: str | None = NotesDirOpt,
) -> None:
    """Find past notes: date, title and the line that matches best."""

    def go() -> None:
        from tilgen.errors import NoChangesError
        from tilgen.log.notes import notes_root
        from tilgen.log.search import SearchIndex

        index = SearchIndex(notes_root(log_settings(notes_dir).notes_dir))
        index.refresh()
        hits = index.search(" ".join(query), repo=repo_name(repo), limit=limit)
        if json_out:
            sys.stdout.write(json.dumps([h.to_json() for h in hits], ensure_ascii=False,
                                        indent=2) + "\n")
        for hit in [] if json_out else hits:
            where = f"  ({hit.repo})" if hit.repo else ""
            output.console().print(f"{hit.date}  {hit.title}{where}", markup=False,
                                   highlight=False)
            if hit.line:
                output.console().print(f"    {hit.line}", markup=False, highlight=False)
        if not hits:
            raise NoChangesError(f"no note matches {' '.join(query)!r}")

    handle_errors(go)


def edit_command(
    date: str | None = typer.Argument(None, help="YYYY-MM-DD, today or yesterday."),
    repo: str | None = typer.Option(None, "--repo", "-C", help="The repository's note."),
    notes_dir: str | None = NotesDirOpt,
) -> None:
    """Open a saved note in $VISUAL/$EDITOR; it is checked again before it is saved."""

    def go() -> None:
        from tilgen.errors import ExitCode, NoChangesError, TilgenError
        from tilgen.git.source import parse_day
        from tilgen.log.edit import edit_until_valid, note_checker, rewrite_saved
        from tilgen.log.notes import notes_root, scan
        from tilgen.log.save import after_save
        from tilgen.note.schema import validate_note
        from tilgen.note.store import write_atomic

        settings = log_settings(notes_dir)
        day = parse_day(date)
        root = notes_root(settings.notes_dir)
        name = repo_name(repo)
        found = [n for n in scan(root) if n.kind == "daily" and n.date == day.isoformat()
                 and (name is None or n.repo == name)]
        if not found:
            whose = f" of {name}" if name else ""
            raise NoChangesError(f"no saved note{whose} for {day} in {root}; "
                                 "tilgen today writes one")
        if len(found) > 1:
            here = Path.cwd().name
            found = [n for n in found if n.repo == here] or found
        if len(found) > 1:
            raise TilgenError(f"notes of several repositories for {day}: "
                              f"{', '.join(n.repo for n in found)}; choose one with --repo",
                              exit_code=ExitCode.USAGE)
        saved = found[0]
        text = saved.path.read_text(encoding="utf-8")
        note = edit_until_valid(text, note_checker(saved.title, saved.keywords, lambda data:
                                validate_note(data, date=day, language=settings.language)),
                                name=day.isoformat(), status=output.status)
        write_atomic(saved.path, rewrite_saved(text, note.title, note.keywords, note.content,
                                               settings.notes_layout))
        after_save(settings, root, output.status)
        output.status(f"saved {saved.path}")

    handle_errors(go)
