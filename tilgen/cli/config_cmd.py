"""`tilgen config`: show, get, set, unset, path, edit, trust, untrust."""

from __future__ import annotations

import functools
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

from tilgen import paths
from tilgen.cli.errors import handle_errors
from tilgen.errors import ConfigError, NotARepoError, TilgenError

F = TypeVar("F", bound=Callable[..., Any])


def _examples(*lines: str) -> str:
    """An epilog listing example invocations, one per paragraph so help keeps them apart."""
    return "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines)


app = typer.Typer(
    help="Show and change settings (user file, repository file, environment, flags).",
    no_args_is_help=True,
    epilog=_examples(
        "tilgen config show",
        "tilgen config set backend remote",
        "tilgen config set --repo remote.base_urls http://gpu1:8000/v1,http://gpu2:8000/v1",
    ),
)

REPO_OPTION = typer.Option(
    False, "--repo", help="Use the repository's .tilgen.toml instead of the user file."
)


def _cli(func: F) -> F:
    """Expected errors become one line on stderr and their exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return handle_errors(lambda: func(*args, **kwargs))

    return wrapper  # type: ignore[return-value]


def _repo_root(start: Path | None = None) -> Path | None:
    """The enclosing git work tree (a directory holding ``.git``), if any."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _target(repo: bool) -> Path:
    """The file `set`/`unset`/`edit` change."""
    if not repo:
        return paths.user_config_file()
    from tilgen.config.layers import REPO_FILE, find_repo_config

    root = _repo_root()
    if root is None:
        raise NotARepoError(
            "not inside a git repository; run it inside one, or drop --repo to use the user file"
        )
    # An existing pyproject [tool.tilgen] is edited in place: a new .tilgen.toml would hide it.
    return find_repo_config(root) or root / REPO_FILE


@app.command(epilog=_examples("tilgen config show", "tilgen config show --json | jq .backend"))
@_cli
def show(
    as_json: bool = typer.Option(False, "--json", help="Print {key: {value, source}} as JSON."),
) -> None:
    """Show every setting, its value, and the layer it came from."""
    from tilgen.config.keys import to_text
    from tilgen.config.layers import describe_file, ignored_rows, load_settings, settings_rows

    resolved = load_settings(repo_root=_repo_root(), warn=False)
    rows = settings_rows(resolved)
    ignored = ignored_rows(resolved)
    if as_json:
        data: dict[str, Any] = {key: {"value": value, "source": source}
                                for key, value, source in rows}
        for key, value, source in ignored:
            data[key]["ignored"] = {"value": value, "source": source}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    rows += ignored
    repo = describe_file(resolved.repo_file) if resolved.repo_file else "none"
    user = f"{resolved.user_file}" + ("" if resolved.user_file.exists() else " (missing)")
    shown = [(key, "(unset)" if value is None else to_text(value) or "(empty)", source)
             for key, value, source in rows]
    if not sys.stdout.isatty():  # piped: aligned plain text, no rich import
        width = max(len(key) for key, _, _ in shown)
        vwidth = max(len(text) for _, text, _ in shown)
        lines = [f"{key:<{width}}  {text:<{vwidth}}  {source}" for key, text, source in shown]
        typer.echo("\n".join([*lines, f"user file: {user}", f"repo file: {repo}"]))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title="tilgen settings", caption=f"user file: {user}\nrepo file: {repo}")
    for column in ("key", "value", "source"):
        table.add_column(column, overflow="fold")
    for key, text, source in shown:
        style = "dim" if source == "default" else "yellow" if source.startswith("ignored") else ""
        table.add_row(Text(key), Text(text), Text(source, style=style))
    Console().print(table)


@app.command(epilog=_examples("tilgen config get backend", "tilgen config get embedded.n_ctx"))
@_cli
def get(key: str = typer.Argument(..., help="Dotted key, e.g. generation.max_tokens.")) -> None:
    """Print one setting's effective value (lists comma-separated, unset as empty)."""
    from tilgen.config.keys import FIELDS, to_text, unknown_key_message, value_of
    from tilgen.config.layers import load_settings

    if key not in FIELDS:
        raise ConfigError(unknown_key_message(key))
    resolved = load_settings(repo_root=_repo_root())
    typer.echo(to_text(value_of(resolved.settings, key)))


@app.command(
    "set",
    context_settings={"ignore_unknown_options": True},  # so `set embedded.n_gpu_layers -1` works
    epilog=_examples(
        "tilgen config set backend remote",
        "tilgen config set embedded.n_ctx 4096",
        "tilgen config set embedded.n_gpu_layers -1",
        "tilgen config set remote.base_urls http://a:8000/v1,http://b:8000/v1",
        "tilgen config set --repo language en",
        "tilgen config set embedded.n_threads none   (unset an optional key)",
    ),
)
@_cli
def set_(
    key: str = typer.Argument(..., help="Dotted key, e.g. embedded.n_ctx."),
    value: str = typer.Argument(..., help='true/false, numbers, a,b,c or ["a", "b"], none.'),
    repo: bool = REPO_OPTION,
) -> None:
    """Validate VALUE and write it to the user config file (or the repository's)."""
    from tilgen.config import trust
    from tilgen.config.edit import set_value
    from tilgen.config.keys import to_text
    from tilgen.config.layers import describe_file

    target = _target(repo)
    trusted = repo and target.exists() and trust.is_trusted(target)
    written = set_value(target, key, value)
    if trusted:  # the user's own edit through tilgen keeps the file trusted
        trust.trust(target)
    if written is None:
        typer.echo(f"unset {key} in {target}")
    else:
        typer.echo(f"set {key} = {to_text(written)} in {target}")
    _warn_if_overridden(key, target)
    if repo and written is not None and not trusted and not trust.repo_safe(key, written):
        typer.echo(f"note: {key} is user-only; it applies from {describe_file(target)} once you "
                   "trust the file: tilgen config trust", err=True)


@app.command(
    epilog=_examples("tilgen config unset backend", "tilgen config unset --repo embedded.n_ctx")
)
@_cli
def unset(
    key: str = typer.Argument(..., help="Dotted key, e.g. embedded.n_ctx."),
    repo: bool = REPO_OPTION,
) -> None:
    """Remove a key from the user config file (or the repository's) so the default applies."""
    from tilgen.config.edit import unset_value

    target = _target(repo)
    if unset_value(target, key):
        typer.echo(f"removed {key} from {target}")
    else:
        typer.echo(f"{key} was not set in {target}")


@app.command(epilog=_examples("tilgen config path", "cd my-repo && tilgen config path"))
@_cli
def path() -> None:
    """Print the config files tilgen reads and the directories it uses."""
    from tilgen.config.layers import describe_file, find_repo_config, load_settings

    user = paths.user_config_file()
    root = _repo_root()
    repo_file: str
    notes: str = str(paths.default_notes_dir())
    try:
        found = find_repo_config(root)
        repo_file = describe_file(found) if found else "none"
        notes = load_settings(repo_root=root).settings.notes_dir or notes
    except TilgenError:
        repo_file = "unreadable (see `tilgen config show`)"
    if root is None:
        repo_file = "none (not inside a git repository)"
    lines = [
        ("user config", f"{user}" + ("" if user.exists() else " (missing)")),
        ("repo config", repo_file),
        ("cache", str(paths.cache_dir())),
        ("state", str(paths.state_dir())),
        ("data", str(paths.data_dir())),
        ("notes", notes),
        ("models", str(paths.models_dir())),
        ("logs", str(paths.logs_dir())),
    ]
    for label, value in lines:
        typer.echo(f"{label + ':':<13}{value}")


@app.command(
    epilog=_examples(
        "tilgen config edit", "tilgen config edit --repo", "EDITOR=nano tilgen config edit"
    )
)
@_cli
def edit(repo: bool = REPO_OPTION) -> None:
    """Open the config file in $VISUAL / $EDITOR (creating it from a template), then check it."""
    from tilgen.config.edit import config_template, write_config
    from tilgen.config.layers import read_layer

    target = _target(repo)
    if not target.exists():
        write_config(target, config_template(scope="repository" if repo else "user"))
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    editor = editor or ("notepad" if os.name == "nt" else "vi")
    command = [*shlex.split(editor, posix=os.name != "nt"), str(target)]
    try:
        status = subprocess.call(command)
    except FileNotFoundError:
        raise TilgenError(
            f"editor '{command[0]}' not found; set $VISUAL or $EDITOR to an installed editor"
        ) from None
    if status != 0:
        raise TilgenError(f"the editor exited with status {status}; {target} was not checked")
    flat = read_layer(target) or {}
    typer.echo(f"{target}: valid ({len(flat)} setting{'s' * (len(flat) != 1)})")


def _warn_if_overridden(key: str, target: Path) -> None:
    from tilgen.config.layers import describe_file, load_settings

    try:
        source = load_settings(repo_root=_repo_root(), warn=False).sources[key]
    except TilgenError as exc:
        typer.echo(f"note: the configuration has another problem: {exc.message}", err=True)
        return
    if source != "default" and not source.endswith(f": {target}"):
        typer.echo(f"note: {source} overrides this value ({describe_file(target)})", err=True)

