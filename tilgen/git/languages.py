"""Which programming language a changed file is written in, and which ones a change is about.

Names come from pygments' filename patterns, renamed to the names people use ("Shell", not
"Bash"; "SQL", not "Transact-SQL"). Content is consulted only for files pygments cannot
name, and then only their ``#!`` line, so detection stays cheap on huge change sets.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import PurePosixPath

from tilgen.git.changes import FileChange

LOCKFILES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock",
    "bun.lockb", "Cargo.lock", "poetry.lock", "Pipfile.lock", "pdm.lock", "uv.lock",
    "go.sum", "go.work.sum", "composer.lock", "Gemfile.lock", "Podfile.lock", "mix.lock",
    "flake.lock", "packages.lock.json", "pubspec.lock", "gradle.lockfile", "deno.lock",
    "conda-lock.yml", "Package.resolved",
})


def is_lockfile(path: str) -> bool:
    name = PurePosixPath(path).name
    return name in LOCKFILES or name.endswith(".lock") or name.endswith(".lockb")


# pygments picks a surprising lexer for these, or has none.
_BY_SUFFIX = {
    ".pl": "Perl", ".pm": "Perl", ".t": "Perl", ".r": "R", ".sql": "SQL", ".csv": "CSV",
    ".tsv": "TSV", ".svelte": "Svelte", ".ipynb": "Jupyter Notebook", ".nim": "Nim",
    ".v": "Verilog",
}
_BY_NAME = {"go.mod": "Go Module", "go.work": "Go Module"}

_FRIENDLY = {
    "Bash": "Shell", "Text only": "Text", "Transact-SQL": "SQL", "Docker": "Dockerfile",
    "TSX": "TypeScript", "JSX": "JavaScript", "S": "R", "Nimrod": "Nim", "NASM": "Assembly",
    "GAS": "Assembly", "verilog": "Verilog", "systemverilog": "SystemVerilog", "vhdl": "VHDL",
    "Protocol Buffer": "Protocol Buffers", "Python 2.x": "Python", "Python 3": "Python",
    "JavaScript+Genshi Text": "JavaScript",
}

# Languages that describe a change only when no programming language is involved.
SUPPORTING = frozenset({
    "Markdown", "reStructuredText", "Text", "JSON", "YAML", "TOML", "INI", "XML", "CSV", "TSV",
    "Properties", "Go Module", "Diff", "Jupyter Notebook", "AsciiDoc",
})

_INTERPRETERS = {
    "python": "Python", "python2": "Python", "python3": "Python", "pypy": "Python",
    "pypy3": "Python", "node": "JavaScript", "nodejs": "JavaScript", "deno": "TypeScript",
    "bun": "JavaScript", "ts-node": "TypeScript", "sh": "Shell", "bash": "Shell", "zsh": "Shell",
    "dash": "Shell", "ksh": "Shell", "fish": "Fish", "ruby": "Ruby", "perl": "Perl",
    "php": "PHP", "lua": "Lua", "Rscript": "R", "awk": "Awk", "gawk": "Awk", "tclsh": "Tcl",
    "pwsh": "PowerShell", "julia": "Julia", "elixir": "Elixir", "escript": "Erlang",
    "runghc": "Haskell", "groovy": "Groovy", "kotlin": "Kotlin", "scala": "Scala",
}


def _cache_key(name: str) -> str:
    """A stand-in name that pygments matches exactly as it matches ``name``.

    Patterns of the form ``*.ext`` only see what follows the first dot, so ``parser.py`` and
    ``lexer.py`` share one cache entry; names other patterns match keep their own.
    """
    dot = name.find(".")
    if dot <= 0 or _suffix_index()[1].match(name):
        return name
    return "x" + name[dot:]


@functools.lru_cache(maxsize=1)
def _suffix_index() -> tuple[dict[str, frozenset[str]], re.Pattern[str]]:
    """Literal ``*.ext`` patterns -> lexer names, and one regex for every other pattern.

    Read from pygments' static table, so no lexer module is imported and no per-pattern regex
    is compiled (pygments' own lookup compiles ~900 of them on first use).
    """
    import fnmatch

    from pygments.lexers._mapping import LEXERS

    index: dict[str, set[str]] = {}
    other: set[str] = set()
    for _, name, _, patterns, _ in LEXERS.values():
        for p in patterns:
            if re.fullmatch(r"\*\.[^*?\[\]]+", p):
                index.setdefault(p[1:], set()).add(name)
            else:
                other.add(p)
    regex = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in sorted(other)))
    return {k: frozenset(v) for k, v in index.items()}, regex


def _unambiguous_lexer(name: str) -> str | None:
    """The one lexer whose literal suffix patterns alone match ``name``, else None."""
    index, other = _suffix_index()
    if other.match(name):
        return None
    found: set[str] = set()
    for i, ch in enumerate(name):
        if ch == ".":
            found |= index.get(name[i:], frozenset())
    return next(iter(found)) if len(found) == 1 else None


@functools.lru_cache(maxsize=4096)
def _lexer_language(key: str) -> str | None:
    fast = _unambiguous_lexer(key)
    if fast is not None:
        return _FRIENDLY.get(fast, fast)
    from pygments.lexers import find_lexer_class_for_filename

    try:
        cls = find_lexer_class_for_filename(key)
    except Exception:  # a broken third-party lexer plugin must not stop detection
        return None
    if cls is None:
        return None
    name = str(cls.name)
    return _FRIENDLY.get(name, name)


@functools.lru_cache(maxsize=256)
def shebang_language(first_line: str) -> str | None:
    """Language of a ``#!`` line: ``#!/usr/bin/env python3`` -> Python."""
    if not first_line.startswith("#!"):
        return None
    words = first_line[2:].split()
    if words and words[0].endswith("/env"):
        words = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
    if words:
        interpreter = words[0].rsplit("/", 1)[-1]
        if interpreter in _INTERPRETERS:
            return _INTERPRETERS[interpreter]
        versionless = re.sub(r"[\d.]+$", "", interpreter)
        if versionless in _INTERPRETERS:
            return _INTERPRETERS[versionless]
    from pygments.lexers import guess_lexer
    from pygments.util import ClassNotFound

    try:
        lexer = guess_lexer(first_line + "\n")
    except ClassNotFound:
        return None
    name = _FRIENDLY.get(lexer.name, lexer.name)
    return None if name == "Text" else name


def language_for(path: str, *, first_line: str | None = None) -> str | None:
    """The language of ``path``; ``first_line`` (the file's first line) helps when the name
    alone says nothing, as with scripts that have no extension."""
    lang = _language_of_name(path.rsplit("/", 1)[-1])
    if lang is None and first_line:
        lang = shebang_language(first_line.rstrip("\r\n")[:200])
    return lang


@functools.lru_cache(maxsize=8192)
def _language_of_name(name: str) -> str | None:
    if not name:
        return None
    lang = _BY_NAME.get(name)
    if lang is None:
        lang = _BY_SUFFIX.get(PurePosixPath(name).suffix.lower())
    return lang if lang is not None else _lexer_language(_cache_key(name))


def _first_line(f: FileChange) -> str | None:
    """The file's first line, when the diff shows it (a hunk that starts at line 1)."""
    for hunk in f.hunks:
        m = re.match(r"^@@ -\d+(?:,\d+)? \+(\d+)", hunk.header)
        if not m or int(m.group(1)) > 1:
            continue
        for line in hunk.lines:
            if line[:1] in (" ", "+"):
                return line[1:]
    return None


def detect(f: FileChange) -> str | None:
    """The language of a changed file; None for binaries, gitlinks and symlinks."""
    if f.binary or f.submodule:
        return None
    if (f.new_mode or f.old_mode) == "120000":  # a symlink's "content" is a path
        return None
    lang = language_for(f.path)
    if lang is None and "." not in f.path.rsplit("/", 1)[-1]:
        lang = language_for(f.path, first_line=_first_line(f))
    return lang


def assign_languages(files: Iterable[FileChange]) -> None:
    """Set ``language`` on every file."""
    for f in files:
        f.language = detect(f)


def main_languages(files: Iterable[FileChange], *, top: int = 2) -> list[str]:
    """The ``top`` languages of a change, weighted by changed lines.

    Binaries, lockfiles and files without a language do not count; markup and data formats
    count only when no programming language changed.
    """
    weights: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for f in files:
        lang = f.language if f.language is not None else detect(f)
        if not lang or f.binary or is_lockfile(f.path):
            continue
        weights[lang] += f.changed_lines
        counts[lang] += 1
    programming = [lang for lang in counts if lang not in SUPPORTING]
    pool = programming or list(counts)
    pool.sort(key=lambda lang: (-weights[lang], -counts[lang], lang))
    return pool[:top]
