"""Collect a :class:`ChangeSet` from git: a day's commits, a commit or range, the staged or
working changes, or a patch file.

Every diff comes from git itself, as bytes, with options that override any user config that
would change its format (colour, external diff tools, text conversion, prefixes), and is then
parsed by :mod:`tilgen.git.patch`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from tilgen.errors import ConfigError, ExitCode, NoChangesError, TilgenError
from tilgen.git import languages
from tilgen.git.changes import ChangeSet, CommitInfo, FileChange
from tilgen.git.diffnames import decode
from tilgen.git.patch import parse_patch
from tilgen.git.repo import (
    EMPTY_TREE,
    blob_first_lines,
    branch_label,
    empty_tree,
    fail,
    first_commit_check,
    has_commits,
    no_git_env,
    open_repo,
    repo_root,
    run_git,
    shallow_commits,
    user_email,
)
from tilgen.git.untracked import untracked_changes

if TYPE_CHECKING:
    import git

__all__ = [
    "EMPTY_TREE", "collect_commits", "collect_day", "collect_patch", "collect_staged",
    "collect_working", "diff", "no_git_env", "open_repo",
]

DIFF_OPTIONS = (
    "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--src-prefix=a/", "--dst-prefix=b/",
    "--submodule=short", "--ignore-submodules=dirty", "--no-relative",
)
_LOG_FORMAT = "--format=%H%x00%P%x00%ae%x00%aI%x00%s%x00%b"
_PATHSPEC_BYTES = 100_000  # beyond this, filter the diff in Python instead of on the command line
_SKEW = dt.timedelta(days=1)  # committer clocks behind author clocks still find their commits
# A commit authored on the day is found if it was committed (rebased, cherry-picked, landed)
# within this long after it; the bound keeps an old day as fast to collect as today.
LANDING = dt.timedelta(days=14)


def _resolve(repo: git.Repo, rev: str) -> str:
    proc = run_git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
                   f"{rev}^{{commit}}", check=False)
    first_commit_check(repo, proc)
    if not rev or proc.returncode != 0:
        raise TilgenError(
            f"unknown revision '{rev}': pass a commit sha, branch or tag, or a range A..B "
            "(see git log --oneline)", exit_code=ExitCode.USAGE,
        )
    return decode(proc.stdout).strip()


def _log(repo: git.Repo, *args: str) -> list[tuple[CommitInfo, list[str]]]:
    """Commits (and their parents) from ``git log <args>``, newest first."""
    cmd = ("log", "-z", "--no-show-signature", _LOG_FORMAT, *args)
    proc = run_git(repo, *cmd, check=False)
    if proc.returncode != 0:
        first_commit_check(repo, proc)
        fail(repo_root(repo), cmd, proc)
    fields = decode(proc.stdout).split("\0")
    result = []
    for i in range(0, len(fields) - 5, 6):
        sha, parents, email, date, subject, body = fields[i : i + 6]
        parent_list = parents.split()
        info = CommitInfo(sha=sha.strip(), subject=subject, author=email, date=_date(date),
                          is_merge=len(parent_list) > 1, body=body.strip())
        result.append((info, parent_list))
    return result


def _date(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:  # a hand-made commit with an impossible time zone
        return None


def _base_of(repo: git.Repo, oldest: CommitInfo, parents: list[str], omitted: list[str]) -> str:
    """What the oldest commit is compared with: its first parent, else the empty tree."""
    if parents:
        return parents[0]
    if oldest.sha in shallow_commits(repo):
        omitted.append(f"history before {oldest.short} is not in this shallow clone: its files "
                       "are shown whole (fetch more with git fetch --deepen)")
    return empty_tree(repo)


def diff(repo: git.Repo, *args: str, paths: set[str] | None = None) -> list[FileChange]:
    """``git diff <args>`` parsed; ``paths`` (see :func:`_raw_names`) limits it to those
    exact paths."""
    spec = sorted(paths) if paths is not None else []
    on_command_line = sum(len(_raw(p)) + 1 for p in spec) <= _PATHSPEC_BYTES
    cmd = ["--literal-pathspecs", "diff", *DIFF_OPTIONS, *args, "--"]
    out = run_git(repo, *cmd, *(spec if on_command_line else [])).stdout
    files = parse_patch(out)[1]
    if paths is not None and not on_command_line:
        shown = {decode(_raw(p)) for p in paths}  # as parse_patch spells undecodable names
        files = [f for f in files if f.path in shown or f.old_path in shown]
    return files


def _raw_names(out: bytes) -> list[str]:
    """NUL-separated names from git, decoded so that encoding them again gives git's bytes
    back (names need not be UTF-8), as needed to hand them to git or to the file system."""
    return [n for n in out.decode("utf-8", "surrogateescape").split("\0") if n]


def _raw(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape")


def _touched_paths(repo: git.Repo, shas: list[str]) -> set[str]:
    """Every path the commits change (both sides of a rename), merges against first parent."""
    out = run_git(repo, "log", "--stdin", "--no-walk=unsorted", "--root", "--no-renames",
                  "--diff-merges=first-parent", "--name-only", "-z", "--format=",
                  stdin="".join(f"{s}\n" for s in shas).encode()).stdout
    return set(_raw_names(out))


def _day_label(day: dt.date) -> str:
    today = dt.date.today()
    names = {today: "today", today - dt.timedelta(days=1): "yesterday"}
    return f"{names[day]} ({day})" if day in names else str(day)


def collect_day(repo: git.Repo, *, day: dt.date, author: str | None = None) -> ChangeSet:
    """The commits reachable from HEAD authored on ``day`` (local time) by ``author``
    (an e-mail; None: git's user.email; "all": everyone), as one net diff: from the first
    parent of the oldest to the newest, limited to the paths those commits touched."""
    who = author.strip() if author else user_email(repo)
    if not who:
        raise ConfigError(
            f"no author to look for on {day}: git user.email is not set; pass --author all "
            "or run git config user.email you@example.com"
        )
    everyone = who.lower() == "all"
    start = dt.datetime.combine(day, dt.time.min).astimezone()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min).astimezone()
    # --since cuts on committer dates, which never precede author dates (up to clock skew),
    # so git stops walking history soon after the day instead of reading all of it.
    args = ["--date-order", f"--since={(start - _SKEW).isoformat()}",
            f"--until={(end + LANDING).isoformat()}"]
    if not everyone:
        args += ["-F", "-i", f"--author=<{who}>"]
    found = [
        (c, parents) for c, parents in _log(repo, *args, "HEAD", "--")
        if c.date and start <= c.date < end and (everyone or c.author.lower() == who.lower())
    ]
    by = "everyone" if everyone else who
    branch = branch_label(repo)
    if not found:
        widen = "--date yesterday" + ("" if everyone else " or --author all")
        raise NoChangesError(f"no commits by {by} on {day} in {branch}: try {widen}")
    commits = [c for c, _ in found]
    omitted: list[str] = []
    base = _base_of(repo, commits[-1], found[-1][1], omitted)
    # Commits that follow each other along first parents are the whole of base..newest, so
    # the plain diff is exact; only when other people's commits sit in between (or on merged
    # branches) does the diff need limiting to the paths the selected commits touched.
    chained = all(parents[:1] == [found[i + 1][0].sha] for i, (_, parents) in enumerate(found[:-1]))
    paths = None if chained else _touched_paths(repo, [c.sha for c in commits])
    files = diff(repo, base, commits[0].sha, paths=paths) if paths is None or paths else []
    _languages(repo, files, commits[0].sha)
    return ChangeSet(
        source=f"{_day_label(day)} by {by} on {branch}", repo_name=repo_root(repo).name,
        date=day, files=files, commits=commits, omitted=omitted, repo_root=str(repo_root(repo)),
    )


def collect_commits(repo: git.Repo, spec: str) -> ChangeSet:
    """One commit against its first parent, or a range ``A..B`` (``A...B``: from the merge
    base) as the commits in it plus the net diff."""
    spec = spec.strip()
    omitted: list[str] = []
    if ".." in spec:
        sep = "..." if "..." in spec else ".."
        left, right = spec.split(sep, 1)
        a, b = _resolve(repo, left or "HEAD"), _resolve(repo, right or "HEAD")
        found = _log(repo, "--date-order", b, f"^{a}", "--")
        if not found:
            raise NoChangesError(
                f"no commits in {spec}: {right or 'HEAD'} adds nothing to {left or 'HEAD'}; "
                "swap the two ends or pass a single commit"
            )
        if sep == "...":
            merge_base = run_git(repo, "merge-base", a, b, check=False)
            a = decode(merge_base.stdout).strip() or empty_tree(repo)
        base, tip, source = a, b, f"range {spec} ({len(found)} commits)"
    else:
        sha = _resolve(repo, spec)
        found = _log(repo, "--no-walk", sha, "--")
        base = _base_of(repo, found[0][0], found[0][1], omitted)
        tip, source = sha, f"commit {found[0][0].short} {found[0][0].subject}".strip()
    commits = [c for c, _ in found]
    files = diff(repo, base, tip)
    _languages(repo, files, tip)
    newest = commits[0].date
    return ChangeSet(
        source=source, repo_name=repo_root(repo).name,
        date=newest.astimezone().date() if newest else dt.date.today(), files=files,
        commits=commits, omitted=omitted, repo_root=str(repo_root(repo)),
    )


def collect_staged(repo: git.Repo) -> ChangeSet:
    """What ``git commit`` would record now (works before the first commit too)."""
    base = "HEAD" if has_commits(repo) else empty_tree(repo)
    files = diff(repo, "--cached", base)
    if not files:
        raise NoChangesError(
            f"no staged changes in {repo_root(repo).name}: stage with git add <path>, "
            "or use tilgen working"
        )
    _languages(repo, files, ":")
    return _uncommitted(repo, files, "staged changes", [])


def collect_working(repo: git.Repo) -> ChangeSet:
    """Everything not yet committed: staged and unstaged changes to tracked files against
    HEAD, plus untracked files that are not ignored, shown as added."""
    base = "HEAD" if has_commits(repo) else empty_tree(repo)
    files = diff(repo, base)
    untracked_out = run_git(repo, "ls-files", "--others", "--exclude-standard", "-z").stdout
    names = [n for n in _raw_names(untracked_out) if not n.endswith("/")]  # "/": a nested repo
    omitted: list[str] = []
    files += untracked_changes(repo_root(repo), names, omitted)
    if not files:
        raise NoChangesError(
            f"no uncommitted changes in {repo_root(repo).name}: edit some files, "
            "or use --date/--commit for committed work"
        )
    _languages(repo, files, None)
    return _uncommitted(repo, files, "uncommitted changes (staged, unstaged, untracked)", omitted)


def _uncommitted(repo: git.Repo, files: list[FileChange], source: str, omitted: list[str],
                 ) -> ChangeSet:
    return ChangeSet(source=source, repo_name=repo_root(repo).name, date=dt.date.today(),
                     files=files, omitted=omitted, repo_root=str(repo_root(repo)))


def collect_patch(text: bytes | str, *, name: str, repo_name: str | None = None) -> ChangeSet:
    """A patch file or standard input (``name`` "-"), e.g. the output of ``git show``."""
    commits, files = parse_patch(text)
    label = "standard input" if name == "-" else name
    if not files and not commits:
        raise NoChangesError(
            f"{label} contains no diff: pass the output of git diff, git show or diff -u"
        )
    languages.assign_languages(files)
    dates = [c.date for c in commits if c.date]
    day = max(dates).astimezone().date() if dates else dt.date.today()
    stem = "stdin" if name == "-" else PurePosixPath(name.replace("\\", "/")).stem
    return ChangeSet(source=f"patch {label}", repo_name=repo_name or stem, date=day,
                     files=files, commits=commits)


def _languages(repo: git.Repo, files: list[FileChange], rev: str | None) -> None:
    """Set every file's language; scripts without an extension are named by their ``#!``
    line, read from ``rev`` (":" the index, None the work tree)."""
    languages.assign_languages(files)
    unknown = [f for f in files if f.language is None and f.status != "deleted"
               and not (f.binary or f.submodule) and "." not in PurePosixPath(f.path).name
               and "\n" not in f.path and f.new_mode != "120000"][:200]
    if not unknown:
        return
    if rev is None:
        firsts = [_disk_first_line(repo_root(repo) / f.path) for f in unknown]
    else:
        firsts = blob_first_lines(repo, [f"{'' if rev == ':' else rev}:{f.path}"
                                         for f in unknown])
    for f, first in zip(unknown, firsts, strict=True):
        if first:
            f.language = languages.language_for(f.path, first_line=first)


def _disk_first_line(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return decode(fh.readline(200))
    except OSError:
        return None
