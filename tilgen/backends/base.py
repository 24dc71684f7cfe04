"""The backend contract: a backend streams text for a request and tells its capabilities.

Timing, token accounting and joining the pieces are done once, by
:func:`tilgen.backends.run.generate`, for every backend. A backend class is registered under
the entry-point group ``tilgen.backends`` (see :mod:`tilgen.backends`) and built with
``from_settings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from tilgen.config.settings import Settings


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
class Chunk:
    """A piece of a stream: text, and what the backend knows besides (all optional).

    A stream may yield plain ``str`` for text; a ``Chunk`` carries the finish reason, the
    token counts the backend reports, and details for ``GenerationResult.extra``. Later
    values win over earlier ones; ``extra`` is merged.

    ``restart`` says the answer starts over (another replica took it up): the text so far
    is dropped, unless it was already passed on to the reader; then ``restart`` is raised."""

    text: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached_prompt_tokens: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    restart: Exception | None = None


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
StatusCallback = Callable[[str], None]
ProgressCallback = Callable[[int, int], None]


@runtime_checkable
class Backend(Protocol):
    """A text generator: ``stream`` yields the answer's pieces for a request."""

    name: str
    model_name: str

    def context_length(self) -> int:
        """The context window, in tokens, that prompt and answer share."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes with this backend's tokenizer (or an estimate)."""
        ...

    def prepare(self) -> float:
        """Get ready to stream (load a model...); the seconds spent loading since the last
        generation, also when it happened earlier (counting tokens may load a model)."""
        ...

    def stream(self, request: GenerationRequest) -> Iterator[str | Chunk]:
        """The answer's pieces as they come; closing the iterator stops the generation."""
        ...


class BackendClass(Protocol):
    """What a ``tilgen.backends`` entry point names: a class with these class methods."""

    name: str

    def from_settings(self, settings: Settings, *, on_status: StatusCallback | None = None,
                      progress: ProgressCallback | None = None) -> Backend:
        """The backend for ``settings`` (its own section); may fetch a model, reporting it."""
        ...

    def cache_identity(self, settings: Settings) -> dict[str, Any]:
        """What makes this backend's notes differ (model, context...), for the note cache.
        Read from ``settings`` alone: a cache hit builds no backend."""
        ...

    def model_settings(self, model: str) -> dict[str, Any]:
        """The dotted settings a ``--model`` value stands for; ``{}`` when the backend has
        no model to choose (``--model`` is then refused)."""
        ...


