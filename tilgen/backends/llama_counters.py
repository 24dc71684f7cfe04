"""What llama.cpp counts for one generation: the prompt tokens the KV cache reused, and its
own prompt and decode timings (llama-cpp-python is imported only where they are read)."""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def tracking_llama(llama_class: type) -> type:
    """``Llama`` that records each prompt's length and how much of it the KV cache reused."""

    class TrackingLlama(llama_class):  # type: ignore[misc]
        prompt_tokens: int | None = None
        reused_tokens: int | None = None

        def generate(self, tokens: Any, *args: Any, **kwargs: Any) -> Any:
            tokens = list(tokens)
            held = self._input_ids.tolist()
            same = 0
            for a, b in zip(held, tokens, strict=False):
                if a != b:
                    break
                same += 1
            # llama.cpp evaluates the last prompt token again when the whole prompt is cached.
            self.prompt_tokens, self.reused_tokens = len(tokens), min(same, max(len(tokens) - 1, 0))
            return super().generate(tokens, *args, **kwargs)

    return TrackingLlama


class Perf:
    """llama.cpp's own prompt and decode timings for one generation (empty when unavailable)."""

    def __init__(self, llm: Any) -> None:
        self.ctx = getattr(llm, "ctx", None)
        try:
            import llama_cpp

            self._lib: Any = llama_cpp
            self._lib.llama_perf_context_reset(self.ctx)
        except Exception:  # noqa: BLE001 - timings are informational only
            self._lib = None

    def read(self) -> dict[str, Any]:
        if self._lib is None:
            return {}
        try:
            data = self._lib.llama_perf_context(self.ctx)
        except Exception:  # noqa: BLE001
            return {}
        # llama.cpp reports counts of at least 1; a zero time means nothing was evaluated.
        return {
            "prompt_eval_tokens": int(data.n_p_eval) if data.t_p_eval_ms > 0 else 0,
            "prompt_eval_ms": float(data.t_p_eval_ms),
            "eval_tokens": int(data.n_eval) if data.t_eval_ms > 0 else 0,
            "eval_ms": float(data.t_eval_ms),
        }
