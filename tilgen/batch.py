"""A day's notes for many repositories: each one on its own, so one failure stops no other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tilgen.errors import ConfigError, NoChangesError, TilgenError
from tilgen.git.source import ChangeSource
from tilgen.options import NoteOptions


@dataclass
class RepoOutcome:
    repo: Path
    state: str  # written | cached | nothing | error
    detail: str = ""
    path: Path | None = None

    @property
    def ok(self) -> bool:
        return self.state != "error"

    def line(self) -> str:
        text = {"written": "written", "cached": "cached (nothing new)",
                "nothing": "nothing today", "error": "error"}[self.state]
        where = f" {self.path}" if self.path else ""
        why = f": {self.detail}" if self.detail else ""
        return f"{self.repo.name}: {text}{where}{why}"


def find_repos(configured: list[str], under: Path | None) -> list[Path]:
    """``repos`` from the user config, or every repository directly under ``under``."""
    if under is not None:
        if not under.is_dir():
            raise ConfigError(f"--repos {under}: not a directory")
        found = sorted(p for p in under.iterdir() if (p / ".git").exists())
        if not found:
            raise ConfigError(f"--repos {under}: no git repository directly under it")
        return found
    if not configured:
        raise ConfigError("no repositories: set repos in the user config "
                          "(tilgen config set repos ~/src/a,~/src/b) or pass --repos DIR")
    return [Path(p).expanduser() for p in configured]


def today_all(repos: list[Path], *, day: dt.date, options: NoteOptions, author: str | None,
              on_status: Callable[[str], None] | None = None) -> Iterator[RepoOutcome]:
    """Write each repository's note for ``day``; yield one outcome per repository."""
    from tilgen import pipeline

    for repo in repos:
        try:
            result = pipeline.run(ChangeSource.for_day(repo, day, author=author), options,
                                  on_status=on_status)
        except NoChangesError:
            yield RepoOutcome(repo, "nothing")
        except TilgenError as exc:
            yield RepoOutcome(repo, "error", " ".join(exc.message.split()))
        except Exception as exc:  # noqa: BLE001 - one repository's bug must not stop the rest
            yield RepoOutcome(repo, "error", f"unexpected {type(exc).__name__}: {exc}")
        else:
            root = Path(result.changes.repo_root) if result.changes.repo_root else repo
            yield RepoOutcome(root, "cached" if result.from_cache else "written",
                              path=result.path)
