"""The background job behind the git hook: a per-repository queue, debounced and locked.

Each trigger (one commit) is recorded in ``state/queue/<key>.json``. The job waits ``delay``
seconds and leaves if a newer trigger arrived (that trigger's job takes over), so a burst of
commits yields one generation. One job per repository runs at a time; a job that finds the
lock taken leaves its work queued and the running job picks it up when it finishes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from tilgen import paths
from tilgen.atomic import read_json as _read_json
from tilgen.atomic import write_json as _write_json
from tilgen.errors import NoChangesError, TilgenError
from tilgen.git.repo import git_command
from tilgen.hook.entry import QueueEntry, parse_entry
from tilgen.secrets.mask import mask_urls_in

DEFAULT_DELAY = 2.0
LOG_MAX_BYTES = 1_000_000
IN_PROGRESS = (
    ("rebase-merge", "a rebase"), ("rebase-apply", "a rebase or am"), ("MERGE_HEAD", "a merge"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert"), ("BISECT_LOG", "a bisect"),
)


@dataclass
class RunResult:
    repo: str
    status: str  # ok | nothing | failed | skipped | superseded | busy | idle
    message: str = ""
    note_path: str | None = None
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        return self.status not in ("failed",)


def repo_key(repo_root: Path) -> str:
    return hashlib.sha256(str(Path(repo_root).resolve()).encode()).hexdigest()[:20]


def queue_dir() -> Path:
    return paths.state_dir() / "queue"


def _entry_file(repo_root: Path) -> Path:
    return queue_dir() / f"{repo_key(repo_root)}.json"


def _status_file(repo_root: Path) -> Path:
    return paths.state_dir() / "hook-status" / f"{repo_key(repo_root)}.json"


def _lock(repo_root: Path, kind: str) -> FileLock:
    path = paths.state_dir() / "locks" / f"{repo_key(repo_root)}.{kind}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path))


def load_entry(repo_root: Path) -> QueueEntry | None:
    return parse_entry(_read_json(_entry_file(repo_root)))


def last_run(repo_root: Path) -> dict[str, Any] | None:
    return _read_json(_status_file(repo_root))


def pending() -> list[QueueEntry]:
    """Every queued entry, oldest first."""
    entries = []
    for path in sorted(queue_dir().glob("*.json")):
        entry = parse_entry(_read_json(path))
        if entry is not None:
            entries.append(entry)
    return sorted(entries, key=lambda e: e.first_trigger)


def record_trigger(repo_root: Path, *, now: float | None = None) -> int:
    """Note one commit; returns its sequence number."""
    now = time.time() if now is None else now
    day = dt.date.fromtimestamp(now).isoformat()
    with _lock(repo_root, "queue").acquire(timeout=30):
        entry = load_entry(repo_root) or QueueEntry(
            repo=str(Path(repo_root).resolve()), first_trigger=now, last_trigger=now)
        entry.seq += 1
        entry.last_trigger = now
        entry.days[day] = entry.seq
        _write_json(_entry_file(repo_root), asdict(entry))
        return entry.seq


def hook_run(repo_root: Path, *, delay: float | None = None, force: bool = False) -> RunResult:
    """The job one commit starts: record, debounce, then generate unless someone else will."""
    delay = hook_delay() if delay is None else delay
    repo = str(repo_root)
    seq = record_trigger(repo_root)
    time.sleep(delay)
    entry = load_entry(repo_root)
    if entry is None or entry.seq != seq:
        return RunResult(repo, "superseded", "a newer commit's job takes over")
    return _run_exclusive(repo_root, delay=delay, force=force)


def flush(repo_root: Path | None = None, *, force: bool = False) -> list[RunResult]:
    """Process queued work now: one repository, or every queued one."""
    if repo_root is not None:
        roots = [Path(repo_root)]
    else:
        roots = [Path(e.repo) for e in pending()]
    results = []
    for root in roots:
        if not root.is_dir():
            _entry_file(root).unlink(missing_ok=True)
            results.append(RunResult(str(root), "skipped", "the repository is gone; dropped"))
            continue
        if load_entry(root) is None:
            results.append(RunResult(str(root), "idle", "nothing queued"))
            continue
        results.append(_run_exclusive(root, delay=0.0, force=force))
    return results


def hook_delay() -> float:
    try:
        return max(0.0, float(os.environ.get("TILGEN_HOOK_DELAY", DEFAULT_DELAY)))
    except ValueError:
        return DEFAULT_DELAY


def operation_in_progress(repo_root: Path) -> str | None:
    """A rebase, merge, cherry-pick, revert or bisect under way, if any."""
    names = [name for name, _ in IN_PROGRESS]
    out = git_command("rev-parse", *[arg for n in names for arg in ("--git-path", n)],
              cwd=Path(repo_root), check=False)
    for (_, what), rel in zip(IN_PROGRESS, out.splitlines(), strict=False):
        if (Path(repo_root) / rel).exists():
            return what
    return None


def log(repo: str, message: str) -> None:
    path = paths.logs_dir() / "hook.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > LOG_MAX_BYTES:
            os.replace(path, path.with_name("hook.log.1"))
        stamp = dt.datetime.now().isoformat(timespec="seconds")
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{stamp} [{os.getpid()}] {repo}: {mask_urls_in(message)}\n")
    except OSError:
        pass  # logging must never be the reason a job fails


# -- the locked part ---------------------------------------------------------------------------


def _run_exclusive(repo_root: Path, *, delay: float, force: bool) -> RunResult:
    repo = str(repo_root)
    lock = _lock(repo_root, "job")
    result = RunResult(repo, "idle", "nothing queued")
    while True:
        try:
            lock.acquire(blocking=False)
        except Timeout:
            log(repo, "another job is running; it will pick this commit up")
            return RunResult(repo, "busy", "another job is running; it picks this up next")
        try:
            handled, result = _drain(repo_root, delay=delay, force=force, result=result)
        finally:
            lock.release()
        # A trigger that found the lock taken just before the release relies on us.
        entry = load_entry(repo_root)
        if entry is None or entry.seq <= handled or result.status == "skipped":
            return result


def _drain(repo_root: Path, *, delay: float, force: bool,
           result: RunResult) -> tuple[int, RunResult]:
    """Generate until no newer trigger is waiting; returns the last seq handled."""
    repo = str(repo_root)
    handled = 0
    while True:
        entry = load_entry(repo_root)
        if entry is None or entry.seq <= handled:
            return handled, result
        _wait_quiet(repo_root, delay)
        entry = load_entry(repo_root)
        if entry is None:
            return handled, result
        what = None if force else operation_in_progress(repo_root)
        if what:
            log(repo, f"skipped: {what} is in progress; run `tilgen flush` afterwards")
            return entry.seq, RunResult(repo, "skipped", f"{what} is in progress")
        handled = entry.seq
        result = _generate(repo_root, entry)


def _wait_quiet(repo_root: Path, delay: float) -> None:
    """Wait until ``delay`` seconds passed since the last trigger (a burst may be going on)."""
    while True:
        entry = load_entry(repo_root)
        left = (entry.last_trigger + delay - time.time()) if entry else 0
        if left <= 0:
            return
        time.sleep(min(left, 1.0))


def _generate(repo_root: Path, entry: QueueEntry) -> RunResult:
    from tilgen import pipeline
    from tilgen.git.source import ChangeSource

    repo = str(repo_root)
    outcome: dict[str, RunResult] = {}
    for day in sorted(entry.days):
        log(repo, f"generating the note for {day}")
        try:
            note = pipeline.run(ChangeSource.for_day(repo_root, dt.date.fromisoformat(day)))
        except NoChangesError as exc:
            outcome[day] = RunResult(repo, "nothing", exc.message)
        except TilgenError as exc:
            outcome[day] = RunResult(repo, "failed", exc.message, exit_code=int(exc.exit_code))
        except Exception as exc:  # noqa: BLE001 - a background job has nobody to raise to
            log(repo, traceback.format_exc().rstrip())
            outcome[day] = RunResult(repo, "failed", f"unexpected error: {type(exc).__name__}: "
                                     f"{exc}", exit_code=3)
        else:
            path = note.path
            outcome[day] = RunResult(repo, "ok", f"note saved: {path}",
                                     note_path=str(path) if path else None)
        log(repo, f"{day}: {outcome[day].status}: {outcome[day].message}")
    failures = [r for r in outcome.values() if r.status == "failed"]
    _settle(repo_root, entry, outcome)
    final = failures[-1] if failures else list(outcome.values())[-1]
    _record_status(repo_root, final, days=sorted(outcome))
    return final


def _settle(repo_root: Path, handled: QueueEntry, outcome: dict[str, RunResult]) -> None:
    """Drop the days that are done, unless a newer trigger touched them meanwhile."""
    with _lock(repo_root, "queue").acquire(timeout=30):
        entry = load_entry(repo_root)
        if entry is None:
            return
        failures = [r for r in outcome.values() if r.status == "failed"]
        for day, res in outcome.items():
            if res.status != "failed" and entry.days.get(day, 0) <= handled.days[day]:
                entry.days.pop(day, None)
        if not entry.days:
            _entry_file(repo_root).unlink(missing_ok=True)
            return
        entry.last_attempt = time.time()
        if failures:
            entry.attempts += 1
            entry.last_error = mask_urls_in(failures[-1].message)
            entry.error_code = failures[-1].exit_code
        _write_json(_entry_file(repo_root), asdict(entry))


def _record_status(repo_root: Path, result: RunResult, *, days: list[str]) -> None:
    previous = last_run(repo_root) or {}
    _write_json(_status_file(repo_root), {
        "repo": str(repo_root), "time": time.time(), "ok": result.status != "failed",
        "status": result.status, "days": days, "note_path": result.note_path,
        "message": mask_urls_in(result.message), "runs": int(previous.get("runs", 0)) + 1,
    })


