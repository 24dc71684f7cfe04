"""From a change set to a saved, validated note: compact, redact, fit, generate, validate, save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tilgen.backends import backend_class, cache_identity, make_backend
from tilgen.backends.base import Backend, GenerationResult, TokenCallback
from tilgen.compose import write_note
from tilgen.config.settings import Settings
from tilgen.errors import (
    BackendUnavailable,
    ConfigError,
    ContextOverflow,
    InvalidNoteError,
    NoChangesError,
)
from tilgen.fit.budget import TokenCounter
from tilgen.git.changes import ChangeSet, conflict_files, without_text
from tilgen.git.source import ChangeSource
from tilgen.note import cache
from tilgen.note.prompt import PROMPT_VERSION, Prompt, build_prompt, changes_text
from tilgen.note.schema import (
    TilNote,
    validate_note,
)
from tilgen.options import NoteOptions

StatusCallback = Callable[[str], None]
MARGIN_TOKENS = 96


@dataclass
class NoteResult:
    note: TilNote
    changes: ChangeSet  # redacted, except on a cache hit (nothing was sent anywhere)
    prompt: Prompt | None
    backend: str
    model: str
    path: Path | None = None
    from_cache: bool = False
    fallback_from: str | None = None
    attempts: int = 0
    generation: GenerationResult | None = None
    languages: list[str] = field(default_factory=list)
    redactions: int = 0

    def to_json(self) -> dict[str, Any]:
        return self.note.model_dump()


def prepare(cs: ChangeSet, settings: Settings) -> tuple[ChangeSet, list[str], int]:
    """Drop what teaches nothing, redact secrets, detect languages. Nothing heavy runs here."""
    cs, languages = compact_changes(cs, settings)
    return cs, languages, redact_changes(cs, settings)


def compact_changes(cs: ChangeSet, settings: Settings) -> tuple[ChangeSet, list[str]]:
    """Drop what teaches nothing (lockfiles, generated and ignored files); name the languages."""
    from tilgen.fit.compact import compact
    from tilgen.git.languages import main_languages

    cs = compact(cs, ignore_patterns=list(settings.ignore),
                 repo_root=Path(cs.repo_root) if cs.repo_root else None)
    return cs, main_languages(cs.files)


def redact_changes(cs: ChangeSet, settings: Settings) -> int:
    """Redact secrets in place (unless turned off); the number of secrets replaced."""
    if not settings.redact:
        return 0
    from tilgen.secrets.redact import redact_changeset

    return redact_changeset(cs).total


def fit_prompt(cs: ChangeSet, backend: TokenCounter, settings: Settings, languages: list[str],
               *, shrink: float = 1.0) -> tuple[ChangeSet, Prompt]:
    """Fit the changes into the backend's context with its own tokenizer."""
    from tilgen.fit.compact import fit

    skeleton = build_prompt(ChangeSet(source=cs.source, repo_name=cs.repo_name, date=cs.date),
                            languages=languages, language=settings.language,
                            mode=settings.note_format)
    fixed = backend.count_tokens(skeleton.system) + backend.count_tokens(skeleton.user) + 32
    budget = int((backend.context_length() - settings.generation.max_tokens - fixed
                  - MARGIN_TOKENS) * shrink)
    fitted = fit(cs, budget_tokens=budget, count_tokens=backend.count_tokens, render=changes_text)
    prompt = build_prompt(fitted, languages=languages, language=settings.language,
                          mode=settings.note_format)
    return fitted, prompt


def cache_key(cs: ChangeSet, settings: Settings, backend_name: str, languages: list[str],
              changes: str | None = None) -> str:
    """The note cache key; ``changes`` is ``changes_text(cs)`` when the caller has it."""
    return cache.key(
        PROMPT_VERSION, settings.note_format, settings.language, backend_name,
        cache_identity(backend_name, settings), settings.generation.model_dump(), languages,
        cs.date.isoformat(), settings.redact, changes_text(cs) if changes is None else changes,
    )


def generate_note(
    cs: ChangeSet,
    settings: Settings,
    *,
    on_token: TokenCallback | None = None,
    on_status: StatusCallback | None = None,
    progress: Callable[[int, int], None] | None = None,
    use_cache: bool | None = None,
) -> NoteResult:
    """Generate a validated note for ``cs`` (not saved: see :func:`save`)."""
    status = on_status or (lambda _msg: None)
    cs, languages = compact_changes(cs, settings)
    _check_writable(cs, status)
    names = [settings.backend] + ([settings.fallback_backend] if settings.fallback_backend
                                  and settings.fallback_backend != settings.backend else [])
    _check_backends(settings)
    use_cache = settings.cache if use_cache is None else use_cache
    # Keys come from the changes before redaction, so a cache hit never loads the secret
    # scanner; only a hash of them is kept, and `redact` itself is part of the key.
    text = changes_text(cs)
    keys = {name: cache_key(cs, settings, name, languages, text) for name in names}
    redactions: int | None = None
    failure: BackendUnavailable | None = None
    for name in names:
        key = keys[name]
        hit = cache.get(key) if use_cache else None
        note = _cached_note(hit, cs, settings) if hit else None
        if hit and note is not None:
            return NoteResult(note=note, changes=cs, prompt=None, backend=hit.get("backend", name),
                              model=hit.get("model", ""), from_cache=True, languages=languages,
                              redactions=hit.get("redactions", 0),
                              fallback_from=settings.backend if name != settings.backend else None)
        if redactions is None:
            redactions = redact_changes(cs, settings)
        try:
            backend = make_backend(name, settings, on_status=status, progress=progress)
            result = _generate_with(backend, cs, settings, languages, on_token, status)
        except BackendUnavailable as exc:
            failure = exc
            if name != names[-1]:
                status(f"{name} backend unavailable ({exc.message}); falling back to {names[-1]}")
                continue
            raise
        result.redactions = redactions
        result.languages = languages
        if name != settings.backend:
            result.fallback_from = settings.backend
        cache.put(key, {"note": result.note.model_dump(), "backend": result.backend,
                        "model": result.model, "redactions": redactions})
        return result
    assert failure is not None
    raise failure


def _check_backends(settings: Settings) -> None:
    """Both configured backends exist, before any model runs: a misspelt fallback is told
    now, naming its key, not on the night the main backend is down."""
    for key in ("backend", "fallback_backend"):
        name = getattr(settings, key)
        if name:
            try:
                backend_class(name)
            except ConfigError as exc:
                raise ConfigError(f"{key} = {name!r}: {exc.message}") from None


def _check_writable(cs: ChangeSet, status: StatusCallback) -> None:
    """Refuse, before any model runs, changes with no text to learn from; warn about
    unresolved merge conflicts, which would otherwise be described as if they were code."""
    empty = without_text(cs)
    if empty:
        raise NoChangesError(f"nothing to write about in {cs.source}: {empty}; no model was called")
    conflicted = conflict_files(cs)
    if conflicted:
        holds = "holds" if len(conflicted) == 1 else "hold"
        status(f"warning: {', '.join(conflicted[:5])} still {holds} merge conflict markers "
               "(<<<<<<< ======= >>>>>>>); resolve them first, or the note describes them")


def _cached_note(hit: dict[str, Any], cs: ChangeSet, settings: Settings) -> TilNote | None:
    """The cached note, or None when the entry is broken or no longer valid (it is then
    generated again and overwritten, never a reason to fail)."""
    try:
        return validate_note(hit["note"], date=cs.date, language=settings.language)
    except (InvalidNoteError, KeyError, TypeError, ValueError):
        return None


def _generate_with(backend: Backend, cs: ChangeSet, settings: Settings, languages: list[str],
                   on_token: TokenCallback | None, status: StatusCallback) -> NoteResult:
    status(f"reading the changes with {backend.name} ({backend.model_name})")
    try:
        fitted, prompt = fit_prompt(cs, backend, settings, languages)
        return _attempts(backend, fitted, prompt, settings, on_token, status)
    except ContextOverflow:
        status("the server reported a context overflow; shrinking the changes and retrying")
        fitted, prompt = fit_prompt(cs, backend, settings, languages, shrink=0.5)
        return _attempts(backend, fitted, prompt, settings, on_token, status)


def _attempts(backend: Backend, cs: ChangeSet, prompt: Prompt, settings: Settings,
              on_token: TokenCallback | None, status: StatusCallback) -> NoteResult:
    note, result, attempt = write_note(backend, cs, prompt, settings, on_token, status)
    return NoteResult(note=note, changes=cs, prompt=prompt, backend=backend.name,
                      model=backend.model_name, attempts=attempt, generation=result)


def note_meta(result: NoteResult) -> dict[str, Any]:
    cs = result.changes
    return {
        "date": cs.date.isoformat(),
        "repo": cs.repo_name,
        "source": cs.source,
        "commits": [c.sha for c in cs.commits],
        "languages": result.languages,
        "model": result.model,
        "backend": result.backend,
        "fallback_from": result.fallback_from,
        "prompt_version": PROMPT_VERSION,
        "omitted": cs.omitted,
        "redacted_secrets": result.redactions or None,
    }


def save(result: NoteResult, settings: Settings) -> Path:
    """Write the note where ``notes_layout`` puts it (with related notes, then the index)."""
    from tilgen.log.save import save_note

    note = result.note
    result.path = save_note(settings, title=note.title, keywords=note.keywords,
                            content=note.content, meta=note_meta(result),
                            repo=result.changes.repo_name, date=result.changes.date.isoformat())
    return result.path


def run(source: ChangeSource, options: NoteOptions | None = None, *,
        on_token: TokenCallback | None = None, on_status: StatusCallback | None = None,
        progress: Callable[[int, int], None] | None = None,
        review: Callable[[NoteResult, Settings], TilNote] | None = None) -> NoteResult:
    """The one way to a note (CLI, git hook, Python API): read the changes ``source`` names,
    resolve the settings, generate a validated note and, unless told not to, save it.

    ``review`` gets the last look before saving (``--edit``) and returns the note to keep.
    """
    options = options or NoteOptions()
    cs, settings = read(source, options)
    result = generate_note(cs, settings, on_token=on_token, on_status=on_status,
                           progress=progress)
    if review is not None:
        result.note = review(result, settings)
    if options.save:
        save(result, settings)
    return result


def preview(source: ChangeSource, options: NoteOptions | None = None) -> Any:
    """The prompt a run would send (compacted, redacted, fitted to the backend's context by
    tilgen's estimate) and the secrets redacted, as a tilgen.fit.estimate.Preview; no model
    is loaded, no server called."""
    from tilgen.fit.estimate import Estimate, Preview

    cs, settings = read(source, options or NoteOptions())
    prepared, languages, redactions = prepare(cs, settings)
    counter = Estimate(settings)
    fitted, prompt = fit_prompt(prepared, counter, settings, languages)
    return Preview(prompt, redactions, counter, len(fitted.omitted))


def read(source: ChangeSource, options: NoteOptions) -> tuple[ChangeSet, Settings]:
    """Open the repository, resolve its settings, collect the changes."""
    repo = source.open()
    settings = options.resolve(Path(str(repo.working_tree_dir)) if repo is not None else None)
    return source.collect(repo, author=settings.author), settings
