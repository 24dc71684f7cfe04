"""Talking to the replicas in ``remote.base_urls``: one HTTP client per server (``wire``),
retries with backoff on one server, failover to the next, and auxiliary JSON endpoints.

Retries are done here, so that every replica gets the same policy: exponential backoff with
jitter on 429, 5xx and failed connections, honouring ``Retry-After``; never on other 4xx.
"""

from __future__ import annotations

import itertools
import os
import random
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from tilgen.backends.base import Chunk
from tilgen.backends.remote import errors as rerr
from tilgen.backends.remote import state
from tilgen.config.settings import RemoteSettings
from tilgen.errors import ConfigError, TilgenError
from tilgen.secrets.mask import mask_urls_in

T = TypeVar("T")
PLACEHOLDER_KEY = "EMPTY"  # servers started without --api-key accept anything
BACKOFF_BASE, BACKOFF_CAP = 0.5, 8.0
MAX_RETRY_AFTER = rerr.MAX_RETRY_AFTER
_turns = itertools.count()


class Transport:
    """The servers of ``remote.base_urls``, treated as replicas of one model."""

    def __init__(self, settings: RemoteSettings, *, api_key: str | None = None) -> None:
        if not settings.base_urls:
            raise ConfigError("remote.base_urls is empty; set it, e.g. "
                              "tilgen config set remote.base_urls http://HOST:8000/v1")
        self.settings = settings
        self.base_urls = [url.rstrip("/") for url in settings.base_urls]
        self.api_key = api_key if api_key is not None else os.environ.get(settings.api_key_env)
        self._clients: dict[str, Any] = {}

    def ordered_urls(self) -> list[str]:
        """Replicas in the order to try: rotated per call and process, recently dead last."""
        start = (os.getpid() + next(_turns)) % len(self.base_urls)
        rotated = self.base_urls[start:] + self.base_urls[:start]
        dead = state.dead_replicas(rotated)
        return [u for u in rotated if u not in dead] + [u for u in rotated if u in dead]

    def client(self, url: str) -> Any:
        if url not in self._clients:
            from tilgen.backends.remote.wire import Client

            s = self.settings
            self._clients[url] = Client(url, api_key=self.api_key or PLACEHOLDER_KEY,
                                        timeout=s.timeout, connect_timeout=s.connect_timeout)
        return self._clients[url]

    def call(self, url: str, op: Callable[[Any], T]) -> T:
        """``op(client)`` with retries on transient failures of this one replica."""
        retries = self.settings.retries
        for attempt in range(retries + 1):
            try:
                return op(self.client(url))
            except Exception as exc:
                exc.tilgen_retries = attempt  # type: ignore[attr-defined]  # for the message
                if attempt >= retries or not rerr.transient(exc):
                    raise
                delay = rerr.retry_after(exc)
                if delay is None:
                    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt) * random.uniform(0.5, 1.5)
                elif delay > MAX_RETRY_AFTER:
                    raise
            time.sleep(delay)
        raise AssertionError("unreachable")

    def each_replica(self, op: Callable[[str], T], *, urls: list[str] | None = None) -> T:
        """``op(url)`` on the first replica that works; dead ones are remembered for a minute."""
        urls = urls or self.ordered_urls()
        dead = state.dead_replicas(urls)
        failure: tuple[BaseException, str] | None = None
        for url in urls:
            try:
                result = op(url)
            except Exception as exc:
                err = self._failure(exc, url)
                if err is exc:
                    raise
                if err is not None:
                    raise err from None
                failure = (exc, url)
                continue
            if url in dead:
                state.mark_alive(url)
            return result
        assert failure is not None
        raise self.error(failure[0], failure[1], tried=len(urls)) from None

    def stream_each_replica(self, op: Callable[[str], Iterator[str | Chunk]], *,
                            urls: list[str] | None = None) -> Iterator[str | Chunk]:
        """``op(url)``'s stream from the first replica that works. A replica failing after
        some text hands the answer on with a ``Chunk(restart=error)``: the reader drops the
        text, or raises ``error`` when it has already shown it."""
        urls = urls or self.ordered_urls()
        dead = state.dead_replicas(urls)
        failure: tuple[BaseException, str] | None = None
        for url in urls:
            emitted = False
            stream = op(url)
            try:
                for item in stream:
                    emitted = emitted or (isinstance(item, str) and bool(item))
                    yield item
            except Exception as exc:
                err = self._failure(exc, url)
                if err is exc:
                    raise
                if err is not None:
                    raise err from None
                failure = (exc, url)
                if emitted:
                    yield Chunk(restart=self.error(exc, url))
                continue
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()  # the HTTP stream too, when the reader stops early
            if url in dead:
                state.mark_alive(url)
            return
        assert failure is not None
        raise self.error(failure[0], failure[1], tried=len(urls)) from None

    def _failure(self, exc: Exception, url: str) -> BaseException | None:
        """What to raise for ``exc`` on ``url``: ``exc`` itself, tilgen's error for it, or
        None when the next replica should try (a replica that is down is marked dead)."""
        if isinstance(exc, TilgenError):
            return exc
        kind = rerr.kind(exc)
        if kind == "other":
            return exc
        status = rerr.status_of(exc) or 0
        down = kind in ("connect", "dropped") or (status >= 500 and rerr.transient(exc))
        if not (down or status == 429):
            return self.error(exc, url)
        if down:
            state.mark_dead(url)
        return None

    def error(self, exc: BaseException, url: str, *, tried: int = 1) -> TilgenError:
        """One clear line for a failure, naming the fix. The API key never appears."""
        err = rerr.to_error(exc, url, settings=self.settings, has_key=bool(self.api_key),
                            served=lambda: self.served_ids(url))
        if tried > 1:
            err.args = (f"{err.message} [all {tried} servers in remote.base_urls failed]",)
        err.args = (mask_urls_in(rerr.scrub(err.message, self.api_key)),)
        return err

    # -- auxiliary endpoints -------------------------------------------------------------
    def json(self, url: str, method: str, target: str, body: Any = None) -> Any:
        """JSON from an auxiliary endpoint, or None when the server does not offer it.

        Unreachable servers and rejected keys still raise: those are real problems."""
        def op(client: Any) -> Any:
            if method == "get":
                return client.get(target, cast_to=object)
            return client.post(target, body=body, cast_to=object)

        try:
            return self.call(url, op)
        except Exception as exc:
            kind = rerr.kind(exc)
            if kind == "status" and rerr.status_of(exc) not in (401, 403):
                return None
            if kind == "other" and isinstance(exc, ValueError):
                return None  # not JSON
            raise

    def models_on(self, url: str) -> list[dict[str, Any]]:
        listing = self.json(url, "get", "/models")
        data = listing.get("data") if isinstance(listing, dict) else None
        return [m for m in data or [] if isinstance(m, dict) and m.get("id")]

    def served_models(self, url: str | None = None) -> list[dict[str, Any]]:
        """The /v1/models entries of ``url`` (default: the first replica that answers)."""
        return self.each_replica(self.models_on, urls=[url] if url else None)

    def served_ids(self, url: str) -> list[str]:
        """Model names served at ``url``; empty when that cannot be learnt."""
        try:
            return [str(m["id"]) for m in self.models_on(url)]
        except Exception:  # noqa: BLE001 - only used to word an error message
            return []
