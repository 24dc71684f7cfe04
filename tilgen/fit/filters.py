"""Classify changed files: which ones teach nothing, and what kind each one is.

Everything here looks only at a :class:`FileChange` (path, status, hunk text); nothing
reads the repository, so classification is cheap and works on patch files too.
"""

from __future__ import annotations

import itertools
import re
from pathlib import PurePosixPath

from tilgen.git.changes import FileChange
from tilgen.git.languages import is_lockfile

VENDOR_DIRS = frozenset({
    "vendor", "third_party", "third-party", "thirdparty", "node_modules", "bower_components",
})
_GENERATED_NAME = re.compile(
    r"(_pb2(_grpc)?\.pyi?|\.pb\.go|\.pb\.(cc|h)|_grpc\.pb\.go|\.generated\.[^/]+|\.g\.dart"
    r"|\.freezed\.dart|\.snap|\.js\.map|\.css\.map)$"
)
_GENERATED_HEADER = re.compile(
    r"@generated\b|\bDO NOT EDIT\b|\bauto-?generated\b|\bautomatically generated\b"
    r"|^\W*(this file (was|is) )?generated (by|with|from)\b",
    re.IGNORECASE,
)
_MINIFIED_NAME = re.compile(r"[.-]min\.(js|mjs|cjs|css)$")
MINIFIED_AVG_LINE = 500  # average characters per added line above which text is minified
DATA_EXTS = frozenset({
    ".csv", ".tsv", ".psv", ".jsonl", ".ndjson", ".parquet", ".avro", ".orc", ".feather",
    ".arrow", ".sql", ".dump", ".xls", ".xlsx",
})
DATA_LINES = 200  # a data file with more changed lines than this is omitted
SQL_LINES = 1000  # .sql may be a migration worth reading; only dumps are omitted
HUGE_LINES = 5000  # any single file with more changed lines than this is omitted

_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "specs", "testing", "e2e"})
_TEST_NAME = re.compile(
    r"^(test_.*|.*_test\.[^.]+|.*_tests?\.py|.*\.(test|spec)\.[^.]+|.*Tests?\.(java|kt|cs|swift)"
    r"|conftest\.py)$"
)
_DOC_EXTS = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".org"})
_DOC_NAMES = frozenset({"readme", "changelog", "changes", "license", "licence", "authors",
                        "contributing", "notice", "copying", "history"})
_CONFIG_EXTS = frozenset({
    ".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".xml", ".properties",
    ".env", ".lock", ".editorconfig", ".gitignore", ".gitattributes", ".plist",
})
_CONFIG_LANGS = frozenset({"json", "yaml", "toml", "ini", "xml", "properties"})
_DOC_LANGS = frozenset({"markdown", "restructuredtext", "text", "plain text", "asciidoc"})
_DATA_LANGS = frozenset({"csv", "tsv"})

KIND_RANK = {"source": 0, "test": 1, "docs": 2, "config": 3, "data": 4}


def _parts(path: str) -> tuple[str, ...]:
    return PurePosixPath(path).parts


def vendored_root(path: str) -> str | None:
    """The vendored directory a path lies under ('web/node_modules'), or None."""
    parts = _parts(path)
    for i, part in enumerate(parts[:-1]):
        if part in VENDOR_DIRS:
            return "/".join(parts[: i + 1])
    return None


def _file_head(f: FileChange, count: int = 5) -> list[str]:
    """The first lines of the new file, when a hunk starts at its top."""
    for hunk in f.hunks:
        m = re.match(r"^@@+ -\S+ \+(\d+)", hunk.header)
        if m and int(m.group(1)) <= 1:
            return [line[1:] for line in hunk.lines if line[:1] in (" ", "+")][:count]
    return []


def has_generated_header(lines: list[str]) -> bool:
    """True when the first lines of a file say it is generated ("DO NOT EDIT", ...)."""
    return any(_GENERATED_HEADER.search(line) for line in lines[:5])


def is_generated(f: FileChange) -> bool:
    if _GENERATED_NAME.search(f.path) or "__snapshots__" in _parts(f.path):
        return True
    return has_generated_header(_file_head(f))


def is_minified(f: FileChange) -> bool:
    if _MINIFIED_NAME.search(f.path):
        return True
    # The first added lines tell: a minified file is a few very long lines.
    added = list(itertools.islice(
        (line for h in f.hunks for line in h.lines if line[:1] == "+"), 2000))
    return bool(added) and sum(len(line) for line in added) / len(added) > MINIFIED_AVG_LINE


def is_whitespace_only(f: FileChange) -> bool:
    """True when the + and - sides differ only in whitespace (reindent, re-wrap, EOL)."""
    if not f.hunks or f.changed_lines == 0:
        return False
    old, new = [], []
    for hunk in f.hunks:
        for line in hunk.lines:
            if line.startswith("-"):
                old.append("".join(line[1:].split()))
            elif line.startswith("+"):
                new.append("".join(line[1:].split()))
    return "".join(old) == "".join(new)


def is_pure_rename(f: FileChange) -> bool:
    if f.status not in ("renamed", "copied") or f.binary or f.mode_changed or f.submodule:
        return False
    return not f.hunks or f.changed_lines == 0


def data_file_lines(f: FileChange) -> int | None:
    """Changed lines of a data file large enough to omit, else None."""
    suffix = PurePosixPath(f.path).suffix.lower()
    if suffix not in DATA_EXTS:
        return None
    limit = SQL_LINES if suffix == ".sql" else DATA_LINES
    return f.changed_lines if f.changed_lines > limit else None


def kind_of(f: FileChange) -> str:
    """source | test | docs | config | data: what a file is, for ranking."""
    path = PurePosixPath(f.path)
    parts = tuple(p.lower() for p in path.parts)
    name, suffix = path.name.lower(), path.suffix.lower()
    lang = (f.language or "").lower()
    if any(p in _TEST_DIRS for p in parts[:-1]) or _TEST_NAME.match(path.name):
        return "test"
    if suffix in DATA_EXTS or lang in _DATA_LANGS:
        return "data"
    if (suffix in _DOC_EXTS or lang in _DOC_LANGS or "docs" in parts[:-1] or "doc" in parts[:-1]
            or path.stem.lower() in _DOC_NAMES):
        return "docs"
    if (suffix in _CONFIG_EXTS or lang in _CONFIG_LANGS or is_lockfile(f.path)
            or name.startswith(".") or ".github" in parts):
        return "config"
    return "source"


def meaningful_lines(lines: list[str]) -> int:
    """Added or removed lines that are not blank."""
    return sum(1 for line in lines if line[:1] in ("+", "-") and line[1:].strip())


def rank_key(f: FileChange) -> tuple[float, int, str]:
    """Sort key: source before tests before docs before config; bigger changes first.

    Deletions rank after additions of the same kind: removed code teaches less.
    """
    rank = KIND_RANK[kind_of(f)] + (0.5 if f.status == "deleted" else 0.0)
    return rank, -sum(meaningful_lines(h.lines) for h in f.hunks), f.path
