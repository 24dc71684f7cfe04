"""What a hunk shows, said plainly for a small model: where it is, what it removed and added.

A unified diff states its direction only through one-character prefixes, which small models
read backwards often enough (a deleted paragraph taught as the new rule, a removed field
reported as added). Each hunk is therefore introduced by one line naming its scope (the
function or type git printed after ``@@``), its counts, and the identifiers that occur only
in its added lines or only in its removed ones.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable

from tilgen.git.changes import Hunk
from tilgen.note.checks import import_line
from tilgen.note.pairs import _COMMENT, _COMMON, _WORD, _runs, replacements

_HEADER = re.compile(r"^@@+ [^@]* @@+ ?(.*)$")
MAX_NAMES = 6


# git's default heuristic takes any line that starts with a letter as a hunk's "function":
# an import is no scope, and a model told "in `import childProcess …`" writes about it.
_NO_SCOPE = re.compile(r"^(import|from|use|package|require|#include|using)\b")


def scope(hunk: Hunk) -> str:
    """The enclosing function or type git printed after the ``@@`` range, if any (see
    :func:`tilgen.note.declarations.scope` for where the change itself is)."""
    m = _HEADER.match(hunk.header)
    where = m.group(1).strip() if m else ""
    return "" if _NO_SCOPE.match(where) else where


# A Rust macro's metavariables (`$err:expr`, then `$err`) are no names of the program.
_METAVAR = re.compile(r"(\$\w+):(?:expr|tt|ident|ty|literal|pat|pat_param|path|block|stmt|"
                      r"item|meta|vis|lifetime)\b")


TEST_MARK = re.compile(r"^\s*(#\[test\]|@Test\b)")  # says a test follows


def _names(lines: list[str]) -> dict[str, None]:
    """Identifiers of code lines (comments and macro metavariables skipped), in order of
    appearance."""
    out: dict[str, None] = {}
    metavars = {m.group(1) for line in lines for m in _METAVAR.finditer(line)}
    lines = [_METAVAR.sub(" ", line) for line in lines]
    for line in lines:
        mark = TEST_MARK.match(line)
        if _COMMENT.match(line) or (mark and not line[mark.end():].strip()):
            continue
        line = re.sub(r"(\"[^\"]*\"|'[^']*')", " ", line)  # words inside string literals
        line = re.sub(r"\s(//|#)\s.*$", "", line)  # a trailing comment
        for word in _WORD.findall(line):
            if len(word) > 2 and word.lower() not in _COMMON and word not in metavars:
                out.setdefault(word, None)
    return out


def name_changes(hunk: Hunk) -> tuple[list[str], list[str]]:
    """(names only in added lines, names only in removed lines) of one hunk."""
    new, gone = _name_changes(tuple(hunk.lines))
    return list(new), list(gone)


# Fitting a day into the context renders the same hunks many times: what is read from a
# hunk's lines is kept (by their contents) instead of being read again each time.
@functools.lru_cache(maxsize=1024)
def _name_changes(lines: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # names of imports last: eight `use` lines would leave no room for the test they serve
    added = _names(sorted((ln[1:] for ln in lines if ln.startswith("+")), key=import_line))
    removed = _names([ln[1:] for ln in lines if ln.startswith("-")])
    kept = _names([ln[1:] for ln in lines if ln.startswith(" ")])
    new = _distinct(w for w in added if w not in removed and w not in kept)
    gone = _distinct(w for w in removed if w not in added and w not in kept)
    return tuple(new[:MAX_NAMES]), tuple(gone[:MAX_NAMES])


def _distinct(words: Iterable[str]) -> list[str]:
    """Names, a dotted one (``f.interspersed``) dropped when its last part is listed too."""
    words = list(words)
    last = {w.rsplit(".", 1)[-1] for w in words if "." not in w}
    return [w for w in words if "." not in w or w.rsplit(".", 1)[-1] not in last]


def _lines(n: int) -> str:
    return f"{n} line" + ("" if n == 1 else "s")


_DECLARES = re.compile(r"\b(?:class|struct|enum|trait|interface|type|fn|def|func|function)"
                       r"\s+([A-Za-z_$][\w$]*)")


def moves(files: list[tuple[str, list[Hunk]]]) -> dict[tuple[int, int], str]:
    """For hunks ``(file index, hunk index)`` whose removed names come back as new names in
    another file, or the other way round: ``moved to other.rs: `Error`…`` / ``moved from
    lib.rs: …``, so code that moved is not read as deleted in one place and new in another."""
    changes = {(fi, hi): name_changes(h) for fi, (_p, hunks) in enumerate(files)
               for hi, h in enumerate(hunks)}
    where_new: dict[str, list[tuple[int, int]]] = {}
    for at, (new, _gone) in changes.items():
        for w in new:
            where_new.setdefault(w, []).append(at)
    # A name declared in another file's added lines moved there even when that hunk also
    # removed it (`pub use crate::error::{Chain, Error};` gone from lib.rs, `pub struct
    # Chain` added to it): read only as "new names", anyhow's Chain was said to be deleted.
    declared_at: dict[tuple[int, int], set[str]] = {}
    for fi, (_p, hunks) in enumerate(files):
        for hi, h in enumerate(hunks):
            found = {m.group(1) for ln in h.lines if ln.startswith("+")
                     for m in _DECLARES.finditer(ln[1:])}
            declared_at[(fi, hi)] = found
            for w in found:
                if w not in changes[(fi, hi)][0]:
                    where_new.setdefault(w, []).append((fi, hi))
    out: dict[tuple[int, int], str] = {}
    for (fi, hi), (_new, only_gone) in changes.items():
        # the types and functions its removed lines declared first (`Error`, which error.rs
        # still names in its impl blocks), then the names it no longer has
        h = files[fi][1][hi]
        taken = [m.group(1) for ln in h.lines if ln.startswith("-")
                 and not _COMMENT.match(ln[1:]) for m in _DECLARES.finditer(ln[1:])]
        # (one declared again in the same hunk only changed its modifiers: `pub(crate)`)
        taken = [w for w in taken if w not in declared_at[(fi, hi)]]
        gone = list(dict.fromkeys(_distinct([*taken, *only_gone])))
        targets = dict.fromkeys(at for w in gone for at in where_new.get(w, ()) if at[0] != fi)
        for fj, hj in targets:
            there = set(changes[(fj, hj)][0]) | declared_at[(fj, hj)]
            # the declarations that moved, else the names: `Chain`, not its field `next`
            moved = [w for w in taken if w in there] or [w for w in gone if w in there]
            if moved:
                names = ", ".join(f"`{w}`" for w in moved[:MAX_NAMES])
                out.setdefault((fi, hi), f"moved to {files[fj][0]}: {names}")
                out.setdefault((fj, hj), f"moved from {files[fi][0]}: {names}")
    return out


# Files of prose: their "names" are English words ("Fixed", "when"), which a small model
# then lists as if they were identifiers.
PROSE_LANGUAGES = frozenset({"Markdown", "reStructuredText", "AsciiDoc", "Text", None})


def describe(hunk: Hunk, moved: str = "", *, code: bool = True,
             modifiers: list[str] | None = None, where: str | None = None) -> str:
    """One line before the hunk: scope, what it removed and added, names new and gone (for
    code: ``code`` false for a file of prose), ``modifiers`` (see
    :func:`tilgen.note.declarations.said`) and ``moved`` (see :func:`moves`)."""
    modifiers = modifiers or []
    parts = []
    where = scope(hunk) if where is None else where
    if where:
        parts.append(f"in `{where[:80]}`")
    lines = realigned(hunk.lines)
    added = sum(1 for ln in lines if ln.startswith("+"))
    removed = sum(1 for ln in lines if ln.startswith("-"))
    if hunk.header.startswith("@@ -0,0 "):
        parts.append(f"new file, {_lines(added)} added")
    elif not added:
        parts.append(f"{_lines(removed)} REMOVED, nothing added"
                     + ("" if moved.startswith("moved to") else ": this code no longer exists"))
    elif not removed:
        parts.append(f"{_lines(added)} added, nothing removed")
    else:
        parts.append(f"{_lines(removed)} removed, {added} added")
    new, gone = name_changes(hunk) if code else ([], [])
    swaps = replacements(hunk) if code else []
    if swaps:
        parts.append("swapped: " + ", ".join(f"`{old}` became `{new}`" for old, new in swaps))
        swapped = {w for pair in swaps for w in pair}
        new = [w for w in new if w not in swapped]
        gone = [w for w in gone if w not in swapped]
    parts += modifiers  # "`emitLastEnumValue` is now `private` (was `public`)"
    if new:
        parts.append("new names: " + ", ".join(f"`{w}`" for w in new))
    if gone:
        parts.append("names gone: " + ", ".join(f"`{w}`" for w in gone))
    if moved:
        parts.append(moved)
    return "; ".join(parts)


def body(hunk: Hunk) -> str:
    """The hunk's lines with their diff markers, without the ``@@`` line (described above);
    lines whose change is only whitespace read as unchanged context."""
    return "\n".join(realigned(hunk.lines))


def realigned(lines: list[str]) -> list[str]:
    """``lines`` with each removed line that comes back, differing only in whitespace (a
    realigned struct, a re-indented block), shown once as context: a small model should
    see the one field that changed, not ten."""
    return list(_realigned(tuple(lines)))


@functools.lru_cache(maxsize=1024)
def _realigned(lines: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for run in _runs(list(lines)):
        if isinstance(run, str):
            out.append(run)
            continue
        removed, added = run
        old = [" ".join(ln[1:].split()) for ln in removed]
        new = [" ".join(ln[1:].split()) for ln in added]
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
                a=old, b=new, autojunk=False).get_opcodes():
            if tag == "equal":
                out.extend(" " + ln[1:] for ln in added[j1:j2])
            else:
                out.extend(removed[i1:i2] + added[j1:j2])
    return tuple(out)


def imported_only(hunk: Hunk) -> set[str]:
    """Names a hunk's added lines use only in imports (`use std::sync::Arc;`): what the
    code does with them says more (`Box::<dyn StdError + Send + Sync>::from(error)`)."""
    added = [ln[1:] for ln in hunk.lines if ln.startswith("+")]
    imports = _names([ln for ln in added if import_line(ln)])
    used = _names([ln for ln in added if not import_line(ln)])
    return set(imports) - set(used)


def changed_names(hunk: Hunk) -> list[str]:
    """Identifiers of the changed lines (added ones first), for a hunk that adds and removes
    no name of its own: a changed value in a named call still has a name to open with."""
    return list(_names([ln[1:] for marker in "+-" for ln in hunk.lines
                        if ln.startswith(marker)]))
