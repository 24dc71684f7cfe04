"""The backend contract: one required method, ``generate``, plus capabilities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass
class GenerationRequest:
    """What a backend is asked to do. ``messages`` are OpenAI-style chat messages."""

    messages: list[dict[str, str]]
    json_schema: dict[str, Any] | None = None
    schema_name: str = "til_note"
    max_tokens: int = 1024
    temperature: float = 0.2
    top_p: float = 0.9
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    seed: int | None = 0


@dataclass
class GenerationResult:
    text: str
    finish_reason: str | None = None
    backend: str = ""
    model: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_prompt_tokens: int | None = None
    load_seconds: float = 0.0
    first_token_seconds: float | None = None  # time to first token, after load
    total_seconds: float = 0.0  # generation wall time, after load
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def generation_tps(self) -> float | None:
        if not self.completion_tokens or self.first_token_seconds is None:
            return None
        span = self.total_seconds - self.first_token_seconds
        return self.completion_tokens / span if span > 0 else None

    @property
    def prompt_tps(self) -> float | None:
        if not self.prompt_tokens or not self.first_token_seconds:
            return None
        return self.prompt_tokens / self.first_token_seconds


TokenCallback = Callable[[str], None]


@runtime_checkable
class Backend(Protocol):
    """A text generator. ``generate`` streams through ``on_token`` and returns the result."""

    name: str
    model_name: str

    def context_length(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def generate(
        self, request: GenerationRequest, on_token: TokenCallback | None = None
    ) -> GenerationResult: ...
