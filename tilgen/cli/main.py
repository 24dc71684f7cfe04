"""The ``tilgen`` command. Callbacks parse options and call the core."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer

from tilgen import __version__
from tilgen.cli import output
from tilgen.cli.errors import handle_errors
from tilgen.cli.options import NoteFlags, Repo, note_command
from tilgen.git.source import ChangeSource

app = typer.Typer(
    name="tilgen",
    help="Turn your git changes into a dated Korean 'Today I Learned' note.",
    epilog="Examples:  tilgen today  ·  tilgen commit HEAD~3..HEAD  ·  git show X | tilgen patch -",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _version(value: bool) -> None:
    if value:
        typer.echo(f"tilgen {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More detail."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors and the note."),
    version: bool | None = typer.Option(None, "--version", callback=_version, is_eager=True,
                                           help="Show the version and exit."),
) -> None:
    output.set_verbosity(verbose=verbose, quiet=quiet)


@app.command(epilog="Examples:  tilgen today  ·  tilgen today --date yesterday  ·  "
             "tilgen today --author all --backend remote")
@note_command
def today(
    flags: NoteFlags,
    date: str | None = typer.Option(None, "--date", "-d", help="YYYY-MM-DD, today or yesterday."),
    author: str | None = typer.Option(None, "--author", "-a", help="E-mail to select, or 'all'."),
    repo: Repo = Path("."),
    all_repos: bool = typer.Option(False, "--all", help="Every repository of the `repos` setting."),
    repos_dir: Path | None = typer.Option(None, "--repos", help="Every repository under DIR."),
) -> None:
    """Write the note for today's commits (yours, on the current branch)."""
    if all_repos or repos_dir:
        from tilgen.cli.note_cmd import run_all

        handle_errors(lambda: run_all(flags, day=date, author=author, under=repos_dir))
        return
    _run(flags, lambda: ChangeSource.for_day(repo, date, author=author))


@app.command(epilog="Examples:  tilgen commit  ·  tilgen commit 3f2a1c  ·  "
             "tilgen commit main..feature")
@note_command
def commit(
    flags: NoteFlags,
    rev: str = typer.Argument("HEAD", help="A commit, or a range A..B."),
    repo: Repo = Path("."),
) -> None:
    """Write a note for one commit or a range of commits."""
    _run(flags, lambda: ChangeSource.commits(repo, rev))


@app.command(epilog="Examples:  git add -p && tilgen staged  ·  tilgen staged --show-prompt")
@note_command
def staged(flags: NoteFlags, repo: Repo = Path(".")) -> None:
    """Write a note for the staged (not yet committed) changes."""
    _run(flags, lambda: ChangeSource.staged(repo))


@app.command(epilog="Examples:  tilgen working  ·  tilgen working --no-save")
@note_command
def working(flags: NoteFlags, repo: Repo = Path(".")) -> None:
    """Write a note for all uncommitted changes (staged, unstaged and new files)."""
    _run(flags, lambda: ChangeSource.working(repo))


@app.command(epilog="Examples:  git show abc123 | tilgen patch -  ·  tilgen patch fix.diff --json")
@note_command
def patch(
    flags: NoteFlags,
    file: str = typer.Argument(..., help="A patch file, or - for standard input."),
) -> None:
    """Write a note from any unified diff (git show, git diff, diff -u)."""

    def source() -> ChangeSource:
        from tilgen.errors import TilgenError

        if file == "-":
            if sys.stdin is None:
                raise TilgenError("standard input is closed; pipe a patch in "
                                  "(git show HEAD | tilgen patch -) or give a file", exit_code=2)
            try:
                data = sys.stdin.buffer.read()
            except (OSError, ValueError) as exc:
                raise TilgenError(f"cannot read standard input: "
                                  f"{getattr(exc, 'strerror', None) or exc}; pipe a patch in "
                                  "or give a file", exit_code=2) from None
            return ChangeSource.from_patch(data, name="stdin")
        try:
            return ChangeSource.from_patch(Path(file).read_bytes(), name=Path(file).stem)
        except OSError as exc:
            raise TilgenError(f"cannot read {file}: {exc.strerror}", exit_code=2) from None

    _run(flags, source)


def _run(flags: NoteFlags, source: Callable[[], ChangeSource]) -> None:
    """Write the note for the changes ``source()`` names (errors become one line)."""
    from tilgen.cli.note_cmd import run_note

    handle_errors(lambda: run_note(source(), flags))


def _mount() -> None:
    """Add the other commands; a module of tilgen's own that fails to import is a bug to see."""
    from tilgen.cli import bench_cmd, config_cmd, eval_cmd, hook_cmd, model_cmd, remote_cmd

    app.add_typer(model_cmd.app, name="model")
    app.add_typer(config_cmd.app, name="config")
    app.add_typer(hook_cmd.app, name="hook")
    from tilgen.cli import trust_cmd  # noqa: F401 - adds `config trust` and `config untrust`

    app.command("flush", epilog="Examples:  tilgen flush  ·  tilgen flush --repo .")(
        hook_cmd.flush_command)
    app.command("hook-run", hidden=True)(hook_cmd.hook_run_command)
    app.command("doctor")(remote_cmd.doctor)
    app.command("serve")(remote_cmd.serve)
    from tilgen.cli import digest_cmd, init_cmd, log_cmd

    app.command("digest", epilog="Examples:  tilgen digest  ·  tilgen digest --month  ·  "
                "tilgen digest --date 2026-11-24 --repo api")(digest_cmd.command)
    app.command("index", epilog="Examples:  tilgen index  ·  tilgen index --notes-dir ~/til")(
        log_cmd.index_command)
    app.command("search", epilog="Examples:  tilgen search 캐시 무효화  ·  "
                "tilgen search collect_day --json")(log_cmd.search_command)
    app.command("edit", epilog="Examples:  tilgen edit  ·  tilgen edit 2026-11-24 --repo api")(
        log_cmd.edit_command)
    app.command("init")(init_cmd.init)
    app.command("eval")(eval_cmd.command)
    app.command("bench")(bench_cmd.command)


_mount()


def run() -> None:
    output.force_utf8()
    app()
