"""Layered settings: defaults < user file < repository file < TILGEN_* variables < flags
(a repository file sets user-only keys only when trusted: :mod:`tilgen.config.trust`).

This is the one place that decides what a setting's value is and where it came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tilgen import paths
from tilgen.config import trust
from tilgen.config.keys import (
    ENV_KEYS,
    FIELDS,
    KEYS,
    SECTIONS,
    looks_secret,
    nest,
    parse_raw,
    secret_message,
    unknown_key_message,
    validate,
    value_of,
)
from tilgen.config.settings import Settings
from tilgen.errors import ConfigError
from tilgen.secrets.mask import mask_secret, mask_url  # noqa: F401 - also used from here

REPO_FILE = ".tilgen.toml"
PYPROJECT = "pyproject.toml"
KEYRING_SERVICE = "tilgen"


@dataclass(frozen=True)
class ResolvedSettings:
    settings: Settings
    sources: dict[str, str]  # dotted key -> "default" | "user: /p" | "env: VAR" | "cli: --flag"
    user_file: Path = field(default_factory=paths.user_config_file)
    repo_file: Path | None = None
    ignored: dict[str, Any] = field(default_factory=dict)  # untrusted repo keys left out


def describe_file(path: Path) -> str:
    """How messages name a config file (pyproject.toml also names its table)."""
    return f"{path} [tool.tilgen]" if path.name == PYPROJECT else str(path)


def parse_toml(path: Path, *, skip_foreign_pyproject: bool = False,
               keep_format: bool = False) -> Any:
    """Parse ``path``; None if it does not exist.

    Reading uses the standard library's tomllib (plain dicts; fast). ``keep_format`` parses
    with tomlkit instead, keeping comments and layout, for files tilgen edits.
    ``skip_foreign_pyproject``: a pyproject.toml that never mentions tilgen reads as empty
    unparsed, and a broken one that has no tool.tilgen reads as empty too: it is not tilgen's
    to judge (a git hook must not fail over it).
    """
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text (save it as UTF-8)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror}); fix its permissions") from None
    if skip_foreign_pyproject and path.name == PYPROJECT and "tilgen" not in text:
        return {}
    try:
        return _parse_text(text, keep_format=keep_format)
    except ValueError as first:
        error = first
        if not keep_format:  # tomlkit's messages say more ("Unexpected character: 'c'")
            try:
                _parse_text(text, keep_format=True)
            except ValueError as detailed:
                error = detailed
        if skip_foreign_pyproject and path.name == PYPROJECT and "tool.tilgen" not in text:
            return {}
        hint = "fix the file" if path.name == PYPROJECT else "fix or delete the file"
        line, col, reason = _toml_error(error)
        where = f" at line {line}, column {col}" if line else ""
        raise ConfigError(f"{path}: invalid TOML{where}: {reason} ({hint})") from None


def _parse_text(text: str, *, keep_format: bool) -> Any:
    """TOML text to a document; any parse error comes out as a ValueError."""
    if not keep_format:
        import tomllib

        return tomllib.loads(text)  # TOMLDecodeError is a ValueError
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ValueError(exc) from exc


def _toml_error(exc: ValueError) -> tuple[int, int, str]:
    """(line, 1-based column, reason) of a tomllib or tomlkit parse error; line 0 if unknown."""
    cause = exc.__cause__
    if cause is not None and hasattr(cause, "line") and hasattr(cause, "col"):  # tomlkit
        reason = re.sub(r" at line \d+ col \d+$", "", str(cause))
        return cause.line, cause.col + 1, reason
    text = str(exc)
    found = re.search(r" \(at line (\d+), column (\d+)\)$", text)
    if found:
        return int(found[1]), int(found[2]), text[: found.start()]
    return 0, 0, re.sub(r" \(at end of document\)$", " at the end of the file", text)


def tilgen_table(doc: Any, path: Path) -> Any:
    """The table holding tilgen settings: the whole file, or [tool.tilgen] in pyproject.toml."""
    if doc is None or path.name != PYPROJECT:
        return doc
    table = doc.get("tool", {})
    table = table.get("tilgen") if isinstance(table, Mapping) else None
    if table is not None and not isinstance(table, Mapping):
        raise ConfigError(f"{path}: 'tool.tilgen' must be a table; write [tool.tilgen]")
    return table


def read_layer(path: Path) -> dict[str, Any] | None:
    """The validated settings ``path`` sets, as dotted keys; None if it sets nothing."""
    flat = raw_layer(path)
    return None if flat is None else _validated(flat, path)


def _validated(flat: dict[str, Any], path: Path) -> dict[str, Any]:
    origin = describe_file(path)
    return {key: validate(key, value, origin=origin) for key, value in flat.items()}


def raw_layer(path: Path) -> dict[str, Any] | None:
    """The known keys ``path`` sets, as dotted keys, values not yet validated; None if it
    sets nothing. Unknown keys, misplaced tables and secrets are errors already."""
    table = tilgen_table(parse_toml(path), path)
    if table is None:
        return None
    origin = describe_file(path)
    flat: dict[str, Any] = {}
    for name, value in _plain(table).items():
        if name in SECTIONS and isinstance(value, dict):
            flat.update({f"{name}.{sub}": item for sub, item in value.items()})
        else:
            flat[name] = value
    for key, value in flat.items():
        if looks_secret(key, value):
            raise ConfigError(secret_message(key, origin))
        if key in SECTIONS:
            raise ConfigError(
                f"{origin}: key '{key}' must be a table: write [{key}] on a line "
                "of its own and its keys below it"
            )
        if key not in FIELDS:
            raise ConfigError(f"{origin}: {unknown_key_message(key)}")
    return flat


def _plain(table: Any) -> dict[str, Any]:
    return table.unwrap() if hasattr(table, "unwrap") else dict(table)


def find_repo_config(repo_root: Path | None) -> Path | None:
    """``.tilgen.toml`` at the root, else a pyproject.toml with [tool.tilgen]."""
    if repo_root is None:
        return None
    dotfile = repo_root / REPO_FILE
    if dotfile.is_file():
        return dotfile
    pyproject = repo_root / PYPROJECT
    doc = parse_toml(pyproject, skip_foreign_pyproject=True) if pyproject.is_file() else None
    if tilgen_table(doc, pyproject) is not None:
        return pyproject
    return None


def load_settings(
    *,
    repo_root: Path | None,
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cli_flags: Mapping[str, str] | None = None,
    warn: bool = True,
) -> ResolvedSettings:
    """Resolve every setting through the layers; ``cli`` maps dotted keys to flag values.

    ``cli_flags`` names the flag behind a key for messages (default ``--<last-part>``).
    User-only keys of an untrusted repository file (:mod:`tilgen.config.trust`) are left
    out, into ``ignored``; ``warn`` says so once on stderr.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources = dict.fromkeys(KEYS, "default")
    user_file = paths.user_config_file()
    repo_file = find_repo_config(repo_root)
    ignored: dict[str, Any] = {}
    for path, layer in ((user_file, "user"), (repo_file, "repo")):
        flat = raw_layer(path) if path is not None else None
        if path is None or not flat:
            continue
        if layer == "repo":  # ignored keys are not even validated: not ours to judge
            flat, ignored = trust.split(flat, path)
            if ignored and warn:
                trust.warn_once(trust.ignored_message(path, ignored, repo_root=repo_root))
        for key, value in _validated(flat, path).items():
            values[key] = value
            sources[key] = f"{layer}: {path}"
    for var, key in ENV_KEYS.items():
        raw = env.get(var)
        if raw is not None and raw.strip():
            values[key] = parse_raw(key, raw, origin=f"environment variable {var}")
            sources[key] = f"env: {var}"
    for key, value in (cli or {}).items():
        if value is None:
            continue
        if key not in FIELDS:
            raise ConfigError(unknown_key_message(key))
        flag = (cli_flags or {}).get(key) or "--" + key.rsplit(".", 1)[-1].replace("_", "-")
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        origin = f"option {flag}"
        if isinstance(value, str):
            values[key] = parse_raw(key, value, origin=origin)
        else:
            values[key] = validate(key, value, origin=origin)
        sources[key] = f"cli: {flag}"
    settings = Settings.model_validate(nest(values))
    return ResolvedSettings(settings, sources, user_file=user_file, repo_file=repo_file,
                            ignored=ignored)


def resolve_api_key(
    settings: Settings, *, base_url: str | None = None, env: Mapping[str, str] | None = None
) -> tuple[str | None, str]:
    """The remote API key and where it came from: the variable named by
    ``remote.api_key_env``, else the OS keyring (service "tilgen", user = base URL or
    "default") when the ``keyring`` package is installed."""
    env = os.environ if env is None else env
    var = settings.remote.api_key_env
    if var and env.get(var):
        return env[var], f"env: {var}"
    try:
        import keyring
    except ImportError:
        return None, "not set"
    url = base_url or (settings.remote.base_urls[0] if settings.remote.base_urls else None)
    for user in [u for u in (url, "default") if u]:
        try:
            secret = keyring.get_password(KEYRING_SERVICE, user)
        except Exception:  # noqa: BLE001 - no usable keyring backend: same as no key
            return None, "not set"
        if secret:
            return secret, f"keyring: {KEYRING_SERVICE}/{user}"
    return None, "not set"


def settings_rows(
    resolved: ResolvedSettings, *, env: Mapping[str, str] | None = None
) -> list[tuple[str, Any, str]]:
    """(key, value, source) for every setting plus the API key, secrets masked."""
    rows: list[tuple[str, Any, str]] = []
    for key in KEYS:
        value = value_of(resolved.settings, key)
        if key == "remote.base_urls":
            value = [mask_url(url) for url in value]
        rows.append((key, value, resolved.sources[key]))
        if key == "remote.api_key_env":
            secret, source = resolve_api_key(resolved.settings, env=env)
            rows.append(("remote.api_key", mask_secret(secret) if secret else None, source))
    return rows


def ignored_rows(resolved: ResolvedSettings) -> list[tuple[str, Any, str]]:
    """(key, value, source) for each key an untrusted repository file tried to set."""
    where = f"ignored: {describe_file(resolved.repo_file)} (not trusted; tilgen config trust)" \
        if resolved.repo_file else "ignored"
    return [(key, _masked(value) if key == "remote.base_urls" else value, where)
            for key, value in resolved.ignored.items()]


def _masked(value: Any) -> Any:
    """An ignored (so never validated) base URL list with its passwords masked."""
    if isinstance(value, str):
        return mask_url(value)
    if isinstance(value, list):
        return [mask_url(v) if isinstance(v, str) else v for v in value]
    return value
