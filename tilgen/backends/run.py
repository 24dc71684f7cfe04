"""Running a backend: one place that times, counts and joins what any backend streams."""

from __future__ import annotations

import time

from tilgen.backends.base import Backend, Chunk, GenerationRequest, GenerationResult, TokenCallback


def generate(backend: Backend, request: GenerationRequest,
             on_token: TokenCallback | None = None) -> GenerationResult:
    """Stream ``request`` through ``backend``, passing each piece to ``on_token``.

    ``first_token_seconds`` and ``total_seconds`` start once the backend is ready (after
    ``prepare``); completion tokens the backend does not report are counted with its own
    tokenizer."""
    load_seconds = backend.prepare()
    parts: list[str] = []
    meta = Chunk()
    first: float | None = None
    start = time.perf_counter()
    stream = backend.stream(request)
    try:
        for item in stream:
            if isinstance(item, Chunk) and item.restart is not None:
                if on_token and parts:
                    raise item.restart  # the reader has seen this answer's start
                parts, meta, first = [], Chunk(), None
                continue
            piece = item if isinstance(item, str) else item.text
            if piece:
                if first is None:
                    first = time.perf_counter() - start
                parts.append(piece)
                if on_token:
                    on_token(piece)
            if isinstance(item, Chunk):
                _merge(meta, item)
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    total = time.perf_counter() - start
    text = "".join(parts)
    completion = meta.completion_tokens
    if completion is None:
        completion = backend.count_tokens(text) if text else 0
    return GenerationResult(
        text=text, finish_reason=meta.finish_reason, backend=backend.name,
        model=backend.model_name, prompt_tokens=meta.prompt_tokens,
        completion_tokens=completion, cached_prompt_tokens=meta.cached_prompt_tokens,
        load_seconds=load_seconds, first_token_seconds=first, total_seconds=total,
        extra=meta.extra,
    )


def _merge(into: Chunk, chunk: Chunk) -> None:
    for name in ("finish_reason", "prompt_tokens", "completion_tokens", "cached_prompt_tokens"):
        value = getattr(chunk, name)
        if value is not None:
            setattr(into, name, value)
    into.extra.update(chunk.extra)
