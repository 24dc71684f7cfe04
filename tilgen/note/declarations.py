"""Declarations whose modifiers changed while their name stayed: `public` became `private`.

:mod:`tilgen.note.evidence` leaves modifier words out of names and swaps (every file has
them), yet a method made private, a field made final or a Rust type made ``pub(crate)`` is
the whole lesson of some changes.
"""

from __future__ import annotations

import functools
import re

from tilgen.git.changes import Hunk
from tilgen.note.evidence import _HEADER, _NO_SCOPE, TEST_MARK
from tilgen.note.pairs import _COMMON, MAX_SWAPS, _blocks, _pairs

_MODIFIERS = ("public", "private", "protected", "internal", "pub", "pub(crate)", "pub(super)",
              "final", "static", "abstract", "sealed", "open", "override", "export", "async",
              "const", "readonly", "unsafe")
_MODIFIER_WORDS = "|".join(re.escape(m) for m in sorted(_MODIFIERS, key=len, reverse=True))
_MODIFIER_RUN = re.compile(rf"^\s*(?:@\w+\s+)*((?:(?:{_MODIFIER_WORDS})\s+)+)")


def modifier_changes(hunk: Hunk) -> list[tuple[str, str, str]]:
    """``(name, before, after)`` for a declaration whose modifiers changed while its name
    stayed: ``("emitLastEnumValue", "public", "private")``, ``("ErrorImpl", "",
    "pub(crate)")``, ``("annotated", "public", "public final")``."""
    return list(_modifier_changes(tuple(hunk.lines)))


@functools.lru_cache(maxsize=1024)
def _modifier_changes(lines: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    out: dict[tuple[str, str, str], None] = {}
    for removed, added in _blocks(list(lines)):
        for old_line, new_line in _pairs(removed, added):
            before, after = _modifiers(old_line), _modifiers(new_line)
            name = declared_name(new_line)
            if before != after and name and name == declared_name(old_line):
                out.setdefault((name, before, after), None)
    return tuple(out)[:MAX_SWAPS]


def _modifiers(line: str) -> str:
    m = _MODIFIER_RUN.match(line)
    return " ".join(m.group(1).split()) if m else ""


_DECL = re.compile(r"\b(?:class|struct|enum|trait|impl|interface|type|def|fn|func|function|"
                   r"mod|object|macro_rules!)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)")
_CALL = re.compile(r"([A-Za-z_$][\w$]*)\s*\(")
# JavaScript's functions by assignment: `Command.prototype.alias = function(alias) {`,
# `const strip = (str) => …`, `alias: function (a) {`
_ASSIGNED = re.compile(r"([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\b|\([^()]*\)\s*=>)")
_NOT_A_NAME = frozenset("if for while switch catch return function func def fn new".split())


def declared_name(line: str) -> str:
    """The name a declaration line (or a hunk header) declares: ``emitLastEnumValue`` in
    ``public JavaWriter emitLastEnumValue(String name) {``, ``parseArgs`` in ``func (f
    *FlagSet) parseArgs(args []string) error {``, ``Foo`` in ``class Foo extends Bar {``;
    "" when none."""
    rest = _MODIFIER_RUN.sub("", line)
    m = _ASSIGNED.search(rest)
    if m:
        return m.group(1)
    for m in _DECL.finditer(rest):  # a declared `Type` or `Var` is a name all the same
        if m.group(1) not in _NOT_A_NAME:
            return m.group(1)
    for m in _CALL.finditer(rest):
        if m.group(1) not in _NOT_A_NAME and m.group(1).lower() not in _COMMON:
            return m.group(1)
    return ""


def declared(lines: list[str]) -> list[str]:
    """The names the declaration lines among ``lines`` declare, in order (comments skipped):
    what a hunk that only removes code took away, e.g. an override's method name."""
    out: dict[str, None] = {}
    for line in lines:
        if not re.match(r"^\s*(//|#|/\*|\*)", line):
            name = declared_name(line)
            if len(name) > 2 and (_MODIFIER_RUN.match(line) or re.search(
                    r"\b(struct|class|enum|trait|interface|fn|def|function|type)\s+\w|\bfunc\s+[\w(]",
                    line)):
                out.setdefault(name, None)
    return list(out)


def tests(lines: list[str]) -> list[str]:
    """The tests ``lines`` declare: named ``test…``, or marked `#[test]` or `@Test` (on
    their line or the one above, as JUnit's `@Test public void ifElse() {`)."""
    out = []
    for i, line in enumerate(lines):
        marked = TEST_MARK.match(line) or (i and TEST_MARK.match(lines[i - 1]))
        for name in declared([line]):
            if name.lower().startswith("test") or marked:
                out.append(name)
    return out


def said(hunk: Hunk) -> list[str]:
    """What the hunk's line in the prompt says of them."""
    return [f"`{name}` is now `{after}`" + (f" (was `{before}`)" if before else "")
            if after else f"`{name}` is no longer `{before}`"
            for name, before, after in modifier_changes(hunk)]


_OPENS = re.compile(r"\b(?:class|struct|enum|trait|impl|interface|def|fn|func|function)\b"
                    r"|\bmacro_rules!|^\s*type\s+\w+\s+(?:struct|interface)\b")


def opens(line: str) -> bool:
    """Whether a code line opens a function or type (see :func:`_declares`)."""
    return _declares(line)


def _declares(line: str) -> bool:
    """Whether a code line opens a function or type (not a call, not a statement)."""
    if re.match(r"^\s*(//|#|/\*|\*)", line) or not declared_name(line):
        return False
    return bool(_OPENS.search(line) or _ASSIGNED.search(line)
                or (_MODIFIER_RUN.match(line) and "(" in line and "=" not in line.split("(")[0]))


_CLOSING = frozenset({"}", "};", "})", "});", "end"})


def enclosing(lines: list[str], header: str) -> str:
    """Where a hunk's change is: the last declaration among its lines above the first
    changed line, indented no deeper than it, else ``header`` (what git printed after the
    ``@@`` range, which names where the hunk *starts*: often the function before the one
    changed)."""
    first = next((i for i, ln in enumerate(lines) if ln.startswith(("+", "-"))), None)
    if first is None:
        return header
    depth = len(lines[first][1:]) - len(lines[first][1:].lstrip())
    for line in reversed(lines[:first]):
        code = line[1:]
        if code.strip() and len(code) - len(code.lstrip()) <= depth and _declares(code):
            return code.strip().rstrip("{").strip()
        if code.strip() in _CLOSING and depth == 0 and not code[:1].isspace():
            return ""  # a top-level block closed above a top-level change: `}` of `func Parse()`
    return header


def scope(hunk: Hunk) -> str:
    """The function or type a hunk changes (see :func:`enclosing`); "" for none."""
    m = _HEADER.match(hunk.header)
    where = enclosing(hunk.lines, m.group(1).strip() if m else "")
    return "" if _NO_SCOPE.match(where) else where
