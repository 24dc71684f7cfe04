"""The remote backend: vLLM or any OpenAI-compatible server, over its HTTP API.

The parts, each importing only those before it: ``errors`` (reading failures), ``state``
(what is remembered between runs), ``wire`` (the HTTP API), ``transport`` (clients, retries,
replicas), ``messages`` (turns a chat template takes), ``modes``
(structured-output requests), ``probe`` (context length, tokenizer); this module streams.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from tilgen.backends.base import (
    Chunk,
    GenerationRequest,
    ProgressCallback,
    StatusCallback,
)
from tilgen.backends.remote import errors as rerr
from tilgen.backends.remote.modes import MODES, ModeMemory, honoured, params, probe_request
from tilgen.backends.remote.probe import ServerInfo
from tilgen.backends.remote.transport import Transport
from tilgen.config.settings import RemoteSettings, Settings
from tilgen.errors import BackendError, ContextOverflow
from tilgen.fit.budget import estimate_tokens


class RemoteBackend:
    """Generates with a model served over HTTP; several base URLs are replicas."""

    name = "remote"
    concurrent = True  # a server answers several requests at once (candidate notes)

    def __init__(self, settings: RemoteSettings, *, api_key: str | None = None) -> None:
        self.settings = settings
        self.model_name = settings.model
        self.transport = Transport(settings, api_key=api_key)
        self.server = ServerInfo(self.transport, settings.model)
        self.modes = ModeMemory(settings.model)

    @classmethod
    def from_settings(cls, settings: Settings, *, on_status: StatusCallback | None = None,
                      progress: ProgressCallback | None = None) -> RemoteBackend:
        from tilgen.config.layers import resolve_api_key

        api_key, _ = resolve_api_key(settings)
        return cls(settings.remote, api_key=api_key)

    @classmethod
    def cache_identity(cls, settings: Settings) -> dict[str, Any]:
        return {"model": settings.remote.model, "base_urls": list(settings.remote.base_urls)}

    @classmethod
    def model_settings(cls, model: str) -> dict[str, Any]:
        return {"remote.model": model}

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
    def prepare(self) -> float:
        return 0.0  # nothing to load: connections open with the first request

    def stream(self, request: GenerationRequest) -> Iterator[str | Chunk]:
        return self.transport.stream_each_replica(lambda url: self.stream_on(url, request))

    def stream_on(self, url: str, request: GenerationRequest,
                  modes: list[str] | None = None) -> Iterator[str | Chunk]:
        """Stream one answer from ``url``, stepping down the structured-output modes it rejects."""
        modes = modes or self.modes.modes_for(url, request)
        for mode in modes:
            try:
                stream = self._create(url, request, mode)
            except Exception as exc:
                if mode != modes[-1] and rerr.is_format_rejection(exc):
                    continue
                if rerr.kind(exc) == "dropped":
                    # llama-cpp-python drops the connection on an oversized prompt.
                    self._raise_if_overflow(url, request)
                raise
            if request.json_schema is not None:
                self.modes.remember(url, mode)
            yield from self._consume(stream, url, mode, request)
            return
        raise AssertionError("unreachable")

    def _create(self, url: str, request: GenerationRequest, mode: str) -> Any:
        """Start the stream; a template that refuses the system role gets the folded form."""
        fold = self.modes.folds_system(url)
        for attempt in (1, 2):
            args = params(request, mode, model=self.model_name, fold=fold)
            try:
                return self.transport.call(url, functools.partial(_create, args=args))
            except Exception as exc:
                if fold or attempt == 2 or not rerr.is_role_rejection(exc):
                    raise
                fold = True
                self.modes.remember_fold(url)
        raise AssertionError("unreachable")

    def _consume(self, stream: Any, url: str, mode: str,
                 request: GenerationRequest) -> Iterator[str | Chunk]:
        pieces = 0
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
                    pieces += 1
                    yield piece
                finish = choice.finish_reason or finish
        except ValueError as exc:  # a `data:` line that is not JSON
            raise BackendError(f"{url} sent a stream event that is not JSON ({exc}); is it an "
                               "OpenAI-compatible server? Check remote.base_urls") from None
        except Exception as exc:
            if not pieces and rerr.kind(exc) == "dropped":
                self._raise_if_overflow(url, request)
            raise
        finally:
            stream.close()
        if not pieces:
            raise self._empty_answer(url, request)
        details = getattr(usage, "prompt_tokens_details", None)
        yield Chunk(
            finish_reason=finish, prompt_tokens=getattr(usage, "prompt_tokens", None),
            # Without usage (llama-cpp-python sends none) each content chunk is one token.
            completion_tokens=getattr(usage, "completion_tokens", None) or pieces,
            cached_prompt_tokens=getattr(details, "cached_tokens", None),
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
            tried = list(MODES[start:])
            items = list(self.transport.stream_each_replica(
                functools.partial(self.stream_on, request=request, modes=tried), urls=[url]))
            text = "".join(item for item in items if isinstance(item, str))
            # One replica: a failure mid-answer raises, so no restart is among the items.
            [mode] = [item.extra["structured_output"] for item in items
                      if isinstance(item, Chunk)]
            if honoured(mode, text):
                self.modes.remember(url, mode)
                return mode, text
            start = MODES.index(mode) + 1
        return None, text


def _create(client: Any, *, args: dict[str, Any]) -> Any:
    return client.chat.completions.create(**args)
