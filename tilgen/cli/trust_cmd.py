"""`tilgen config trust` and `tilgen config untrust`: which repository files may set
user-only keys (see :mod:`tilgen.config.trust`). Registered on the `config` command group."""

from __future__ import annotations

from pathlib import Path

import typer

from tilgen.cli.config_cmd import _cli, _examples, _repo_root, app
from tilgen.errors import ConfigError, NotARepoError, TilgenError

TRUST_REPO = typer.Option(None, "--repo", help="The repository (default: the one here).")


def _repo_file(repo: Path | None) -> tuple[Path, Path]:
    """(work tree root, its config file) for `trust` and `untrust`."""
    from tilgen.config.layers import find_repo_config

    start = (repo or Path.cwd()).expanduser()
    if not start.is_dir():
        raise TilgenError(f"{start} is not a directory; give --repo the repository's folder",
                          exit_code=2)
    root = _repo_root(start)
    if root is None:
        raise NotARepoError(f"{start} is not inside a git repository; run it inside one or "
                            "give --repo PATH")
    found = find_repo_config(root)
    if found is None:
        raise ConfigError(f"{root} has no .tilgen.toml or pyproject.toml [tool.tilgen]; "
                          "nothing to trust")
    return root, found


@app.command(epilog=_examples("tilgen config trust", "tilgen config trust --repo ~/src/project"))
@_cli
def trust(repo: Path | None = TRUST_REPO) -> None:
    """Let the repository's config file set user-only keys (backend, remote.*, paths...).

    Read the file first: a trusted file chooses where your changes are sent and where notes
    are written. Trust is kept with the file's SHA-256; any change to the file revokes it.
    """
    from tilgen.config import trust as trusts
    from tilgen.config.layers import describe_file, read_layer

    _root, found = _repo_file(repo)
    flat = read_layer(found) or {}
    user_only = sorted(key for key, value in flat.items() if not trusts.repo_safe(key, value))
    try:
        sha = trusts.trust(found)
    except OSError as exc:
        raise TilgenError(f"cannot record the trust in {trusts.trust_file()}: "
                          f"{getattr(exc, 'strerror', None) or exc}; fix its permissions",
                          exit_code=10) from None
    typer.echo(f"trusted {describe_file(found)} (sha256 {sha[:12]}); it may now set "
               + (", ".join(user_only) if user_only else "every key (it sets no user-only key)"))
    typer.echo("a change to the file makes it untrusted again; undo with: tilgen config untrust")


@app.command(epilog=_examples("tilgen config untrust", "tilgen config untrust --repo ~/src/x"))
@_cli
def untrust(repo: Path | None = TRUST_REPO) -> None:
    """Stop trusting the repository's config file: its user-only keys are ignored again."""
    from tilgen.config import trust as trusts
    from tilgen.config.layers import describe_file

    _root, found = _repo_file(repo)
    try:
        removed = trusts.untrust(found)
    except OSError as exc:
        raise TilgenError(f"cannot update {trusts.trust_file()}: "
                          f"{getattr(exc, 'strerror', None) or exc}; fix its permissions",
                          exit_code=10) from None
    typer.echo(f"{'untrusted' if removed else 'was not trusted:'} {describe_file(found)}")
