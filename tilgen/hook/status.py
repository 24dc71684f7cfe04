"""What a repository's (or the global) hook setup looks like, and the job's last run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tilgen.hook import globaldir
from tilgen.hook import queue as jobqueue
from tilgen.hook.entry import QueueEntry
from tilgen.hook.install import git_path, toplevel
from tilgen.hook.script import CHAINED, PRE_COMMIT_LEGACY, baked_python, find_ours, log_path


@dataclass
class HookStatus:
    hooks_dir: Path
    hook_path: Path | None  # where tilgen's hook is, if installed
    chained: Path | None
    wrapped_by_pre_commit: bool
    interpreter: str | None
    interpreter_ok: bool
    global_hooks_path: str | None
    global_owned: bool
    queued: QueueEntry | None
    last_run: dict[str, Any] | None
    log_path: Path

    @property
    def installed(self) -> bool:
        return self.hook_path is not None


def status(repo_root: Path | None, *, global_: bool = False) -> HookStatus:
    top = None
    if global_:
        current = globaldir.hooks_path()
        hooks_dir = globaldir.expand(current) if current else globaldir.owned_dir()
    else:
        top = toplevel(repo_root or Path.cwd())
        hooks_dir = git_path(top, "hooks")
    hook = find_ours(hooks_dir)
    chained = hooks_dir / CHAINED
    interpreter = baked_python(hook) if hook else None
    return HookStatus(
        hooks_dir=hooks_dir, hook_path=hook,
        chained=chained if os.path.lexists(chained) else None,
        wrapped_by_pre_commit=hook is not None and hook.name == PRE_COMMIT_LEGACY,
        interpreter=interpreter,
        interpreter_ok=bool(interpreter) and os.access(interpreter or "", os.X_OK),
        global_hooks_path=globaldir.hooks_path(),
        global_owned=globaldir.owns(globaldir.owned_dir()),
        queued=jobqueue.load_entry(top) if top else None,
        last_run=jobqueue.last_run(top) if top else None,
        log_path=log_path(),
    )
