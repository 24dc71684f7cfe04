"""Edit a note in $VISUAL/$EDITOR, then check it again; a second chance when a rule broke."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tilgen.errors import ExitCode, InvalidNoteError, TilgenError
from tilgen.log.notes import split_front_matter, strip_related

T = TypeVar("T")
_COMMENT = re.compile(r"^<!-- tilgen: .*?-->[ \t]*\n?", re.M)


def editor_command() -> list[str]:
    value = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not value:
        if not sys.stdin.isatty():
            raise TilgenError("no editor: set $VISUAL or $EDITOR (for example EDITOR=nano)",
                              exit_code=ExitCode.USAGE)
        value = "vi"
    return shlex.split(value)


def run_editor(path: Path) -> None:
    command = editor_command()
    try:
        code = subprocess.run([*command, str(path)]).returncode
    except OSError as exc:
        raise TilgenError(f"cannot start the editor {command[0]!r}: {exc.strerror}; "
                          "set $VISUAL or $EDITOR", exit_code=ExitCode.USAGE) from None
    if code != 0:
        raise TilgenError(f"the editor {command[0]!r} exited with status {code}; "
                          "nothing was saved")


def edit_until_valid(text: str, check: Callable[[dict[str, Any], str], T], *, name: str,
                     status: Callable[[str], None]) -> T:
    """Open ``text`` in the editor and return ``check(front matter, body)``.

    ``check`` raises InvalidNoteError for a broken note: the editor opens once more with the
    problem written at the top; a second broken edit raises, and the edit is kept on disk.
    """
    fd, name_tmp = tempfile.mkstemp(prefix=f"tilgen-{name}-", suffix=".md")
    path = Path(name_tmp)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    for attempt in (1, 2):
        run_editor(path)
        edited = _COMMENT.sub("", path.read_text(encoding="utf-8"))
        meta, body = split_front_matter(edited)
        try:
            result = check(meta or {}, strip_related(body))
        except InvalidNoteError as exc:
            if attempt == 2:
                raise InvalidNoteError(f"the edited note still breaks a rule ({exc.message}); "
                                       f"nothing was saved; your edit is kept in {path}") from None
            status(f"the edited note breaks a rule ({exc.message}); opening it again")
            path.write_text(_with_comment(edited, exc.message), encoding="utf-8")
        else:
            path.unlink(missing_ok=True)
            return result
    raise AssertionError("unreachable")


def _with_comment(text: str, problem: str) -> str:
    comment = (f"<!-- tilgen: {problem}. Fix this and save; this line is removed. -->\n")
    meta, body = split_front_matter(text)
    if meta is None:
        return comment + text
    head = text[: len(text) - len(body)]
    return head + comment + body


def note_checker(title: str, keywords: list[str], validate: Callable[[dict[str, Any]], T],
                 ) -> Callable[[dict[str, Any], str], T]:
    """``check`` for :func:`edit_until_valid`: title and keywords from the edited front matter
    (the original ones when it was removed), the content from the body."""

    def check(meta: dict[str, Any], body: str) -> T:
        return validate({"title": meta.get("title", title),
                         "keywords": meta.get("keywords", keywords), "content": body})

    return check


def rewrite_saved(text: str, title: str, keywords: list[str], content: str, layout: str) -> str:
    """A saved note's file with an edited note: its front matter kept (title, keywords and
    tags updated) and its related-notes section kept."""
    from tilgen.log.layouts import tag
    from tilgen.log.notes import RELATED_HEADING
    from tilgen.note.store import front_matter

    meta, body = split_front_matter(text)
    meta = dict(meta or {})
    meta.update(title=title, keywords=keywords)
    if "tags" in meta:
        meta["tags"] = [tag(k, layout) for k in keywords]
    _, sep, related = body.partition("\n" + RELATED_HEADING + "\n")
    tail = "\n" + RELATED_HEADING + "\n" + related if sep else ""
    return front_matter(meta) + content.rstrip() + "\n" + tail
