"""Options shared by the commands that write notes, declared once.

:func:`note_command` gives a command these options and hands them over as one
:class:`NoteFlags`: the core's :class:`tilgen.options.NoteOptions` and two output choices.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from tilgen.options import NoteOptions

Repo = Annotated[Path, typer.Option("--repo", "-C", help="Repository to read (default: here).")]

# parameter name -> (its annotation with the typer option, its default)
SHARED: dict[str, tuple[Any, Any]] = {
    "backend": (Annotated[Optional[str], typer.Option(  # noqa: UP045 - typer reads the hint
        "--backend", "-b", help="embedded | remote.")], None),
    "model": (Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--model", "-m", help="Model name or .gguf path (embedded), served name (remote).")],
        None),
    "json_out": (Annotated[bool, typer.Option("--json", help="Print the validated JSON only.")],
                 False),
    "no_save": (Annotated[bool, typer.Option("--no-save", help="Do not write the note file.")],
                False),
    "show_prompt": (Annotated[bool, typer.Option(
        "--show-prompt", "--dry-run",
        help="Print the prompt (after redaction) and stop; no model is called.")], False),
    "no_cache": (Annotated[bool, typer.Option(
        "--no-cache", help="Generate again even if nothing changed.")], False),
    "notes_dir": (Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--notes-dir", help="Where to write notes.")], None),
    "note_format": (Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--format", help="points (tilgen renders) | direct (model writes Markdown).")], None),
    "max_tokens": (Annotated[Optional[int], typer.Option(  # noqa: UP045
        "--max-tokens", help="Output token budget.")], None),
    "edit": (Annotated[bool, typer.Option(
        "--edit", "-e", help="Open the note in $VISUAL/$EDITOR before saving it.")], False),
}


@dataclass(frozen=True)
class NoteFlags:
    options: NoteOptions
    json_out: bool = False
    show_prompt: bool = False
    edit: bool = False


def note_command(fn: Callable[..., None]) -> Callable[..., None]:
    """Add the shared options to a command; it receives them as its ``flags`` argument."""
    own = [p for p in inspect.signature(fn, eval_str=True).parameters.values()
           if p.name != "flags"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                annotation=annotation)
              for name, (annotation, default) in SHARED.items()]

    @functools.wraps(fn)
    def command(**kwargs: Any) -> None:
        v = {name: kwargs.pop(name) for name in SHARED}
        options = NoteOptions(backend=v["backend"], model=v["model"], notes_dir=v["notes_dir"],
                              note_format=v["note_format"], max_tokens=v["max_tokens"],
                              cache=False if v["no_cache"] else None, save=not v["no_save"])
        fn(**kwargs, flags=NoteFlags(options, json_out=v["json_out"],
                                     show_prompt=v["show_prompt"], edit=v["edit"]))

    params = [*own, *shared]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command
