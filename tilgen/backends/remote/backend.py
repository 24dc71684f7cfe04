"""The remote backend: vLLM or any OpenAI-compatible server, through the ``openai`` SDK.

Retries are done here, not by the SDK (``max_retries=0``), so that every replica in
``remote.base_urls`` gets the same policy: exponential backoff with jitter on 429, 5xx and
failed connections, honouring ``Retry-After``; never on other 4xx.
"""

from __future__ import annotations

import itertools
import os
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from tilgen.backends.remote import errors as rerr
from tilgen.backends.remote import state
from tilgen.backends.base import (
    GenerationRequest,
    GenerationResult,
    TokenCallback,
    estimate_tokens,
)
from tilgen.backends.remote.probe import ProbeMixin
from tilgen.errors import (
    BackendError,
    ConfigError,
    ContextOverflow,
    TilgenError,
)
from tilgen.config.settings import RemoteSettings
from tilgen.secrets.mask import mask_urls_in

T = TypeVar("T")
# Structured-output requests, most to least precise. vLLM takes the first; llama-cpp-python's
# server rejects it (HTTP 500) but honours the second; the last two only ask for JSON.
MODES = ("json_schema", "json_object_schema", "json_object", "none")
PLACEHOLDER_KEY = "EMPTY"  # servers started without --api-key accept anything
BACKOFF_BASE, BACKOFF_CAP = 0.5, 8.0
MAX_RETRY_AFTER = rerr.MAX_RETRY_AFTER
_turns = itertools.count()


class _Progress:
    emitted = False  # tokens already reached on_token: no failover to another replica


class RemoteBackend(ProbeMixin):
    """Generates with a model served over HTTP; several base URLs are replicas."""

    name = "remote"

    def __init__(self, settings: RemoteSettings, *, api_key: str | None = None) -> None:
        if not settings.base_urls:
            raise ConfigError("remote.base_urls is empty; set it, e.g. "
                              "tilgen config set remote.base_urls http://HOST:8000/v1")
        self.settings = settings
        self.model_name = settings.model
        self.base_urls = [url.rstrip("/") for url in settings.base_urls]
        self._api_key = api_key if api_key is not None else os.environ.get(settings.api_key_env)
        self._clients: dict[str, Any] = {}
        self._modes: dict[str, str] = {}
        self._context: int | None = None
        self.context_source = ""
        self._tokenizer: str | None = None

    # -- replicas and retries ----------------------------------------------------------
    def ordered_urls(self) -> list[str]:
        """Replicas in the order to try: rotated per call and process, recently dead last."""
        start = (os.getpid() + next(_turns)) % len(self.base_urls)
        rotated = self.base_urls[start:] + self.base_urls[:start]
        dead = state.dead_replicas(rotated)
        return [u for u in rotated if u not in dead] + [u for u in rotated if u in dead]

    def client(self, url: str) -> Any:
        if url not in self._clients:
            import openai

            s = self.settings
            self._clients[url] = openai.OpenAI(
                base_url=url, api_key=self._api_key or PLACEHOLDER_KEY, max_retries=0,
                timeout=openai.Timeout(s.timeout, connect=s.connect_timeout),
            )
        return self._clients[url]

    def _call(self, url: str, op: Callable[[Any], T]) -> T:
        """``op(client)`` with retries on transient failures of this one replica."""
        retries = self.settings.retries
        for attempt in range(retries + 1):
            try:
                return op(self.client(url))
            except Exception as exc:
                exc.tilgen_retries = attempt  # type: ignore[attr-defined] - for the message
                if attempt >= retries or not rerr.transient(exc):
                    raise
                delay = rerr.retry_after(exc)
                if delay is None:
                    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt) * random.uniform(0.5, 1.5)
                elif delay > MAX_RETRY_AFTER:
                    raise
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _each_replica(self, op: Callable[[str], T], *, urls: list[str] | None = None,
                      progress: _Progress | None = None) -> T:
        """``op(url)`` on the first replica that works; dead ones are remembered for a minute."""
        urls = urls or self.ordered_urls()
        dead = state.dead_replicas(urls)
        failure: tuple[BaseException, str] | None = None
        for url in urls:
            try:
                result = op(url)
            except TilgenError:
                raise
            except Exception as exc:
                kind = rerr.kind(exc)
                if kind == "other":
                    raise
                status = rerr.status_of(exc) or 0
                down = kind in ("connect", "dropped") or (status >= 500 and rerr.transient(exc))
                if (progress and progress.emitted) or not (down or status == 429):
                    raise self.error(exc, url) from None
                if down:
                    state.mark_dead(url)
                failure = (exc, url)
                continue
            if url in dead:
                state.mark_alive(url)
            return result
        assert failure is not None
        raise self.error(failure[0], failure[1], tried=len(urls)) from None

    # -- errors --------------------------------------------------------------------------
    def error(self, exc: BaseException, url: str, *, tried: int = 1) -> TilgenError:
        """One clear line for a failure, naming the fix. The API key never appears."""
        err = rerr.to_error(exc, url, settings=self.settings, has_key=bool(self._api_key),
                            served=lambda: self.served_ids(url))
        if tried > 1:
            err.args = (f"{err.message} [all {tried} servers in remote.base_urls failed]",)
        err.args = (mask_urls_in(rerr.scrub(err.message, self._api_key)),)
        return err

    # -- generation ----------------------------------------------------------------------
    def generate(
        self, request: GenerationRequest, on_token: TokenCallback | None = None
    ) -> GenerationResult:
        progress = _Progress()
        return self._each_replica(
            lambda url: self.generate_on(url, request, on_token, progress=progress),
            progress=progress,
        )

    def modes_for(self, url: str, request: GenerationRequest) -> list[str]:
        if request.json_schema is None:
            return ["none"]
        known = self._modes.get(url) or state.load_mode(url, self.model_name)
        return list(MODES[MODES.index(known):] if known in MODES else MODES)

    def remember_mode(self, url: str, mode: str) -> None:
        if self._modes.get(url) != mode:
            self._modes[url] = mode
            state.save_mode(url, self.model_name, mode)

    def generate_on(self, url: str, request: GenerationRequest, on_token: TokenCallback | None,
                    *, progress: _Progress, modes: list[str] | None = None) -> GenerationResult:
        """Stream one answer from ``url``, stepping down the structured-output modes it rejects."""
        modes = modes or self.modes_for(url, request)
        for mode in modes:
            params = self._params(request, mode)
            started = time.perf_counter()
            try:
                stream = self._call(url, lambda c, p=params: c.chat.completions.create(**p))
            except Exception as exc:
                if mode != modes[-1] and rerr.is_format_rejection(exc):
                    continue
                if rerr.kind(exc) == "dropped":
                    # llama-cpp-python drops the connection on an oversized prompt.
                    self._raise_if_overflow(url, request)
                raise
            if request.json_schema is not None:
                self.remember_mode(url, mode)
            return self._consume(stream, url, mode, request, on_token, progress, started)
        raise AssertionError("unreachable")

    def _params(self, request: GenerationRequest, mode: str) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model_name, "messages": request.messages,
            "max_tokens": request.max_tokens, "temperature": request.temperature,
            "top_p": request.top_p, "stream": True, "stream_options": {"include_usage": True},
        }
        if request.seed is not None:
            params["seed"] = request.seed
        if request.repeat_penalty != 1.0:
            params["extra_body"] = {"repetition_penalty": request.repeat_penalty}  # vLLM's name
        schema = request.json_schema
        if mode == "json_schema":
            params["response_format"] = {"type": "json_schema", "json_schema": {
                "name": request.schema_name, "schema": schema, "strict": True}}
        elif mode == "json_object_schema":
            params["response_format"] = {"type": "json_object", "schema": schema}
        elif mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        return params

    def _consume(self, stream: Any, url: str, mode: str, request: GenerationRequest,
                 on_token: TokenCallback | None, progress: _Progress,
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
