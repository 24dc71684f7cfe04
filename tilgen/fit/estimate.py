"""A backend's context and token count as far as settings alone tell them, for
``--show-prompt``: it never loads a model or calls a server, so it counts with tilgen's
estimate rather than the model's own tokenizer, and says so."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tilgen.fit.budget import estimate_tokens

if TYPE_CHECKING:
    from tilgen.note.prompt import Prompt


class Estimate:
    def __init__(self, settings: Any) -> None:
        self.name = settings.backend
        remote = settings.remote.context_length if settings.backend == "remote" else None
        self._context = int(remote or settings.embedded.n_ctx)
        self.source = ("remote.context_length" if remote else "embedded.n_ctx"
                       if settings.backend == "embedded" else "assumed from embedded.n_ctx")

    def context_length(self) -> int:
        return self._context

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def describe(self) -> str:
        return (f"the {self.name} backend's {self._context}-token context ({self.source}), "
                "counted with tilgen's token estimate, not the model's tokenizer "
                "(no model is loaded)")


@dataclass
class Preview:
    """What ``--show-prompt`` prints, and how it was fitted."""

    prompt: Prompt
    redactions: int
    counter: Estimate
    left_out: int

    def describe(self) -> str:
        left = f"; {self.left_out} part(s) left out to fit" if self.left_out else ""
        return f"fitted to {self.counter.describe()}{left}"
