"""The ``note_filename`` pattern: which placeholders it may use, and the rule that the path it
makes stays inside the notes directory.

Checked when settings are read (so a bad pattern is a config error before any model runs)
and again when a note path is made, with the real repository name and date.
"""

from __future__ import annotations

import string
from pathlib import PurePosixPath

PLACEHOLDERS = ("repo", "date")
_SAMPLE = {"repo": "repo", "date": "2000-01-01"}


def check_pattern(pattern: str) -> str:
    """``pattern`` unchanged if it is a valid note file name pattern; else a ValueError that
    says what is wrong and how to write it."""
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"note_filename {pattern!r} is not a valid pattern ({exc}); "
                         "write a single { or } as {{ or }}") from None
    for _text, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (
                f":{spec}" if spec else "") + "}"
            raise ValueError(
                f"note_filename {pattern!r} uses {shown}; the placeholders are "
                + " and ".join("{" + p + "}" for p in PLACEHOLDERS)
                + ", e.g. '{repo}/{date}.md'")
    relative_parts(pattern.format(**_SAMPLE), pattern=pattern)
    return pattern


def relative_parts(name: str, *, pattern: str) -> tuple[str, ...]:
    """The folders and file name of a formatted pattern, each one a plain name; a
    ValueError for anything that could leave the notes directory or name no file."""
    text = name.replace("\\", "/")
    why = ""
    if "\0" in text:
        why = "holds a NUL character"
    elif text.startswith("/") or (len(text) > 1 and text[0].isalpha() and text[1] == ":"):
        why = "is an absolute path"
    elif text.endswith("/") or not text.strip():
        why = "names a folder, not a file"
    parts = tuple(part for part in PurePosixPath(text).parts if part not in ("", "."))
    if not why and any(part == ".." for part in parts):
        why = "climbs out of the notes directory with '..'"
    if not why and (not parts or not parts[-1].strip(" .")):
        why = "has an empty file name"
    if why:
        raise ValueError(f"note_filename {pattern!r} {why}; notes are written under notes_dir, "
                         "so use a relative pattern such as '{repo}/{date}.md'")
    return parts
