"""A checked note from a backend: the answer asked for, parsed, rendered and validated,
retried once with the reason, and with ``generation.candidates`` > 1 the best of several
(:mod:`tilgen.note.choose`)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from tilgen.backends.attempts import ask_checked
from tilgen.backends.base import Backend, GenerationRequest, GenerationResult, TokenCallback
from tilgen.backends.run import generate
from tilgen.config.settings import Settings
from tilgen.errors import InvalidNoteError
from tilgen.git.changes import ChangeSet
from tilgen.note import korean, reject
from tilgen.note.partial import PartialJSON
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
from tilgen.note.statements import reverted, statement
from tilgen.note.stepwise import point_schema, title_schema

StatusCallback = Callable[[str], None]


def write_note(backend: Backend, cs: ChangeSet, prompt: Prompt, settings: Settings,
               on_token: TokenCallback | None, status: StatusCallback,
               ) -> tuple[TilNote, GenerationResult, int]:
    """``(note, its generation, attempt number)`` for ``prompt``: one answer checked and
    retried once (:func:`tilgen.backends.attempts.ask_checked`), or the best of
    ``generation.candidates`` such answers."""
    points = settings.note_format == "points"
    if points and settings.language == "ko":
        korean.warm()  # ready when the answer is rendered (see render_points' garbled)

    def ask(i: int, tokens: TokenCallback | None) -> tuple[TilNote, GenerationResult, int]:
        gen = settings.generation
        if i:  # the others: other seeds, a little warmer, so that they differ
            gen = gen.model_copy(update={
                "seed": None if gen.seed is None else gen.seed + 100 * i,
                "temperature": max(gen.temperature, CANDIDATE_TEMPERATURE)})
        said = status if i == 0 else (lambda _m: None)
        if points and len(prompt.focus) > 1:
            return _point_by_point(backend, cs, prompt, settings, gen, tokens, said)
        return _one_answer(backend, cs, prompt, settings, gen, tokens, said)

    n = settings.generation.candidates
    if n == 1:
        return ask(0, on_token)
    return _best_of(ask, n, backend, cs, prompt, on_token, status)


CANDIDATE_TEMPERATURE = 0.5


def _one_answer(backend: Backend, cs: ChangeSet, prompt: Prompt, settings: Settings,
                gen: Any, on_token: TokenCallback | None, status: StatusCallback,
                ) -> tuple[TilNote, GenerationResult, int]:
    """The whole note in one answer, checked and retried once."""
    points = settings.note_format == "points"
    return ask_checked(
        backend, prompt.messages(),
        schema=lambda n: (points_schema(len(prompt.hunks), settings.language, n, prompt.focus)
                          if points else direct_schema(cs.date, settings.language)),
        parse=lambda text: _to_note(text, cs, prompt, settings),
        salvage=salvage_points if points else None,  # the points finished before a cut
        items=4,  # each point costs an English and a Korean sentence
        generation=gen, on_token=on_token, status=status,
    )


def _point_by_point(backend: Backend, cs: ChangeSet, prompt: Prompt, settings: Settings,
                    gen: Any, on_token: TokenCallback | None, status: StatusCallback,
                    ) -> tuple[TilNote, GenerationResult, int]:
    """The note's title, then each planned point, each in an answer of its own to the same
    changes (:meth:`Prompt.point_messages`): written after the others, a point copied their
    sentence with other names (four points of one note read "… 호출되어, … 지원하는지
    확인합니다"). The changes are a shared prefix, which llama.cpp and vLLM keep cached. A
    point whose answer fails is left out; a note that fails its checks is written in one
    answer instead. The result counts every answer's tokens and seconds."""
    def one(messages: list[dict[str, str]], schema: dict[str, Any], limit: int,
            tokens: TokenCallback | None, seed: int | None = gen.seed) -> GenerationResult:
        return generate(backend, GenerationRequest(
            messages=messages, json_schema=schema, max_tokens=min(gen.max_tokens, limit),
            temperature=gen.temperature, top_p=gen.top_p, top_k=gen.top_k, min_p=gen.min_p,
            repeat_penalty=gen.repeat_penalty, seed=seed), tokens)

    asks = [(prompt.title_messages(), title_schema(settings.language))] + [
        (prompt.point_messages(k), point_schema(f, settings.language))
        for k, f in enumerate(prompt.focus)]
    start = time.perf_counter()
    # One after another, also on a server: llama-cpp-python's server cuts an answer short
    # when the next request comes (an empty answer). The live view reads them as one answer.
    results = [one(asks[0][0], asks[0][1], TITLE_TOKENS, None)]
    if on_token:
        on_token(results[0].text.strip().removesuffix("}").rstrip() + ', "points": [')
    for k, ask in enumerate(asks[1:]):
        if on_token and k:
            on_token(", ")
        results.append(one(ask[0], ask[1], POINT_TOKENS, on_token))
        if results[-1].finish_reason == "length":  # a loop, mostly: once more, sampled anew
            again = one(ask[0], ask[1], POINT_TOKENS, None,
                        None if gen.seed is None else gen.seed + 1 + k)
            results[-1] = _total([results[-1], again], again.text, 0.0)
    wall = time.perf_counter() - start
    head, written = results[0], []
    for focus, result in zip(prompt.focus, results[1:], strict=True):
        try:
            point = (parse_json(result.text) if result.finish_reason != "length"
                     else _opening_of(result.text))
        except InvalidNoteError:
            point = None
        if isinstance(point, dict) and isinstance(point.get("text"), str):
            written.append({**point, "hunk": focus.hunk})
    try:
        title = parse_json(head.text)
        answer = json.dumps({**(title if isinstance(title, dict) else {}), "points": written},
                            ensure_ascii=False)
        return _to_note(answer, cs, prompt, settings), _total(results, answer, wall), 1
    except InvalidNoteError as exc:
        status(f"the note written point by point was rejected ({exc.message}); "
               "writing it in one answer")
        note, result, attempt = _one_answer(backend, cs, prompt, settings, gen, on_token, status)
        return note, _total([*results, result], result.text,
                            wall + result.total_seconds), attempt


def _opening_of(cut: str) -> dict[str, str] | None:
    """A point cut at its token limit (a loop: "`parseArgs`), `interspersed`), …") keeps its
    opening, which the grammar fixed and which says what changed ("`A`를 `B`로 바꿨습니다."),
    where the sentence got that far; None otherwise."""
    reader = PartialJSON()
    reader.feed(cut)
    text = reader.value.get("text") if isinstance(reader.value, dict) else None
    short = reject.without_reason(" ".join(text.split())) if isinstance(text, str) else None
    return {"text": short} if short else None


# A point's answer is an English reason and one Korean sentence (at most REST pieces, see
# tilgen.note.openings): a longer one is a loop ("`parseArgs`), `interspersed`), …" to the
# token limit, 700 tokens of a note), cut here and left out.
POINT_TOKENS, TITLE_TOKENS = 256, 96


def _total(results: list[GenerationResult], text: str, seconds: float) -> GenerationResult:
    """One result for several answers: the last one's, with ``text``, every answer's tokens
    and the ``seconds`` they took together."""
    def add(values: list[Any]) -> Any:  # counts or seconds, None where no answer knew them
        known = [v for v in values if v is not None]
        return sum(known) if known else None

    last = results[-1]
    return replace(last, text=text,
                   prompt_tokens=add([r.prompt_tokens for r in results]),
                   completion_tokens=add([r.completion_tokens for r in results]),
                   load_seconds=sum(r.load_seconds for r in results),
                   # every answer's wait for its first token: their prompts, as one prompt
                   first_token_seconds=add([r.first_token_seconds for r in results]),
                   total_seconds=seconds)


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
        ko = settings.language == "ko"  # what tilgen says itself, it says in Korean
        stated = [statement(f, prompt.hunks[f.hunk - 1][0]) for f in prompt.focus]
        data = render_points(answer, date=cs.date, hunks=prompt.hunks, proof=proof,
                             quoted=quoted, stated=stated if ko else [],
                             garbled=korean.garbled if ko else None,
                             says_nothing=korean.says_nothing if ko else None,
                             leading=reverted([c.subject for c in cs.commits]) if ko else ())
    return validate_note(data, date=cs.date, language=settings.language)
