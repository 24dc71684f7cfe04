"""Drop the files that teach nothing (lockfiles, bundles, vendored trees, ...).

Each dropped file leaves one short human line in ``ChangeSet.omitted``, so the note can
still say what else happened. Fitting the rest into a token budget is :mod:`tilgen.fit.budget`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tilgen.errors import ConfigError
from tilgen.fit import filters
from tilgen.fit.budget import fit
from tilgen.git.changes import ChangeSet, FileChange
from tilgen.git.languages import is_lockfile

__all__ = ["compact", "fit", "load_ignore_spec"]

IGNORE_FILE = ".tilgenignore"
_GROUP_AFTER = 8  # more omitted files than this for one reason are summarised as a count
_GROUP_SHOWN = 5


def load_ignore_spec(patterns: Iterable[str], *, repo_root: Path | None) -> tuple[Any, Any]:
    """(.tilgenignore spec, combined spec) in gitignore syntax; either may be None."""
    file_lines: list[str] = []
    if repo_root is not None:
        path = Path(repo_root) / IGNORE_FILE
        if path.exists():
            try:
                file_lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                raise ConfigError(
                    f"cannot read {path}: {exc.strerror or exc}; fix its permissions or remove it"
                ) from exc
    extra = [p for p in patterns if p and p.strip()]
    if not file_lines and not extra:
        return None, None
    import pathspec  # only needed when there are patterns

    def build(lines: list[str], origin: str) -> Any:
        try:
            return pathspec.GitIgnoreSpec.from_lines(lines)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"invalid pattern in {origin}: {exc}; fix or remove it") from exc

    own = build(file_lines, IGNORE_FILE) if file_lines else None
    # One combined spec so a later "!pattern" in the settings can re-include a file.
    return own, build(file_lines + extra, f"{IGNORE_FILE} or the 'ignore' setting")


def _lines(n: int) -> str:
    return f"{n:,} line" + ("" if n == 1 else "s")


def _size(f: FileChange, repo_root: Path | None) -> str:
    size = None
    if repo_root is not None:
        try:
            size = (Path(repo_root) / f.path).stat().st_size
        except OSError:
            size = None
    if size is None:  # a deleted file or a patch file: what the diff shows
        size = sum(len(line.encode("utf-8")) for h in f.hunks for line in h.lines)
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.1f} KB"


def _ignored(f: FileChange, own_spec: Any, spec: Any) -> str | None:
    if spec is None or not (spec.match_file(f.path) or (
            f.old_path and f.status == "renamed" and spec.match_file(f.old_path))):
        return None
    origin = IGNORE_FILE if own_spec is not None and own_spec.match_file(f.path) else (
        "ignore setting")
    n = f.changed_lines
    return f"ignored by {origin}" + (f" ({_lines(n)})" if n else "")


def _generated_on_disk(f: FileChange, repo_root: Path | None) -> bool:
    """The header of a generated file is often outside the diff: read the file's top."""
    if repo_root is None or f.status == "deleted" or not f.hunks:
        return False
    try:
        with open(Path(repo_root) / f.path, "rb") as fh:
            head = fh.read(2048)
    except OSError:
        return False
    return filters.has_generated_header(head.decode("utf-8", "replace").splitlines())


def _reason(f: FileChange, repo_root: Path | None) -> str | None:
    """Why a file is dropped, as the text after 'path: ', or None to keep it."""
    n = f.changed_lines
    if f.binary:
        return "binary"
    if is_lockfile(f.path):
        return f"lockfile ({_lines(n)})" if n else "lockfile"
    if filters.is_minified(f):
        return "minified"
    if filters.is_generated(f) or _generated_on_disk(f, repo_root):
        return f"generated ({_lines(n)})" if n else "generated"
    data_lines = filters.data_file_lines(f)
    if data_lines is not None:
        return f"large data file ({_size(f, repo_root)} / {_lines(data_lines)})"
    if n > filters.HUGE_LINES:
        return f"very large change ({_lines(n)})"
    if filters.is_pure_rename(f):
        return "pure copy" if f.status == "copied" else "pure rename"
    if filters.is_whitespace_only(f):
        return "whitespace-only change"
    return None


def _label(f: FileChange) -> str:
    if f.old_path and f.old_path != f.path:
        return f"{f.old_path} -> {f.path}"
    return f.path


def _group(entries: list[tuple[str, str]]) -> list[str]:
    """'path: reason' lines; many files for the same kind of reason become one count."""
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for label, reason in entries:
        by_kind.setdefault(reason.split(" (")[0], []).append((label, reason))
    out: list[str] = []
    for kind, items in by_kind.items():
        if len(items) <= _GROUP_AFTER:
            out.extend(f"{label}: {reason}" for label, reason in items)
            continue
        out.extend(f"{label}: {reason}" for label, reason in items[:_GROUP_SHOWN])
        out.append(f"{len(items) - _GROUP_SHOWN:,} more files: {kind}")
    return out


def compact(
    cs: ChangeSet, *, ignore_patterns: Iterable[str] = (), repo_root: Path | None = None
) -> ChangeSet:
    """A copy of ``cs`` without the files that teach nothing, each noted in ``omitted``."""
    root = repo_root if repo_root is not None else (Path(cs.repo_root) if cs.repo_root else None)
    own_spec, spec = load_ignore_spec(ignore_patterns, repo_root=root)
    kept: list[FileChange] = []
    entries: list[tuple[str, str]] = []
    vendored: dict[str, list[int]] = {}  # root -> [files, changed lines]
    for f in cs.files:
        reason = _ignored(f, own_spec, spec)
        if reason is None and (vroot := filters.vendored_root(f.path)) is not None:
            counts = vendored.setdefault(vroot, [0, 0])
            counts[0] += 1
            counts[1] += f.changed_lines
            continue
        if reason is None:
            reason = _reason(f, root)
        if reason is None:
            kept.append(f)
        else:
            entries.append((_label(f), reason))
    for vroot, (files, lines) in vendored.items():
        what = f"{files:,} file" + ("" if files == 1 else "s")
        entries.append((f"{vroot}/...", f"vendored ({what}, {_lines(lines)})"))
    return dataclasses.replace(
        cs, files=kept, commits=list(cs.commits), omitted=[*cs.omitted, *_group(entries)]
    )
