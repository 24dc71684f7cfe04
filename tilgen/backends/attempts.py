"""Ask a backend for an answer that passes a check: twice at most, telling it what was wrong.

Daily notes and digests share this loop; each brings its own schema and its own parser (which
raises InvalidNoteError for an answer that breaks a rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tilgen.backends.base import Backend, GenerationRequest, GenerationResult, TokenCallback
from tilgen.backends.run import generate
from tilgen.errors import InvalidNoteError

T = TypeVar("T")
RETRY_TEMPERATURE = 0.3  # warmer than the default 0.2; at 0.5 the 1.5B ran to its token limit


def ask_checked(
    backend: Backend,
    messages: list[dict[str, str]],
    *,
    schema: Callable[[int], dict[str, Any]],
    parse: Callable[[str], T],
    generation: Any,
    on_token: TokenCallback | None,
    status: Callable[[str], None],
    salvage: Callable[[str], str | None] | None = None,
    items: int = 5,
    short_items: int = 3,
    what: str = "note",
) -> tuple[T, GenerationResult, int]:
    """``(parsed answer, generation result, attempt number)``.

    ``schema(n)`` is the JSON schema allowing at most ``n`` items. An answer cut off at
    ``max_tokens`` is repaired with ``salvage`` when given (None: nothing usable), otherwise
    the second attempt asks for ``short_items`` items. Raises InvalidNoteError after two.
    """
    gen = generation
    first = list(messages)
    problem = ""
    for attempt in (1, 2):
        request = GenerationRequest(
            messages=messages, json_schema=schema(items), max_tokens=gen.max_tokens,
            temperature=(gen.temperature if attempt == 1
                         else max(gen.temperature, RETRY_TEMPERATURE)),
            top_p=gen.top_p, top_k=gen.top_k, min_p=gen.min_p, repeat_penalty=gen.repeat_penalty,
            seed=None if gen.seed is None else gen.seed + attempt - 1,
        )
        result = generate(backend, request, on_token)
        cut = result.finish_reason == "length"
        text: str | None = result.text
        if cut:
            text = salvage(result.text) if salvage else None
        try:
            if text is None:
                raise InvalidNoteError("no item was finished before the cut")
            parsed = parse(text)
        except InvalidNoteError as exc:
            if cut:
                problem = f"the answer was cut off at {gen.max_tokens} tokens"
                items = short_items
                # Said in the user's own turn: some chat templates (Gemma's) refuse two
                # user turns in a row.
                messages = first[:-1] + [{**first[-1], "content": first[-1]["content"]
                                          + f"\n\nKeep the answer short: at most "
                                          f"{short_items} points."}]
            else:
                problem = exc.message
                # The reason, not the answer: shown its own rejected answer, the 1.5B model
                # wrote it again word for word.
                messages = first[:-1] + [{**first[-1], "content": first[-1]["content"]
                                          + f"\n\nAn earlier answer was rejected: {problem}. "
                                          "Write every point again without that."}]
        else:
            if cut:
                status(f"the answer was cut off at {gen.max_tokens} tokens; kept the points "
                       "written before the cut")
            return parsed, result, attempt
        if attempt == 1:
            status(f"retrying: {problem}")
    error = InvalidNoteError(
        f"the model's {what} was invalid twice ({problem}); nothing was saved. "
        + next_step(getattr(backend, "model_name", ""), cut))
    error.answer = result.text
    raise error


def next_step(model: str, cut: bool) -> str:
    """What to try after two rejected answers: more room for one cut off, the larger default
    model for a smaller one, otherwise another try (answers vary)."""
    from tilgen.backends.modelstore import DEFAULT_MODEL

    if cut:
        return "Raise generation.max_tokens, or ask for fewer changes (a single commit)"
    if model and model != DEFAULT_MODEL and "0.5b" in model:
        return f"Try the larger default model (--model {DEFAULT_MODEL}), or run it again"
    return "Run it again (answers vary between tries), or try another model (--model)"
