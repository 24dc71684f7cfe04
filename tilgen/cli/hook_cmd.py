"""`tilgen hook install|uninstall|status`, `tilgen flush` and the hidden `tilgen hook-run`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tilgen.cli.errors import handle_errors

if TYPE_CHECKING:
    from tilgen.hook.status import HookStatus

app = typer.Typer(
    help="Write the day's note after every commit, in the background (a post-commit hook).",
    no_args_is_help=True,
    epilog=(
        "Examples:\n\n"
        "  tilgen hook install\n\n"
        "  tilgen hook install --global\n\n"
        "  tilgen hook status\n\n"
        "  tilgen hook uninstall"
    ),
)

GLOBAL_OPTION = typer.Option(
    False, "--global", help="All repositories: use the global core.hooksPath."
)
REPO_OPTION = typer.Option(None, "--repo", "-C", help="Repository (default: here).")
FLUSH_REPO_OPTION = typer.Option(
    None, "--repo", "-C", help="Only this repository (default: every queued one)."
)
FORCE_OPTION = typer.Option(False, "--force", help="Run even while a rebase or merge is under way.")
RUN_REPO_OPTION = typer.Option(None, "--repo", help="The repository (default: here).")
FROM_PRE_COMMIT_OPTION = typer.Option(
    False, "--from-pre-commit", help="Start the job in the background and return at once."
)


def _examples(*lines: str) -> str:
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines)


@app.command(epilog=_examples("tilgen hook install", "tilgen hook install -C ~/src/project",
                              "tilgen hook install --global"))
def install(global_: bool = GLOBAL_OPTION, repo: Path | None = REPO_OPTION) -> None:
    """Install the post-commit hook (an existing hook is kept and still runs first).

    The hook returns at once and generates in the background; failures are logged and
    queued for `tilgen flush`, never shown to `git commit`.
    """
    from tilgen.hook import install as hooks

    def go() -> None:
        result = hooks.install(repo, global_=global_)
        verb = "installed" if result.changed else "already installed:"
        typer.echo(f"{verb} tilgen's post-commit hook in {result.hook_path}")
        if result.chained:
            typer.echo(f"the previous hook is kept as {result.chained} and runs first")
        if result.hooks_path_set:
            typer.echo(f"set `git config --global core.hooksPath {result.hook_path.parent}`; "
                       "each repository's own hooks still run from there")
            typer.echo("note: `pre-commit install` refuses to work while core.hooksPath is set")
        if result.shared:
            typer.echo("this directory is the global core.hooksPath: every repository uses it")

    handle_errors(go)


@app.command(epilog=_examples("tilgen hook uninstall", "tilgen hook uninstall --global"))
def uninstall(global_: bool = GLOBAL_OPTION, repo: Path | None = REPO_OPTION) -> None:
    """Remove the hook and put back the hook it replaced."""
    from tilgen.hook import install as hooks

    def go() -> None:
        result = hooks.uninstall(repo, global_=global_)
        if not result.removed:
            typer.echo(f"tilgen's hook is not installed in {result.hook_path.parent}")
        else:
            typer.echo(f"removed tilgen's hook from {result.hook_path.parent}")
        if result.restored:
            typer.echo(f"restored the previous hook {result.restored}")
        if result.hooks_path_unset:
            typer.echo("unset the global core.hooksPath that tilgen had set")

    handle_errors(go)


@app.command(epilog=_examples("tilgen hook status", "tilgen hook status --global",
                              "tilgen hook status --json"))
def status(
    global_: bool = GLOBAL_OPTION,
    repo: Path | None = REPO_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the status as JSON."),
) -> None:
    """Show where the hook is, what it chains, queued work and the last run's result."""
    from tilgen.hook import status as hookstatus

    def go() -> None:
        st = hookstatus.status(repo, global_=global_)
        data = _status_data(st)
        if as_json:
            typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
            return
        for label, value in _status_lines(st):
            typer.echo(f"{label + ':':<13}{value}")

    handle_errors(go)


def flush_command(
    repo: Path | None = FLUSH_REPO_OPTION, force: bool = FORCE_OPTION,
) -> None:
    """Generate the notes the hook queued (after a failure, or while a rebase was going on)."""
    from tilgen.hook import install as hooks
    from tilgen.hook import queue as jobqueue

    def go() -> int:
        root = hooks.toplevel(repo) if repo is not None else None
        results = jobqueue.flush(root, force=force)
        if not results:
            typer.echo("nothing queued")
        for res in results:
            typer.echo(f"{res.status:<8} {res.repo}: {res.message}")
        return next((r.exit_code or 1 for r in results if r.status == "failed"), 0)

    code = handle_errors(go)
    if code:
        raise typer.Exit(code)


def hook_run_command(
    repo: Path | None = RUN_REPO_OPTION,
    from_pre_commit: bool = FROM_PRE_COMMIT_OPTION,
    force: bool = FORCE_OPTION,
) -> None:
    """Run the job a commit starts (called by the post-commit hook)."""
    from tilgen.git.repo import scrub_git_env
    from tilgen.hook import install as hooks
    from tilgen.hook import queue as jobqueue

    scrub_git_env()  # this process is the job: read the repository afresh

    def go() -> None:
        root = hooks.toplevel(repo or Path.cwd())
        if from_pre_commit:
            hooks.spawn_background(root)
            return
        jobqueue.log(str(root), "commit noticed")
        jobqueue.hook_run(root, force=force)

    try:
        handle_errors(go)
    except SystemExit:
        if from_pre_commit:  # the commit is made: nothing here may look like a failure
            raise SystemExit(0) from None
        raise


# -- status formatting -------------------------------------------------------------------------


def _status_data(st: HookStatus) -> dict:
    from dataclasses import asdict

    return {
        "installed": st.installed, "hook": _s(st.hook_path), "hooks_dir": str(st.hooks_dir),
        "chained": _s(st.chained), "wrapped_by_pre_commit": st.wrapped_by_pre_commit,
        "interpreter": st.interpreter, "interpreter_ok": st.interpreter_ok,
        "global_hooks_path": st.global_hooks_path, "global_set_by_tilgen": st.global_owned,
        "queued": asdict(st.queued) if st.queued else None, "last_run": st.last_run,
        "log": str(st.log_path),
    }


def _status_lines(st: HookStatus) -> list[tuple[str, str]]:
    lines = [("hook", f"installed at {st.hook_path}" if st.installed
              else f"not installed (hooks directory: {st.hooks_dir})")]
    if st.wrapped_by_pre_commit:
        lines.append(("", "run by pre-commit's post-commit hook as its legacy hook"))
    if st.installed:
        ok = "" if st.interpreter_ok else " (missing: falls back to `tilgen` on PATH)"
        lines.append(("interpreter", f"{st.interpreter}{ok}"))
    if st.chained:
        lines.append(("chained", f"{st.chained} (runs first)"))
    glob = st.global_hooks_path
    lines.append(("global", f"core.hooksPath = {glob}" + (" (set by tilgen)" * st.global_owned)
                  if glob else "core.hooksPath not set"))
    q = st.queued
    if q:
        when = _time(q.first_trigger)
        text = f"{len(q.days)} day(s) waiting since {when}"
        if q.last_error:
            text += f"; {q.attempts} failed attempt(s), last: {q.last_error}"
        lines.append(("queued", text + "  (run `tilgen flush`)"))
    else:
        lines.append(("queued", "nothing"))
    run = st.last_run
    if run:
        lines.append(("last run", f"{_time(run['time'])} {run['status']}: {run['message']}"))
    else:
        lines.append(("last run", "never"))
    lines.append(("log", str(st.log_path)))
    return lines


def _time(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S")


def _s(path: Path | None) -> str | None:
    return str(path) if path else None
