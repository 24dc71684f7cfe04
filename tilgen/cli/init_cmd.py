"""`tilgen init`: a short guided set-up. The questions live here; what to recommend and what
to write live in :mod:`tilgen.setup`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tilgen.cli import output
from tilgen.cli.errors import handle_errors

YesOpt = typer.Option(False, "--yes", "-y", help="Ask nothing: take the flags and defaults.")
BackendOpt = typer.Option(None, "--backend", "-b",
                          help="embedded (a local model) | remote (a team server).")
ModelOpt = typer.Option(None, "--model", "-m",
                        help="Local model (default: the one that fits this machine).")
UrlOpt = typer.Option(None, "--server-url", help="Team server base URL, e.g. http://gpu1:8000/v1.")
KeyEnvOpt = typer.Option(None, "--key-env",
                         help="Environment variable that holds the server's API key.")
ServedOpt = typer.Option(None, "--server-model", help="Model name the server serves.")
NotesOpt = typer.Option(None, "--notes-dir", help="Where notes are written.")
LayoutOpt = typer.Option(None, "--layout", help="Note layout (the notes_layout setting).")
HookOpt = typer.Option(None, "--hook", help="Post-commit hook: here | global | none.")
NoPullOpt = typer.Option(False, "--no-pull", help="Do not download the model now.")
NoNoteOpt = typer.Option(False, "--no-note", help="Do not write today's note at the end.")
RepoOpt = typer.Option(Path("."), "--repo", "-C", help="Repository (default: here).")


def init(
    yes: bool = YesOpt, backend: str | None = BackendOpt, model: str | None = ModelOpt,
    server_url: str | None = UrlOpt, key_env: str | None = KeyEnvOpt,
    server_model: str | None = ServedOpt, notes_dir: str | None = NotesOpt,
    layout: str | None = LayoutOpt, hook: str | None = HookOpt,
    no_pull: bool = NoPullOpt, no_note: bool = NoNoteOpt, repo: Path = RepoOpt,
) -> None:
    """Set tilgen up: model or team server, notes folder, hook; then today's note.

    Reads the machine (cores, memory, GPU) and asks only what it cannot know. Everything
    it writes is ordinary config in the user file: `tilgen config show` explains it.

    \b
    Examples:
      tilgen init
      tilgen init --yes --hook here
      tilgen init --yes --backend remote --server-url http://gpu1:8000/v1 --key-env TEAM_KEY
    """
    from tilgen.setup.plan import Choices

    choices = Choices(backend=backend or "embedded", model=model, server_url=server_url,
                      key_env=key_env, server_model=server_model, notes_dir=notes_dir,
                      notes_layout=layout, hook=hook or "none")
    handle_errors(lambda: _run(choices, yes=yes, ask_hook=hook is None, pull=not no_pull,
                               note=not no_note, repo=repo))


def _run(choices: Any, *, yes: bool, ask_hook: bool, pull: bool, note: bool,
         repo: Path) -> None:
    from tilgen import paths
    from tilgen.setup.machine import read_machine
    from tilgen.setup.plan import RULE, make_plan, recommend

    machine = read_machine()
    rec = recommend(machine)
    root = _repo_root(repo)
    _say(f"this machine: {machine.describe()}")
    _say(f"recommended model: {rec.model} ({rec.reason}; rule: {RULE})")
    if rec.gpu_hint:
        _say(rec.gpu_hint)
    if not yes:
        _ask(choices, rec, root, ask_hook=ask_hook)
    plan = make_plan(choices, recommendation=rec)
    if choices.backend == "remote":
        _check_server(plan, choices, root, yes=yes)
        plan = make_plan(choices, recommendation=rec)
    for line in plan.lines():
        _say(line)
    if not yes and not typer.confirm("Go ahead?", default=True):
        _say("nothing was written")
        raise SystemExit(1)
    _apply(plan, root, pull=pull)
    _say(f"done: `tilgen config show` explains every setting ({paths.user_config_file()})")
    if note and root is not None:
        _todays_note(root)


def _ask(choices: Any, rec: Any, root: Path | None, *, ask_hook: bool) -> None:
    from tilgen import paths
    from tilgen.backends.modelstore import MODELS
    from tilgen.setup.plan import layouts

    where = _choose("Write notes with a local model or a team server?", ["local", "server"],
                    "server" if choices.backend == "remote" else "local")
    choices.backend = "remote" if where == "server" else "embedded"
    if choices.backend == "embedded":
        choices.model = _choose("Model", list(MODELS), choices.model or rec.model)
    else:
        choices.server_url = typer.prompt("Server URL", default=choices.server_url
                                          or "http://localhost:8000/v1")
        choices.key_env = typer.prompt("Environment variable holding the API key",
                                       default=choices.key_env or "TILGEN_API_KEY")
    choices.notes_dir = typer.prompt("Notes folder", default=choices.notes_dir
                                     or str(paths.default_notes_dir()))
    options = layouts()
    if options:
        choices.notes_layout = _choose("Note layout", options, choices.notes_layout or options[0])
    if ask_hook:
        hooks = ["here", "global", "none"] if root is not None else ["global", "none"]
        choices.hook = _choose("Write the note after every commit (post-commit hook): in this "
                               "repository, in all (global) or none?", hooks, hooks[0])


def _check_server(plan: Any, choices: Any, root: Path | None, *, yes: bool) -> None:
    """A live `doctor` check of the server; a served name replaces one it does not serve."""
    from tilgen.setup.plan import settings_for
    from tilgen.tools.doctor import FAIL, check_remote

    settings = settings_for(plan, root)
    with output.spinner(f"checking {choices.server_url}"):
        checks = check_remote(settings)
    for c in checks:
        _say(f"  {c.status:4}  {c.name}: {c.detail}")
    served = next((c.data.get("served") for c in checks if c.name == "model"), None) or []
    if served and settings.remote.model not in served and not choices.server_model:
        choices.server_model = served[0] if yes or len(served) == 1 else _choose(
            "Model name on the server", served, served[0])
    if any(c.status == FAIL for c in checks):
        _say("the server did not pass every check; `tilgen doctor` checks it again later")
        if not yes and not typer.confirm("Keep this server anyway?", default=True):
            _say("nothing was written")
            raise SystemExit(1)


def _apply(plan: Any, root: Path | None, *, pull: bool) -> None:
    from tilgen.setup.plan import install_hook, write_config

    write_config(plan)
    _say(f"wrote {plan.config_file}")
    result = install_hook(plan, root)
    if result is not None:
        _say(f"hook installed: {result.hook_path}")
    if plan.pull and pull:
        from tilgen.backends.modelstore import get_spec, is_cached
        from tilgen.backends.modelstore import pull as do_pull
        from tilgen.cli.model_cmd import PullMeter

        spec = get_spec(plan.pull)
        if not is_cached(spec):
            meter = PullMeter(spec.name)
            try:
                do_pull(spec, progress=meter.update)
            finally:
                meter.close()
        _say(f"{spec.name} ready")


def _todays_note(root: Path) -> None:
    """Today's note when there are commits today; otherwise say when one comes."""
    from tilgen.cli.note_cmd import run_note
    from tilgen.cli.options import NoteFlags
    from tilgen.errors import NoChangesError
    from tilgen.git.source import ChangeSource
    from tilgen.options import NoteOptions

    _say("writing today's note")
    try:
        run_note(ChangeSource.for_day(root), NoteFlags(NoteOptions()))
    except NoChangesError as exc:
        _say(f"no note yet: {exc.message}")


def _choose(question: str, options: list[str], default: str) -> str:
    while True:
        answer = typer.prompt(f"{question} ({'/'.join(options)})", default=default).strip()
        if answer in options:
            return answer
        typer.echo(f"answer one of: {', '.join(options)}")


def _repo_root(path: Path) -> Path | None:
    from tilgen.errors import TilgenError
    from tilgen.git.collect import open_repo

    try:
        repo = open_repo(path)
    except TilgenError:
        return None
    return Path(repo.working_tree_dir or path)


def _say(line: str) -> None:
    output.status(line)
