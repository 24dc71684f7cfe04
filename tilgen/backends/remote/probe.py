"""What a remote server can tell about itself: its context length and its tokenizer.
Discovered lazily, on the first replica that answers, and kept on the instance."""

from __future__ import annotations

from tilgen.backends.base import estimate_tokens
from tilgen.backends.remote.transport import Transport

DEFAULT_CONTEXT = 4096
COUNT_CACHE = 2048  # texts whose token count is kept per instance
# Token-counting endpoints, tried in order (the first one that answers sensibly is kept):
# vLLM's POST /tokenize {model, prompt} -> {count}; llama-cpp-python's POST
# /extras/tokenize {input} -> {tokens}; llama.cpp's POST /tokenize {content} -> {tokens}.
TOKENIZERS = ("vllm", "llama-cpp-python", "llama.cpp")


def root_url(base_url: str) -> str:
    """The server root: vLLM's /tokenize and llama.cpp's /props live outside /v1."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


class ServerInfo:
    """Context length and token counts of the model served through ``transport``."""

    def __init__(self, transport: Transport, model: str) -> None:
        self.transport = transport
        self.settings = transport.settings
        self.model = model
        self._context: int | None = None
        self.context_source = ""
        self._tokenizer: str | None = None
        self._counts: dict[str, int] = {}

    # -- context ---------------------------------------------------------------------------
    def context_length(self) -> int:
        if self._context is None:
            self._context, self.context_source = self.transport.each_replica(
                self._discover_context)
        return self._context

    def _discover_context(self, url: str) -> tuple[int, str]:
        models = {str(m["id"]): m for m in self.transport.models_on(url)}
        entry = models.get(self.model)
        if entry is not None and not isinstance(entry.get("max_model_len"), int):
            entry = models.get(str(entry.get("parent")))  # a LoRA adapter: its base model's
        if entry is not None and isinstance(entry.get("max_model_len"), int):
            return entry["max_model_len"], "server: max_model_len in /v1/models"
        props = self.transport.json(url, "get", root_url(url) + "/props")
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
            self._tokenizer = self.transport.each_replica(self._discover_tokenizer)
        return self._tokenizer

    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        kind = self.tokenizer
        if kind == "estimate":
            return estimate_tokens(text)
        # Fitting a prompt counts the same pieces again and again: ask the server once each.
        cache = self._counts
        if text not in cache:
            count = self.transport.each_replica(lambda url: self._tokenize(url, kind, text))
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
        json_at = self.transport.json
        if kind == "vllm":
            data = json_at(url, "post", root + "/tokenize", {"model": self.model, "prompt": text})
            count = data.get("count") if isinstance(data, dict) else None
            return count if isinstance(count, int) else None
        if kind == "llama-cpp-python":
            data = json_at(url, "post", root + "/extras/tokenize", {"input": text})
        else:
            data = json_at(url, "post", root + "/tokenize", {"content": text})
        tokens = data.get("tokens") if isinstance(data, dict) else None
        return len(tokens) if isinstance(tokens, list) and tokens else None
