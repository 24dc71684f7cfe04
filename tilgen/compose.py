"""A checked note from a backend: the answer asked for, parsed, rendered and validated,
retried once with the reason, and with ``generation.candidates`` > 1 the best of several
(:mod:`tilgen.note.choose`)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from tilgen.backends.attempts import ask_checked
from tilgen.backends.base import Backend, GenerationResult, TokenCallback
from tilgen.config.settings import Settings
from tilgen.errors import InvalidNoteError
from tilgen.git.changes import ChangeSet
from tilgen.note.prompt import Prompt
from tilgen.note.reject import Proof
from tilgen.note.render import render_points
from tilgen.note.schema import (
    PointsAnswer,
    TilNote,
    describe_errors,
    direct_schema,
    parse_json,
    points_schema,
    salvage_points,
    validate_note,
)

StatusCallback = Callable[[str], None]


def write_note(backend: Backend, cs: ChangeSet, prompt: Prompt, settings: Settings,
               on_token: TokenCallback | None, status: StatusCallback,
               ) -> tuple[TilNote, GenerationResult, int]:
    """``(note, its generation, attempt number)`` for ``prompt``: one answer checked and
    retried once (:func:`tilgen.backends.attempts.ask_checked`), or the best of
    ``generation.candidates`` such answers."""
    points = settings.note_format == "points"

    def ask(i: int, tokens: TokenCallback | None) -> tuple[TilNote, GenerationResult, int]:
        gen = settings.generation
        if i:  # the others: other seeds, a little warmer, so that they differ
            gen = gen.model_copy(update={
                "seed": None if gen.seed is None else gen.seed + 100 * i,
                "temperature": max(gen.temperature, CANDIDATE_TEMPERATURE)})
        return ask_checked(
            backend, prompt.messages(),
            schema=lambda n: (points_schema(len(prompt.hunks), settings.language, n, prompt.focus)
                              if points
                              else direct_schema(cs.date, settings.language)),
            parse=lambda text: _to_note(text, cs, prompt, settings),
            salvage=salvage_points if points else None,  # the points finished before a cut
            items=4,  # each point costs an English and a Korean sentence
            generation=gen, on_token=tokens, status=status if i == 0 else (lambda _m: None),
        )

    n = settings.generation.candidates
    if n == 1:
        return ask(0, on_token)
    return _best_of(ask, n, backend, cs, prompt, on_token, status)


CANDIDATE_TEMPERATURE = 0.5


def _best_of(ask: Callable[[int, TokenCallback | None], tuple[TilNote, GenerationResult, int]],
             n: int, backend: Backend, cs: ChangeSet, prompt: Prompt,
             on_token: TokenCallback | None, status: StatusCallback,
             ) -> tuple[TilNote, GenerationResult, int]:
    """``n`` candidates (at once when the backend serves several requests concurrently), the
    one naming most of the change kept; InvalidNoteError only when every one failed."""
    from tilgen.note import choose

    def one(i: int) -> tuple[TilNote, GenerationResult, int] | InvalidNoteError:
        try:
            return ask(i, on_token if i == 0 else None)
        except InvalidNoteError as exc:
            return exc

    status(f"writing {n} candidate notes")
    if getattr(backend, "concurrent", False):
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n) as pool:
            outcomes = list(pool.map(one, range(n)))
    else:
        outcomes = [one(i) for i in range(n)]
    valid = [o for o in outcomes if not isinstance(o, InvalidNoteError)]
    if not valid:
        first = outcomes[0]
        assert isinstance(first, InvalidNoteError)
        raise first
    proof = Proof.of(cs.files, [c.subject for c in cs.commits])
    k = choose.best([o[0] for o in valid], choose.key_names(prompt.hunks), set(proof.terms))
    status(f"kept candidate {outcomes.index(valid[k]) + 1} of {n} "
           f"({len(valid)} valid)")
    return valid[k]


def _to_note(text: str, cs: ChangeSet, prompt: Prompt, settings: Settings) -> TilNote:
    data = parse_json(text)
    if settings.note_format == "points":
        try:
            answer = PointsAnswer.model_validate(data)
        except ValidationError as exc:
            raise InvalidNoteError(f"the answer does not match the points structure: "
                                   f"{describe_errors(exc)}") from None
        proof = Proof.of(cs.files, [c.subject for c in cs.commits])
        quoted = {f.hunk: (f.checks, f.shows) for f in prompt.focus if f.checks}
        data = render_points(answer, date=cs.date, hunks=prompt.hunks, proof=proof,
                             quoted=quoted)
    return validate_note(data, date=cs.date, language=settings.language)
