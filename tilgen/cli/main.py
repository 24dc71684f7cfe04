"""The ``tilgen`` command. Callbacks parse options and call the core."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import typer

from tilgen import __version__
from tilgen.cli import output
from tilgen.cli.errors import handle_errors
from tilgen.cli.options import NoteOptions

app = typer.Typer(
    name="tilgen",
    help="Turn your git changes into a dated Korean 'Today I Learned' note.",
    epilog="Examples:  tilgen today  ·  tilgen commit HEAD~3..HEAD  ·  git show X | tilgen patch -",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

RepoOpt = typer.Option(Path("."), "--repo", "-C", help="Repository to read (default: here).")
BackendOpt = typer.Option(None, "--backend", "-b", help="embedded | remote.")
ModelOpt = typer.Option(None, "--model", "-m", help="Model name or .gguf path (embedded), served name (remote).")
JsonOpt = typer.Option(False, "--json", help="Print the validated JSON only.")
NoSaveOpt = typer.Option(False, "--no-save", help="Do not write the note file.")
ShowPromptOpt = typer.Option(False, "--show-prompt", "--dry-run", help="Print the prompt (after redaction) and stop; no model is called.")
NoCacheOpt = typer.Option(False, "--no-cache", help="Generate again even if nothing changed.")
NotesDirOpt = typer.Option(None, "--notes-dir", help="Where to write notes.")
FormatOpt = typer.Option(None, "--format", help="points (tilgen renders) | direct (model writes Markdown).")
MaxTokensOpt = typer.Option(None, "--max-tokens", help="Output token budget.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tilgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More detail."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors and the note."),
    version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                           help="Show the version and exit."),
) -> None:
    output.set_verbosity(verbose=verbose, quiet=quiet)


def _opts(repo: Path, backend: str | None, model: str | None, json_out: bool, no_save: bool,
          show_prompt: bool, no_cache: bool, notes_dir: str | None, fmt: str | None,
          max_tokens: int | None) -> NoteOptions:
    return NoteOptions(repo=repo, backend=backend, model=model, json_out=json_out, no_save=no_save,
                       show_prompt=show_prompt, no_cache=no_cache, notes_dir=notes_dir,
                       note_format=fmt, max_tokens=max_tokens)


def _repo_root(path: Path) -> tuple[object, Path]:
    from tilgen.git.collect import open_repo

    repo = open_repo(path)
    return repo, Path(repo.working_tree_dir or path)


def _note_from_repo(repo: Path, collect: Callable[[Any], Any], *options: Any) -> None:
    """Write a note for what ``collect(git_repo)`` reads (gitsource is imported lazily)."""
    from tilgen.cli.note_cmd import run_note

    def go() -> None:
        git_repo, root = _repo_root(repo)
        run_note(_opts(repo, *options), lambda: collect(git_repo), repo_root=root)

    handle_errors(go)


def _gitsource() -> Any:
    from tilgen.git import collect as gitsource

    return gitsource


@app.command(epilog="Examples:  tilgen today  ·  tilgen today --date yesterday  ·  "
             "tilgen today --author all --backend remote")
def today(
    date: Optional[str] = typer.Option(None, "--date", "-d", help="YYYY-MM-DD, today or yesterday."),
    author: Optional[str] = typer.Option(None, "--author", "-a", help="E-mail to select, or 'all'."),
    repo: Path = RepoOpt, backend: Optional[str] = BackendOpt, model: Optional[str] = ModelOpt,
    json_out: bool = JsonOpt, no_save: bool = NoSaveOpt, show_prompt: bool = ShowPromptOpt,
    no_cache: bool = NoCacheOpt, notes_dir: Optional[str] = NotesDirOpt,
    fmt: Optional[str] = FormatOpt, max_tokens: Optional[int] = MaxTokensOpt,
) -> None:
    """Write the note for today's commits (yours, on the current branch)."""
    from tilgen.cli.note_cmd import parse_day, run_note

    def go() -> None:
        from tilgen.cli.note_cmd import _settings
        from tilgen.git.collect import collect_day

        git_repo, root = _repo_root(repo)
        opts = _opts(repo, backend, model, json_out, no_save, show_prompt, no_cache, notes_dir,
                     fmt, max_tokens)
        who = author or _settings(opts, root).author
        day = parse_day(date)
        run_note(opts, lambda: collect_day(git_repo, day=day, author=who), repo_root=root)

    handle_errors(go)


@app.command(epilog="Examples:  tilgen commit  ·  tilgen commit 3f2a1c  ·  tilgen commit main..feature")
def commit(
    rev: str = typer.Argument("HEAD", help="A commit, or a range A..B."),
    repo: Path = RepoOpt, backend: Optional[str] = BackendOpt, model: Optional[str] = ModelOpt,
    json_out: bool = JsonOpt, no_save: bool = NoSaveOpt, show_prompt: bool = ShowPromptOpt,
    no_cache: bool = NoCacheOpt, notes_dir: Optional[str] = NotesDirOpt,
    fmt: Optional[str] = FormatOpt, max_tokens: Optional[int] = MaxTokensOpt,
) -> None:
    """Write a note for one commit or a range of commits."""
    _note_from_repo(repo, lambda r: _gitsource().collect_commits(r, rev), backend, model, json_out,
                    no_save, show_prompt, no_cache, notes_dir, fmt, max_tokens)


@app.command(epilog="Examples:  git add -p && tilgen staged  ·  tilgen staged --show-prompt")
def staged(
    repo: Path = RepoOpt, backend: Optional[str] = BackendOpt, model: Optional[str] = ModelOpt,
    json_out: bool = JsonOpt, no_save: bool = NoSaveOpt, show_prompt: bool = ShowPromptOpt,
    no_cache: bool = NoCacheOpt, notes_dir: Optional[str] = NotesDirOpt,
    fmt: Optional[str] = FormatOpt, max_tokens: Optional[int] = MaxTokensOpt,
) -> None:
    """Write a note for the staged (not yet committed) changes."""
    _note_from_repo(repo, lambda r: _gitsource().collect_staged(r), backend, model, json_out,
                    no_save, show_prompt, no_cache, notes_dir, fmt, max_tokens)


@app.command(epilog="Examples:  tilgen working  ·  tilgen working --no-save")
def working(
    repo: Path = RepoOpt, backend: Optional[str] = BackendOpt, model: Optional[str] = ModelOpt,
    json_out: bool = JsonOpt, no_save: bool = NoSaveOpt, show_prompt: bool = ShowPromptOpt,
    no_cache: bool = NoCacheOpt, notes_dir: Optional[str] = NotesDirOpt,
    fmt: Optional[str] = FormatOpt, max_tokens: Optional[int] = MaxTokensOpt,
) -> None:
    """Write a note for all uncommitted changes (staged, unstaged and new files)."""
    _note_from_repo(repo, lambda r: _gitsource().collect_working(r), backend, model, json_out,
                    no_save, show_prompt, no_cache, notes_dir, fmt, max_tokens)


@app.command(epilog="Examples:  git show abc123 | tilgen patch -  ·  tilgen patch fix.diff --json")
def patch(
    file: str = typer.Argument(..., help="A patch file, or - for standard input."),
    backend: Optional[str] = BackendOpt, model: Optional[str] = ModelOpt,
    json_out: bool = JsonOpt, no_save: bool = NoSaveOpt, show_prompt: bool = ShowPromptOpt,
    no_cache: bool = NoCacheOpt, notes_dir: Optional[str] = NotesDirOpt,
    fmt: Optional[str] = FormatOpt, max_tokens: Optional[int] = MaxTokensOpt,
) -> None:
    """Write a note from any unified diff (git show, git diff, diff -u)."""
    from tilgen.cli.note_cmd import run_note

    def go() -> None:
        from tilgen.errors import TilgenError
        from tilgen.git.collect import collect_patch

        if file == "-":
            if sys.stdin is None:
                raise TilgenError("standard input is closed; pipe a patch in "
                                  "(git show HEAD | tilgen patch -) or give a file", exit_code=2)
            try:
                data, name = sys.stdin.buffer.read(), "stdin"
            except (OSError, ValueError) as exc:
                raise TilgenError(f"cannot read standard input: "
                                  f"{getattr(exc, 'strerror', None) or exc}; pipe a patch in "
                                  "or give a file", exit_code=2) from None
        else:
            try:
                data, name = Path(file).read_bytes(), Path(file).stem
            except OSError as exc:
                raise TilgenError(f"cannot read {file}: {exc.strerror}", exit_code=2) from None
        opts = _opts(Path("."), backend, model, json_out, no_save, show_prompt, no_cache,
                     notes_dir, fmt, max_tokens)
        run_note(opts, lambda: collect_patch(data, name=name), repo_root=None)

    handle_errors(go)


def _mount() -> None:
    from tilgen.cli import model_cmd

    app.add_typer(model_cmd.app, name="model")
    for module, name in (("tilgen.cli.config_cmd", "config"), ("tilgen.cli.hook_cmd", "hook")):
        try:
            mod = __import__(module, fromlist=["app"])
        except ImportError:
            continue
        app.add_typer(mod.app, name=name)
    from tilgen.cli import trust_cmd  # noqa: F401 - adds `config trust` and `config untrust`

    try:
        from tilgen.cli import hook_cmd

        app.command("flush", epilog="Examples:  tilgen flush  ·  tilgen flush --repo .")(
            hook_cmd.flush_command)
        app.command("hook-run", hidden=True)(hook_cmd.hook_run_command)
    except ImportError:
        pass
    try:
        from tilgen.cli import remote_cmd

        app.command("doctor")(remote_cmd.doctor)
        app.command("serve")(remote_cmd.serve)
    except ImportError:
        pass
    for module, name in (("tilgen.cli.eval_cmd", "eval"), ("tilgen.cli.bench_cmd", "bench")):
        try:
            mod = __import__(module, fromlist=["command"])
        except ImportError:
            continue
        app.command(name)(mod.command)


_mount()


def run() -> None:
    output.force_utf8()
    app()
