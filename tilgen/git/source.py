"""Which changes a note is about: a day's commits, a commit or range, staged or working
changes, or a patch; and the one place that turns that choice into a change set."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tilgen.errors import ExitCode, TilgenError

if TYPE_CHECKING:
    import git

    from tilgen.git.changes import ChangeSet

Kind = Literal["day", "commits", "staged", "working", "patch"]


EPOCH = dt.date(1970, 1, 1)


def parse_day(value: str | dt.date | None) -> dt.date:
    """A day from ``YYYY-MM-DD``, ``today`` or ``yesterday`` (None and "" are today)."""
    if isinstance(value, dt.date):
        return value
    if value in (None, "", "today"):
        return dt.date.today()
    if value == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        raise TilgenError(f"invalid date {value!r}: use YYYY-MM-DD, 'today' or 'yesterday'",
                          exit_code=ExitCode.USAGE) from None
    if day < EPOCH:
        raise TilgenError(f"date {value} is before 1970-01-01, the first day a git commit "
                          "can carry; use a later date", exit_code=ExitCode.USAGE)
    if day > dt.date.today() + dt.timedelta(days=1):
        raise TilgenError(f"date {value} is in the future, so no commit was made that day; "
                          "use today or an earlier date", exit_code=ExitCode.USAGE)
    return day


@dataclass(frozen=True)
class ChangeSource:
    """The changes to read. Build one with the class methods."""

    kind: Kind
    repo: Path = Path(".")
    day: dt.date | None = None
    author: str | None = None  # a day's commits by this e-mail ("all": everyone); None: settings
    rev: str = "HEAD"
    patch: bytes | str = b""
    name: str = "patch"

    @classmethod
    def for_day(cls, repo: str | Path = ".", day: str | dt.date | None = None, *,
                author: str | None = None) -> ChangeSource:
        return cls("day", Path(repo), day=parse_day(day), author=author)

    @classmethod
    def commits(cls, repo: str | Path = ".", rev: str = "HEAD") -> ChangeSource:
        return cls("commits", Path(repo), rev=rev)

    @classmethod
    def staged(cls, repo: str | Path = ".") -> ChangeSource:
        return cls("staged", Path(repo))

    @classmethod
    def working(cls, repo: str | Path = ".") -> ChangeSource:
        return cls("working", Path(repo))

    @classmethod
    def from_patch(cls, data: bytes | str, *, name: str = "patch") -> ChangeSource:
        return cls("patch", patch=data, name=name)

    def open(self) -> git.Repo | None:
        """The repository to read (None for a patch, which needs none)."""
        if self.kind == "patch":
            return None
        from tilgen.git.repo import open_repo

        return open_repo(self.repo)

    def collect(self, repo: git.Repo | None, *, author: str | None = None) -> ChangeSet:
        """Read the changes; ``author`` is the configured one, used when the source names none."""
        from tilgen.git import collect

        if repo is None:
            return collect.collect_patch(self.patch, name=self.name)
        if self.kind == "commits":
            return collect.collect_commits(repo, self.rev)
        if self.kind == "staged":
            return collect.collect_staged(repo)
        if self.kind == "working":
            return collect.collect_working(repo)
        return collect.collect_day(repo, day=self.day or dt.date.today(),
                                   author=self.author or author)
