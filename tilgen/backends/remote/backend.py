"""The remote backend: vLLM or any OpenAI-compatible server, through the ``openai`` SDK.

The parts, each importing only those before it: ``errors`` (reading failures), ``state``
(what is remembered between runs), ``transport`` (clients, retries, replicas), ``modes``
(structured-output requests), ``probe`` (context length, tokenizer); this module streams.
"""

from __future__ import annotations

import time
from typing import Any

from tilgen.backends.base import (
    GenerationRequest,
    GenerationResult,
    TokenCallback,
    estimate_tokens,
)
from tilgen.backends.remote import errors as rerr
from tilgen.backends.remote.modes import MODES, ModeMemory, honoured, params, probe_request
from tilgen.backends.remote.probe import ServerInfo
from tilgen.backends.remote.transport import Progress, Transport
from tilgen.config.settings import RemoteSettings
from tilgen.errors import BackendError, ContextOverflow


class RemoteBackend:
    """Generates with a model served over HTTP; several base URLs are replicas."""

    name = "remote"

    def __init__(self, settings: RemoteSettings, *, api_key: str | None = None) -> None:
        self.settings = settings
        self.model_name = settings.model
        self.transport = Transport(settings, api_key=api_key)
        self.server = ServerInfo(self.transport, settings.model)
        self.modes = ModeMemory(settings.model)

    # -- what the servers tell -----------------------------------------------------------
    @property
    def base_urls(self) -> list[str]:
        return self.transport.base_urls

    def ordered_urls(self) -> list[str]:
        return self.transport.ordered_urls()

    def client(self, url: str) -> Any:
        return self.transport.client(url)

    def served_models(self, url: str | None = None) -> list[dict[str, Any]]:
        return self.transport.served_models(url)

    def context_length(self) -> int:
        return self.server.context_length()

    @property
    def context_source(self) -> str:
        return self.server.context_source

    @property
    def tokenizer(self) -> str:
        return self.server.tokenizer

    def count_tokens(self, text: str) -> int:
        return self.server.count_tokens(text)

    # -- generation ----------------------------------------------------------------------
    def generate(
        self, request: GenerationRequest, on_token: TokenCallback | None = None
    ) -> GenerationResult:
        progress = Progress()
        return self.transport.each_replica(
            lambda url: self.generate_on(url, request, on_token, progress=progress),
            progress=progress,
        )

    def generate_on(self, url: str, request: GenerationRequest, on_token: TokenCallback | None,
                    *, progress: Progress, modes: list[str] | None = None) -> GenerationResult:
        """Stream one answer from ``url``, stepping down the structured-output modes it rejects."""
        modes = modes or self.modes.modes_for(url, request)
        for mode in modes:
            args = params(request, mode, model=self.model_name)
            started = time.perf_counter()
            try:
                stream = self.transport.call(
                    url, lambda c, p=args: c.chat.completions.create(**p))
            except Exception as exc:
                if mode != modes[-1] and rerr.is_format_rejection(exc):
                    continue
                if rerr.kind(exc) == "dropped":
                    # llama-cpp-python drops the connection on an oversized prompt.
                    self._raise_if_overflow(url, request)
                raise
            if request.json_schema is not None:
                self.modes.remember(url, mode)
            return self._consume(stream, url, mode, request, on_token, progress, started)
        raise AssertionError("unreachable")

    def _consume(self, stream: Any, url: str, mode: str, request: GenerationRequest,
                 on_token: TokenCallback | None, progress: Progress,
                 started: float) -> GenerationResult:
        parts: list[str] = []
        first: float | None = None
        finish: str | None = None
        usage: Any = None
        try:
            for chunk in stream:
                usage = getattr(chunk, "usage", None) or usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                piece = choice.delta.content if choice.delta else None
                if piece:
                    if first is None:
                        first = time.perf_counter() - started
                    parts.append(piece)
                    progress.emitted = True
                    if on_token:
                        on_token(piece)
                finish = choice.finish_reason or finish
        except ValueError as exc:  # a `data:` line that is not JSON
            raise BackendError(f"{url} sent a stream event that is not JSON ({exc}); is it an "
                               "OpenAI-compatible server? Check remote.base_urls") from None
        except Exception as exc:
            if not parts and rerr.kind(exc) == "dropped":
                self._raise_if_overflow(url, request)
            raise
        finally:
            stream.close()
        total = time.perf_counter() - started
        if not parts:
            raise self._empty_answer(url, request)
        details = getattr(usage, "prompt_tokens_details", None)
        return GenerationResult(
            text="".join(parts), finish_reason=finish, backend=self.name, model=self.model_name,
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            # Without usage (llama-cpp-python sends none) each content chunk is one token.
            completion_tokens=getattr(usage, "completion_tokens", None) or len(parts),
            cached_prompt_tokens=getattr(details, "cached_tokens", None),
            first_token_seconds=first, total_seconds=total,
            extra={"base_url": url, "structured_output": mode, "usage_reported": usage is not None},
        )

    def _raise_if_overflow(self, url: str, request: GenerationRequest) -> None:
        empty = self._empty_answer(url, request)
        if isinstance(empty, ContextOverflow):
            raise empty from None

    def _empty_answer(self, url: str, request: GenerationRequest) -> BackendError:
        """llama.cpp's servers answer an oversized prompt with an empty 200 stream."""
        prompt = sum(estimate_tokens(m.get("content", "")) for m in request.messages)
        context = self.context_length()
        # An unverified context may be larger than the server's real one: judge by half.
        limit = context if self.context_source.startswith("server") else context // 2
        if prompt + request.max_tokens > limit:
            return ContextOverflow(
                f"{url} returned an empty answer — prompt may exceed the server's context "
                f"(about {prompt} prompt tokens, context {context}); set remote.context_length "
                "to the server's real context or shorten the changes")
        return BackendError(f"{url} returned an empty answer, though the prompt fits its "
                            f"context (about {prompt} prompt tokens, context {context}); is it an "
                            "OpenAI-compatible server that streams? Check remote.base_urls and "
                            "the server's log")

    # -- structured output -------------------------------------------------------------------
    def probe_structured_output(self, url: str) -> tuple[str | None, str]:
        """The first mode whose answer really matches a tiny schema, with that answer.

        Servers may silently ignore a request field, so the answer is checked, not the status.
        A schema mode counts only when the answer follows the schema, a JSON mode when it
        is JSON. Returns (None, last answer) when no mode gives valid JSON."""
        request = probe_request()
        start, text = 0, ""
        while start < len(MODES):
            result = self.transport.each_replica(
                lambda u, m=list(MODES[start:]): self.generate_on(
                    u, request, None, progress=Progress(), modes=m), urls=[url])
            mode, text = result.extra["structured_output"], result.text
            if honoured(mode, text):
                self.modes.remember(url, mode)
                return mode, text
            start = MODES.index(mode) + 1
        return None, text
