"""The embedded backend: a local GGUF model through llama-cpp-python (imported lazily)."""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tilgen.backends.base import (
    Chunk,
    GenerationRequest,
    ProgressCallback,
    StatusCallback,
)
from tilgen.backends.llama_counters import Perf, tracking_llama
from tilgen.config.settings import Settings
from tilgen.errors import ModelError

_LOADED: dict[tuple[Any, ...], Any] = {}
_GENERATING = threading.RLock()
# Every model this process loaded, closed at exit: llama-cpp-python's own finalizer runs too
# late there (its library is already torn down) and prints a traceback.
_OPEN: weakref.WeakSet[Any] = weakref.WeakSet()


@atexit.register
def _close_models() -> None:
    for llm in list(_OPEN):
        with contextlib.suppress(Exception):
            llm.close()


def thread_counts(n_threads: int | None) -> tuple[int, int]:
    """(generation threads, prompt threads) for the ``embedded.n_threads`` setting.

    Reading the prompt is compute-bound and uses every core; generating is bound by memory
    bandwidth, and with waiting threads that sleep (OMP_WAIT_POLICY=PASSIVE, see below) half
    the cores generate faster than all of them (2 cores: 22.6 tok/s with one thread, 17.5
    with two; docs/PERFORMANCE.md). An explicit setting is used for both.
    """
    cores = os.cpu_count() or 2
    return n_threads or max(1, cores // 2), n_threads or cores


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
        self.n_threads, self.n_threads_batch = thread_counts(n_threads)
        self.n_batch = n_batch
        self.n_gpu_layers = n_gpu_layers
        self.lora_path = lora_path
        self._llm: Any = None
        self.load_seconds = 0.0

    @classmethod
    def from_settings(cls, settings: Settings, *, on_status: StatusCallback | None = None,
                      progress: ProgressCallback | None = None) -> EmbeddedBackend:
        """The model ``embedded`` names, downloaded first (once) when it is not cached."""
        from tilgen.backends.modelstore import is_cached, pull, resolve

        es = settings.embedded
        path, spec = resolve(es.model_path or es.model)
        if spec is not None and not is_cached(spec):
            if on_status:
                on_status(f"downloading model {spec.name} ({spec.size / 1e9:.2f} GB), once")
            path = pull(spec, progress=progress)
        return cls(path, n_ctx=es.n_ctx, n_threads=es.n_threads, n_batch=es.n_batch,
                   n_gpu_layers=es.n_gpu_layers, lora_path=es.lora_path,
                   model_name=spec.name if spec else path.name)

    @classmethod
    def cache_identity(cls, settings: Settings) -> dict[str, Any]:
        es = settings.embedded
        return {"model": es.model_path or es.model, "n_ctx": es.n_ctx, "lora": es.lora_path}

    @classmethod
    def model_settings(cls, model: str) -> dict[str, Any]:
        """A GGUF file or a path is ``embedded.model_path``; a name, ``embedded.model``."""
        if model.endswith(".gguf") or "/" in model:
            return {"embedded.model_path": model}
        return {"embedded.model": model}

    # -- loading -----------------------------------------------------------------------
    def _key(self) -> tuple[Any, ...]:
        st = self.model_path.stat()
        return (str(self.model_path.resolve()), st.st_size, st.st_mtime_ns, self.n_ctx,
                self.n_threads, self.n_threads_batch, self.n_batch, self.n_gpu_layers,
                self.lora_path)

    def load(self, *, fresh: bool = False) -> Any:
        """The loaded model. A process keeps its last model loaded, so apps calling the
        Python API once per note pay the load once; ``fresh`` loads anew (to time it)."""
        if self._llm is not None and not fresh:
            return self._llm
        check_gguf(self.model_path)
        key = self._key()
        if not fresh and key in _LOADED:
            self._llm = _LOADED[key]
            return self._llm
        _LOADED.clear()  # one model per process: a second would double the memory
        try:
            Llama = import_llama_cpp().Llama  # noqa: N806 - the library's class
        except ImportError as exc:
            raise ModelError(
                "llama-cpp-python is not installed: pip install 'tilgen[embedded]' "
                "(or use the remote backend: tilgen config set backend remote)"
            ) from exc
        start = time.perf_counter()
        try:
            with _quiet_stderr():
                self._llm = tracking_llama(Llama)(
                    model_path=str(self.model_path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_threads_batch=self.n_threads_batch,
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
        _LOADED[key] = self._llm
        _OPEN.add(self._llm)
        return self._llm

    def reset(self) -> None:
        """Forget the evaluated prompt, so the next generation cannot reuse its prefix."""
        if self._llm is not None:
            self._llm.reset()

    # -- capabilities ------------------------------------------------------------------
    def context_length(self) -> int:
        return self.n_ctx

    def count_tokens(self, text: str) -> int:
        llm = self.load()
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    # -- generation --------------------------------------------------------------------
    def prepare(self) -> float:
        self.load()
        seconds, self.load_seconds = self.load_seconds, 0.0
        return seconds

    def stream(self, request: GenerationRequest) -> Iterator[str | Chunk]:
        with _GENERATING:  # a shared llama.cpp context serves one generation at a time
            llm = self.load()
            kwargs: dict[str, Any] = {}
            if request.json_schema is not None:
                kwargs["grammar"] = _grammar(json.dumps(request.json_schema))
            if request.seed is not None:
                llm.set_seed(request.seed)
            perf = Perf(llm)
            finish: str | None = None
            for chunk in llm.create_chat_completion(
                messages=request.messages,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                top_p=request.top_p,
                top_k=request.top_k,
                min_p=request.min_p,
                repeat_penalty=request.repeat_penalty,
                stream=True,
                **kwargs,
            ):
                choice = chunk["choices"][0]
                piece = choice.get("delta", {}).get("content") or ""
                if piece:
                    yield piece
                finish = choice.get("finish_reason") or finish
            yield Chunk(finish_reason=finish, prompt_tokens=getattr(llm, "prompt_tokens", None),
                        cached_prompt_tokens=getattr(llm, "reused_tokens", None),
                        extra=perf.read())


def import_llama_cpp() -> Any:
    """``llama_cpp``, imported with tilgen's OpenMP default (it must be set before loading)."""
    # llama.cpp's OpenMP worker threads spin while they wait for each other. When other
    # programs share the CPU the spinning threads take the cores the working ones need, and
    # generation becomes several times slower (see docs/PERFORMANCE.md); sleeping waiters
    # avoid that. An OMP_WAIT_POLICY set by the user wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import llama_cpp

    return llama_cpp


@functools.lru_cache(maxsize=16)
def _grammar(schema_json: str) -> Any:
    """The compiled grammar of a JSON schema; built once per schema, not once per call."""
    from llama_cpp.llama_grammar import LlamaGrammar

    with _quiet_stderr():
        return LlamaGrammar.from_json_schema(schema_json, verbose=False)


def check_gguf(path: Path) -> None:
    """Fail early, with the fix, on a missing or obviously corrupt model file."""
    if not path.exists():
        raise ModelError(f"model file not found: {path}; run 'tilgen model pull' or set "
                         "embedded.model_path")
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
