"""The embedded backend: a local GGUF model through llama-cpp-python (imported lazily)."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any

from tilgen.backends.base import GenerationRequest, GenerationResult, TokenCallback
from tilgen.errors import ModelError

# Overhead of the chat template around the system and user messages, in tokens.
CHAT_TEMPLATE_OVERHEAD = 32


class EmbeddedBackend:
    """Runs a GGUF model in-process. The model loads on first use, once per process."""

    name = "embedded"

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        n_batch: int = 512,
        n_gpu_layers: int = 0,
        lora_path: str | None = None,
        model_name: str | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        self.model_name = model_name or self.model_path.name
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 2
        self.n_batch = n_batch
        self.n_gpu_layers = n_gpu_layers
        self.lora_path = lora_path
        self._llm: Any = None
        self.load_seconds = 0.0

    # -- loading -----------------------------------------------------------------------
    def load(self) -> Any:
        if self._llm is not None:
            return self._llm
        check_gguf(self.model_path)
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError(
                "llama-cpp-python is not installed: pip install 'tilgen[embedded]' "
                "(or use the remote backend: tilgen config set backend remote)"
            ) from exc
        start = time.perf_counter()
        try:
            with _quiet_stderr():
                self._llm = Llama(
                    model_path=str(self.model_path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads,
                    n_batch=self.n_batch,
                    n_gpu_layers=self.n_gpu_layers,
                    lora_path=self.lora_path,
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(
                f"cannot load model {self.model_path}: {exc}; delete it and run "
                "'tilgen model pull' to fetch a fresh copy"
            ) from exc
        self.load_seconds = time.perf_counter() - start
        return self._llm

    # -- capabilities ------------------------------------------------------------------
    def context_length(self) -> int:
        return self.n_ctx

    def count_tokens(self, text: str) -> int:
        llm = self.load()
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def count_messages(self, messages: list[dict[str, str]]) -> int:
        return sum(self.count_tokens(m["content"]) for m in messages) + CHAT_TEMPLATE_OVERHEAD

    # -- generation --------------------------------------------------------------------
    def generate(
        self, request: GenerationRequest, on_token: TokenCallback | None = None
    ) -> GenerationResult:
        llm = self.load()
        load_seconds, self.load_seconds = self.load_seconds, 0.0
        kwargs: dict[str, Any] = {}
        if request.json_schema is not None:
            from llama_cpp import LlamaGrammar

            with _quiet_stderr():
                kwargs["grammar"] = LlamaGrammar.from_json_schema(
                    json.dumps(request.json_schema), verbose=False
                )
        if request.seed is not None:
            llm.set_seed(request.seed)
        start = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        finish: str | None = None
        stream = llm.create_chat_completion(
            messages=request.messages,
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            repeat_penalty=request.repeat_penalty,
            stream=True,
            **kwargs,
        )
        for chunk in stream:
            choice = chunk["choices"][0]
            piece = choice.get("delta", {}).get("content") or ""
            if piece:
                if first is None:
                    first = time.perf_counter() - start
                parts.append(piece)
                if on_token:
                    on_token(piece)
            if choice.get("finish_reason"):
                finish = choice["finish_reason"]
        total = time.perf_counter() - start
        text = "".join(parts)
        prompt_tokens = _last_prompt_tokens(llm)
        return GenerationResult(
            text=text,
            finish_reason=finish,
            backend=self.name,
            model=self.model_name,
            prompt_tokens=prompt_tokens,
            completion_tokens=len(llm.tokenize(text.encode("utf-8"), add_bos=False)) if text else 0,
            load_seconds=load_seconds,
            first_token_seconds=first,
            total_seconds=total,
        )


def _last_prompt_tokens(llm: Any) -> int | None:
    try:
        return int(llm.n_tokens) - 0
    except Exception:  # noqa: BLE001 - informational only
        return None


def check_gguf(path: Path) -> None:
    """Fail early, with the fix, on a missing or obviously corrupt model file."""
    if not path.exists():
        raise ModelError(f"model file not found: {path}; run 'tilgen model pull' or set embedded.model_path")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelError(f"cannot read model file {path}: {exc.strerror}") from exc
    if magic != b"GGUF":
        raise ModelError(
            f"{path} is not a GGUF model (corrupt or incomplete download); delete it and run "
            "'tilgen model pull'"
        )


@contextlib.contextmanager
def _quiet_stderr():  # type: ignore[no-untyped-def]
    """llama.cpp prints to fd 2 directly; silence it unless TILGEN_LLAMA_VERBOSE is set."""
    if os.environ.get("TILGEN_LLAMA_VERBOSE"):
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
