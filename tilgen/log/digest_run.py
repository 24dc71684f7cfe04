"""Write a digest: gather the period's daily notes, ask the backend, validate, save."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tilgen.errors import BackendUnavailable, InvalidNoteError, NoChangesError
from tilgen.log.digest import (PROMPT_VERSION, DigestAnswer, DigestNote, Period, day_label,
                               messages, period_of, render, schema, validate_digest)
from tilgen.log.layouts import link_target, path_for
from tilgen.log.notes import SavedNote, notes_root, scan

MARGIN_TOKENS = 96


@dataclass
class DigestResult:
    note: DigestNote
    period: Period
    notes: list[SavedNote]
    backend: str
    model: str
    path: Path | None = None
    from_cache: bool = False


def gather(settings: Any, period: Period, repo: str | None) -> list[SavedNote]:
    """The period's daily notes (of ``repo``, or of every repository), oldest first."""
    root = notes_root(settings.notes_dir)
    found = [n for n in scan(root) if n.kind == "daily" and period.contains(n.date)
             and (repo is None or n.repo == repo)]
    return sorted(found, key=lambda n: (n.date, n.repo))


def _fit(backend: Any, period: Period, notes: list[SavedNote], settings: Any) -> list[dict]:
    """The prompt, with fewer bullets per note until it fits the backend's context."""
    budget = backend.context_length() - settings.generation.max_tokens - MARGIN_TOKENS
    for max_bullets in (None, 3, 2, 1, 0):
        msgs = messages(period, notes, max_bullets)
        if sum(backend.count_tokens(m["content"]) for m in msgs) <= budget:
            return msgs
    return msgs


def write_digest(settings: Any, *, day: dt.date, kind: str, repo: str | None,
                 on_token: Callable[[str], None] | None = None,
                 on_status: Callable[[str], None] | None = None,
                 save: bool = True, edit: Callable[[str, Any], DigestNote] | None = None,
                 ) -> DigestResult:
    from tilgen.backends import make_backend
    from tilgen.backends.attempts import ask_checked
    from tilgen.note import cache
    from tilgen.note.schema import salvage_points

    status = on_status or (lambda _m: None)
    period = period_of(day, kind)
    notes = gather(settings, period, repo)
    whose = f" of {repo}" if repo else ""
    if len(notes) < 2:
        found = (f"only one daily note{whose} ({notes[0].date}, {notes[0].rel})" if notes
                 else f"no daily note{whose}")
        raise NoChangesError(f"{period.label} ({period.start} to {period.end}) has {found}; a "
                             f"digest needs two or more, so nothing was written")
    days = sorted({day_label(n.date) for n in notes})
    label = repo or "all"
    path = path_for(settings, repo=label, date=period.end.isoformat(), period=period.label)
    links = [(n.title, link_target(settings.notes_layout, n, path)) for n in notes]

    def parse(text: str) -> DigestNote:
        from tilgen.note.schema import parse_json

        answer = DigestAnswer.model_validate(parse_json(text))
        return validate_digest(render(answer, period, links, notes), period, days)

    names = [settings.backend] + ([settings.fallback_backend] if settings.fallback_backend
                                  and settings.fallback_backend != settings.backend else [])
    result: DigestResult | None = None
    for name in names:
        backend = make_backend(name, settings, on_status=status)
        model = getattr(backend, "model_name", name)
        key = cache.key(PROMPT_VERSION, name, model, settings.generation.model_dump(),
                        [(n.rel, n.title, n.keywords, n.lessons()) for n in notes], links)
        hit = cache.get(key) if settings.cache else None
        if hit:
            try:  # a digest cached before a rule was added is written again
                cached = validate_digest(hit["note"], period, days)
            except InvalidNoteError:
                pass
            else:
                result = DigestResult(cached, period, notes, name, model, from_cache=True)
                break
        try:
            status(f"reading {len(notes)} daily notes with {name} ({model})")
            note, _, _ = ask_checked(
                backend, _fit(backend, period, notes, settings),
                schema=lambda n: schema(days, n), parse=_reraising(parse),
                salvage=salvage_points, generation=settings.generation, on_token=on_token,
                status=status, items=7, short_items=4, what="digest")
        except BackendUnavailable as exc:
            if name == names[-1]:
                raise
            status(f"{name} backend unavailable ({exc.message}); falling back to {names[-1]}")
            continue
        cache.put(key, {"note": note.model_dump(), "backend": name, "model": model})
        result = DigestResult(note, period, notes, name, model)
        break
    assert result is not None
    if edit is not None:
        result.note = edit(_file_text(result, settings), lambda data: validate_digest(
            data, period, days))
    if save:
        result.path = _save(result, settings, path, label)
    return result


def _reraising(parse: Callable[[str], DigestNote]) -> Callable[[str], DigestNote]:
    """A structure error becomes InvalidNoteError, which asks the model again."""
    from pydantic import ValidationError

    from tilgen.errors import InvalidNoteError
    from tilgen.note.schema import describe_errors

    def checked(text: str) -> DigestNote:
        try:
            return parse(text)
        except ValidationError as exc:
            raise InvalidNoteError(f"the answer does not match the digest structure: "
                                   f"{describe_errors(exc)}") from None
    return checked


def meta(result: DigestResult, label: str) -> dict[str, Any]:
    return {"date": result.period.end.isoformat(), "kind": f"{result.period.kind}ly",
            "period": result.period.label, "repo": label,
            "days": sorted({n.date for n in result.notes}),
            "notes": [n.rel for n in result.notes], "model": result.model,
            "backend": result.backend, "prompt_version": PROMPT_VERSION}


def _file_text(result: DigestResult, settings: Any) -> str:
    from tilgen.note.store import front_matter

    head = {"title": result.note.title, "keywords": result.note.keywords}
    return front_matter(head) + result.note.content


def _save(result: DigestResult, settings: Any, path: Path, label: str) -> Path:
    from tilgen.log.save import save_note

    note = result.note
    return save_note(settings, title=note.title, keywords=note.keywords, content=note.content,
                     meta=meta(result, label), repo=label, date=result.period.end.isoformat(),
                     period=result.period.label, path=path)
