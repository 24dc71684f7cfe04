"""One repository's queued work, as the hook's job queue keeps it in JSON, and the reading
of that JSON that survives a broken file."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class QueueEntry:
    repo: str
    first_trigger: float
    last_trigger: float
    seq: int = 0  # bumped by every trigger: "a newer trigger arrived" is a seq change
    days: dict[str, int] = field(default_factory=dict)  # ISO day -> seq of its last trigger
    attempts: int = 0
    last_error: str | None = None
    error_code: int | None = None
    last_attempt: float | None = None


def parse_entry(data: dict[str, Any] | None) -> QueueEntry | None:
    """A queue entry from its JSON; None for one that is broken (an unknown layout, a time
    that is not a number, no valid day): the next trigger writes a new one. A day that is
    not an ISO date is dropped."""
    if data is None:
        return None
    try:
        entry = QueueEntry(**data)
        if not isinstance(entry.repo, str) or not entry.repo:
            return None
        for name in ("first_trigger", "last_trigger"):
            value = float(getattr(entry, name))
            if not math.isfinite(value) or isinstance(getattr(entry, name), bool):
                return None
            setattr(entry, name, value)
        entry.seq = int(entry.seq)
        entry.attempts = int(entry.attempts)
        if entry.last_attempt is not None:
            entry.last_attempt = float(entry.last_attempt)
        if not isinstance(entry.days, dict):
            return None
        entry.days = {day: int(seq) for day, seq in entry.days.items() if _iso_day(day)}
    except (TypeError, ValueError, OverflowError):
        return None
    return entry if entry.days else None


def _iso_day(day: object) -> bool:
    try:
        dt.date.fromisoformat(day)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


