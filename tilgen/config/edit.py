"""Change one key in a config file, keeping every comment and other key byte for byte."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tilgen.atomic import write_atomic
from tilgen.config.keys import (
    FIELDS,
    default_of,
    looks_secret,
    parse_raw,
    secret_message,
    unknown_key_message,
)
from tilgen.config.layers import PYPROJECT, describe_file, parse_toml, tilgen_table
from tilgen.errors import ConfigError, StorageError


def set_value(path: Path, key: str, raw: str) -> Any:
    """Validate ``raw`` for ``key`` and write it to ``path``; return the value written.

    ``none``/``null`` unsets an optional key. Invalid input leaves the file untouched.
    """
    origin = describe_file(path)
    if looks_secret(key, raw):
        raise ConfigError(secret_message(key, origin))
    if key not in FIELDS:
        raise ConfigError(unknown_key_message(key))
    value = parse_raw(key, raw, origin=origin)
    if value is None:
        unset_value(path, key)
        return None
    import tomlkit

    doc = parse_toml(path, keep_format=True)
    doc = tomlkit.document() if doc is None else doc
    before = doc.as_string()
    table = _table(doc, path, create=True)
    section, _, name = key.rpartition(".")
    if section:
        sub = table.get(section)
        if sub is None:
            sub = tomlkit.table()
            sub[name] = value
            if table is not doc:  # [tool.tilgen.x] in pyproject: keep a gap before what follows
                sub.add(tomlkit.nl())
            table[section] = sub
        elif not isinstance(sub, dict):
            raise ConfigError(f"{origin}: key '{section}' must be a table; fix the file first")
        else:
            sub[name] = value
    else:
        table[name] = value
    _write(path, doc, before=before)
    return value


def unset_value(path: Path, key: str) -> bool:
    """Remove ``key`` from ``path``; False if it was not there. Unknown keys present in the
    file can be removed too, so typos and stray secrets can be cleaned up."""
    doc = parse_toml(path, keep_format=True)
    table = _table(doc, path, create=False) if doc is not None else None
    section, _, name = key.rpartition(".")
    holder = table.get(section) if table is not None and section else table
    if doc is None or not isinstance(holder, dict) or name not in holder:
        if key not in FIELDS and not looks_secret(key, "x"):
            raise ConfigError(unknown_key_message(key))
        return False
    before = doc.as_string()
    del holder[name]
    if section and table is not None and len(holder) == 0 and not _has_comments(holder):
        del table[section]  # an empty table we may have created ourselves
    _write(path, doc, before=before)
    return True


def _table(doc: Any, path: Path, *, create: bool) -> Any:
    table = tilgen_table(doc, path)
    if table is None and create and path.name == PYPROJECT:
        import tomlkit

        tool = doc.get("tool")
        if tool is None:
            tool = tomlkit.table(is_super_table=True)
            doc["tool"] = tool
        tool["tilgen"] = tomlkit.table()
        table = tool["tilgen"]
    return table


def _has_comments(table: Any) -> bool:
    from tomlkit.items import Comment

    return any(isinstance(item, Comment) for _, item in table.value.body)


def _write(path: Path, doc: Any, *, before: str) -> None:
    """Write ``doc``, keeping the file's own line endings and end-of-file newlines."""
    import tomlkit

    text = tomlkit.dumps(doc)
    if not text.strip():
        text = ""
    elif before.strip():
        # tomlkit pads tables it adds or removes with blank lines, which would pile up at the end
        text = text.rstrip("\r\n") + before[len(before.rstrip("\r\n")) :]
    if "\r\n" in before and not re.search(r"(?<!\r)\n", before):
        text = re.sub(r"(?<!\r)\n", "\r\n", text)  # tomlkit writes new lines as LF
    write_config(path, text)


def write_config(path: Path, text: str) -> None:
    """Replace a config file whole; a folder that cannot be written is one clear error."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        home = " (or point TILGEN_HOME at a writable folder)" if path.name == "config.toml" else ""
        raise StorageError(f"cannot write {path}: {reason}; make {path.parent} writable{home}"
                           ) from None


def config_template(*, scope: str) -> str:
    """A file listing every setting, commented out, for `tilgen config edit`."""
    import tomlkit

    lines = [
        f"# tilgen {scope} configuration. Uncomment a line to change a setting.",
        "# Order: defaults < user file < repository .tilgen.toml < TILGEN_* variables < flags.",
        "# `tilgen config show` lists every value and where it comes from.",
        "# No secrets here: put the API key in the variable named by remote.api_key_env.",
    ]
    current = ""
    for key, info in FIELDS.items():
        section, _, name = key.rpartition(".")
        if section != current:
            lines += ["", f"[{section}]"]
            current = section
        default = default_of(key)
        shown = "..." if default is None else tomlkit.item(default).as_string()
        note = info.description or ""
        if default is None:
            note = f"{note} Unset by default.".strip()
        lines.append(f"# {name} = {shown}" + (f"  # {note}" if note else ""))
    return "\n".join(lines) + "\n"
