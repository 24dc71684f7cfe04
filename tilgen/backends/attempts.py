"""Ask a backend for an answer that passes a check: twice at most, telling it what was wrong.

Daily notes and digests share this loop; each brings its own schema and its own parser (which
raises InvalidNoteError for an answer that breaks a rule).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from tilgen.backends.base import GenerationRequest, GenerationResult, TokenCallback
from tilgen.errors import InvalidNoteError

T = TypeVar("T")


def ask_checked(
    backend: Any,
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
            temperature=gen.temperature if attempt == 1 else max(gen.temperature, 0.3),
            top_p=gen.top_p, repeat_penalty=gen.repeat_penalty,
            seed=None if gen.seed is None else gen.seed + attempt - 1,
        )
        result = backend.generate(request, on_token)
        cut = result.finish_reason == "length"
        text: str | None = result.text
        if cut:
            text = salvage(text) if salvage else None
        try:
            if text is None:
                raise InvalidNoteError("no item was finished before the cut")
            parsed = parse(text)
        except InvalidNoteError as exc:
            if cut:
                problem = f"the answer was cut off at {gen.max_tokens} tokens"
                items = short_items
                messages = first + [{"role": "user", "content":
                                     f"Keep the answer short: at most {short_items} points."}]
            else:
                problem = exc.message
                messages = first + [
                    {"role": "assistant", "content": result.text},
                    {"role": "user", "content": f"That answer was rejected: {problem}. "
                     "Answer again with corrected JSON only."},
                ]
        else:
            if cut:
                status(f"the answer was cut off at {gen.max_tokens} tokens; kept the points "
                       "written before the cut")
            return parsed, result, attempt
        if attempt == 1:
            status(f"retrying: {problem}")
    raise InvalidNoteError(
        f"the model's {what} was invalid twice ({problem}); nothing was saved. "
        "Try a larger model (--model qwen2.5-coder-1.5b) or raise generation.max_tokens"
    )
