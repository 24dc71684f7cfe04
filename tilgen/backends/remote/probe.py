"""What a remote server can tell about itself: served models, context length, tokenizer,
and which structured-output request it honours. Used by the remote backend and `doctor`."""

from __future__ import annotations

import json
from typing import Any

from tilgen.backends.remote import errors as rerr
from tilgen.backends.base import GenerationRequest, estimate_tokens

DEFAULT_CONTEXT = 4096
COUNT_CACHE = 2048  # texts whose token count is kept per backend instance
# Token-counting endpoints, tried in order (the first one that answers sensibly is kept):
# vLLM's POST /tokenize {model, prompt} -> {count}; llama-cpp-python's POST
# /extras/tokenize {input} -> {tokens}; llama.cpp's POST /tokenize {content} -> {tokens}.
TOKENIZERS = ("vllm", "llama-cpp-python", "llama.cpp")
# The probe asks for {"ok": true} in words but sends a schema that demands another key: a
# server that silently drops the schema (vLLM does with json_object + schema) answers what
# was asked, one that enforces it cannot.
PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"checked": {"type": "boolean"}},
    "required": ["checked"],
    "additionalProperties": False,
}
SCHEMA_MODES = ("json_schema", "json_object_schema")


def root_url(base_url: str) -> str:
    """The server root: vLLM's /tokenize and llama.cpp's /props live outside /v1."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


class ProbeMixin:
    """Server capabilities, discovered lazily and cached on the instance."""

    settings: Any
    model_name: str
    context_source: str
    _context: int | None
    _tokenizer: str | None

    def _json(self, url: str, method: str, target: str, body: Any = None) -> Any:
        """JSON from an auxiliary endpoint, or None when the server does not offer it.

        Unreachable servers and rejected keys still raise: those are real problems."""
        def op(client: Any) -> Any:
            if method == "get":
                return client.get(target, cast_to=object)
            return client.post(target, body=body, cast_to=object)

        try:
            return self._call(url, op)  # type: ignore[attr-defined]
        except Exception as exc:
            kind = rerr.kind(exc)
            if kind == "status" and rerr.status_of(exc) not in (401, 403):
                return None
            if kind == "other" and isinstance(exc, ValueError):
                return None  # not JSON
            raise

    # -- models ----------------------------------------------------------------------------
    def _models_on(self, url: str) -> list[dict[str, Any]]:
        listing = self._json(url, "get", "/models")
        data = listing.get("data") if isinstance(listing, dict) else None
        return [m for m in data or [] if isinstance(m, dict) and m.get("id")]

    def served_models(self, url: str | None = None) -> list[dict[str, Any]]:
        """The /v1/models entries of ``url`` (default: the first replica that answers)."""
        return self._each_replica(  # type: ignore[attr-defined]
            self._models_on, urls=[url] if url else None)

    def served_ids(self, url: str) -> list[str]:
        """Model names served at ``url``; empty when that cannot be learnt."""
        try:
            return [str(m["id"]) for m in self._models_on(url)]
        except Exception:  # noqa: BLE001 - only used to word an error message
            return []

    # -- context ---------------------------------------------------------------------------
    def context_length(self) -> int:
        if self._context is None:
            self._context, self.context_source = self._each_replica(  # type: ignore[attr-defined]
                self._discover_context)
        return self._context

    def _discover_context(self, url: str) -> tuple[int, str]:
        models = {str(m["id"]): m for m in self._models_on(url)}
        entry = models.get(self.model_name)
        if entry is not None and not isinstance(entry.get("max_model_len"), int):
            entry = models.get(str(entry.get("parent")))  # a LoRA adapter: its base model's
        if entry is not None and isinstance(entry.get("max_model_len"), int):
            return entry["max_model_len"], "server: max_model_len in /v1/models"
        props = self._json(url, "get", root_url(url) + "/props")
        if isinstance(props, dict):
            defaults = props.get("default_generation_settings") or {}
            n_ctx = defaults.get("n_ctx") or props.get("n_ctx")
            if isinstance(n_ctx, int) and n_ctx > 0:
                return n_ctx, "server: n_ctx in /props"
        if self.settings.context_length:
            return self.settings.context_length, "remote.context_length"
        return DEFAULT_CONTEXT, "default; the server does not report it: set remote.context_length"

    # -- tokens ----------------------------------------------------------------------------
    @property
    def tokenizer(self) -> str:
        """Which token-counting endpoint the server offers, or 'estimate'."""
        if self._tokenizer is None:
            self._tokenizer = self._each_replica(self._discover_tokenizer)  # type: ignore[attr-defined]
        return self._tokenizer

    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        kind = self.tokenizer
        if kind == "estimate":
            return estimate_tokens(text)
        # Fitting a prompt counts the same pieces again and again: ask the server once each.
        cache: dict[str, int] = self.__dict__.setdefault("_counts", {})
        if text not in cache:
            count = self._each_replica(  # type: ignore[attr-defined]
                lambda url: self._tokenize(url, kind, text))
            # A text the server refused to count (e.g. longer than its context): estimate it.
            if len(cache) >= COUNT_CACHE:
                cache.clear()
            cache[text] = estimate_tokens(text) if count is None else count
        return cache[text]

    def _discover_tokenizer(self, url: str) -> str:
        for kind in TOKENIZERS:
            if self._tokenize(url, kind, "hello world"):
                return kind
        return "estimate"

    def _tokenize(self, url: str, kind: str, text: str) -> int | None:
        root = root_url(url)
        if kind == "vllm":
            data = self._json(url, "post", root + "/tokenize",
                              {"model": self.model_name, "prompt": text})
            count = data.get("count") if isinstance(data, dict) else None
            return count if isinstance(count, int) else None
        if kind == "llama-cpp-python":
            data = self._json(url, "post", root + "/extras/tokenize", {"input": text})
        else:
            data = self._json(url, "post", root + "/tokenize", {"content": text})
        tokens = data.get("tokens") if isinstance(data, dict) else None
        return len(tokens) if isinstance(tokens, list) and tokens else None

    # -- structured output -------------------------------------------------------------------
    def probe_structured_output(self, url: str) -> tuple[str | None, str]:
        """The first mode the server really honours, with its answer.

        Servers may silently ignore a request field, so the answer is checked, not the status:
        a schema mode counts only when the answer follows the schema, a JSON mode when it is
        JSON. Returns (None, last answer) when no mode gives valid JSON."""
        from tilgen.backends.remote.backend import MODES, _Progress

        request = GenerationRequest(
            messages=[{"role": "system", "content": "You answer with JSON only."},
                      {"role": "user", "content": 'Reply with exactly {"ok": true}'}],
            json_schema=PROBE_SCHEMA, schema_name="probe", max_tokens=16, temperature=0.0,
            top_p=1.0, repeat_penalty=1.0, seed=0)
        start, text = 0, ""
        while start < len(MODES):
            result = self._each_replica(  # type: ignore[attr-defined]
                lambda u, m=list(MODES[start:]): self.generate_on(  # type: ignore[attr-defined]
                    u, request, None, progress=_Progress(), modes=m), urls=[url])
            mode, text = result.extra["structured_output"], result.text
            if _honoured(mode, text):
                self.remember_mode(url, mode)  # type: ignore[attr-defined]
                return mode, text
            start = MODES.index(mode) + 1
        return None, text


def _honoured(mode: str, text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return False
    if mode in SCHEMA_MODES:
        return (isinstance(data, dict) and set(data) == {"checked"}
                and isinstance(data["checked"], bool))
    return isinstance(data, dict)
