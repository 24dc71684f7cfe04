"""Health checks for `tilgen doctor`: structured results, rendered by the CLI."""

from __future__ import annotations

import importlib
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tilgen.config.settings import Settings
from tilgen.errors import TilgenError

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
# CPU features that decide llama.cpp's speed on x86 (as printed by llama_print_system_info).
CPU_FLAGS = ("AVX", "AVX2", "AVX512", "FMA", "F16C", "NEON", "ARM_FMA", "METAL", "CUDA", "BLAS")


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    data: dict[str, Any] = field(default_factory=dict)
    target: str = ""  # what was checked: "embedded", a server URL, "hook"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def run_checks(settings: Settings, *, repo_root: Path | None = None,
               backends: list[str] | None = None) -> list[Check]:
    """The checks for ``backends`` (default: the configured backend and its fallback)."""
    wanted = backends or [b for b in (settings.backend, settings.fallback_backend) if b]
    checks: list[Check] = []
    for name in dict.fromkeys(wanted):
        checks += BACKEND_CHECKS.get(name, check_plugin)(settings, name)
    if repo_root is not None:
        checks += check_hooks(repo_root)
    return checks


# -- remote ------------------------------------------------------------------------------
def check_remote(settings: Settings, name: str = "remote") -> list[Check]:
    """Key presence, then per server: reachability, models, context, tokenizer, JSON mode."""
    from tilgen.backends.remote import state as remote_state
    from tilgen.config.layers import resolve_api_key
    from tilgen.secrets.mask import mask_url, mask_urls_in

    remote = settings.remote
    key, source = resolve_api_key(settings)
    checks = [Check("api key", OK, f"set ({source})", {"source": source}) if key else Check(
        "api key", WARN, f"not set; servers started with --api-key answer 401 — set the "
        f"environment variable {remote.api_key_env}", {"source": None})]
    checks[0].target = name
    dead = remote_state.dead_replicas([raw.rstrip("/") for raw in remote.base_urls])
    for raw in remote.base_urls:
        url = raw.rstrip("/")
        server = _check_server(settings, url, key)
        if url in dead:
            until = time.strftime("%H:%M:%S", time.localtime(dead[url]))
            server.append(Check("replica", WARN, f"recently unreachable: skipped until {until}"))
        for check in server:
            check.target = mask_url(url)
            check.detail = mask_urls_in(check.detail)  # a password in a URL is never shown
        checks += server
    return checks


def _check_server(settings: Settings, url: str, key: str | None) -> list[Check]:
    from tilgen.backends.remote.backend import RemoteBackend

    # One quick attempt per server: doctor reports, it does not wait out outages.
    backend = RemoteBackend(settings.remote.model_copy(update={"base_urls": [url], "retries": 0}),
                            api_key=key)
    model = settings.remote.model
    backend.client(url)  # importing the SDK is not the server's latency
    start = time.perf_counter()
    try:
        served = [str(m["id"]) for m in backend.served_models(url)]
    except TilgenError as exc:
        return [Check("reachable", FAIL, exc.message)]
    ms = (time.perf_counter() - start) * 1000
    checks = [Check("reachable", OK, f"answered /v1/models in {ms:.0f} ms",
                    {"latency_ms": round(ms, 1)})]
    if model in served:
        checks.append(Check("model", OK, f"{model} is served", {"served": served}))
    elif len(served) == 1:
        checks.append(Check("model", WARN, f"{model} is not listed (served: {served[0]}); "
                            "single-model servers such as llama.cpp answer any name, vLLM does "
                            f"not: tilgen config set remote.model {served[0]}", {"served": served}))
    else:
        checks.append(Check("model", FAIL, f"{model} is not served; served: "
                            f"{', '.join(served) or 'nothing'}", {"served": served}))
    checks.append(_guarded("context", lambda: _context(backend)))
    checks.append(_guarded("tokenizer", lambda: _tokenizer(backend)))
    checks.append(_guarded("structured output", lambda: _structured(backend, url)))
    return checks


def _guarded(name: str, probe: Any) -> Check:
    try:
        status, detail, data = probe()
    except TilgenError as exc:
        return Check(name, FAIL, exc.message)
    return Check(name, status, detail, data)


def _context(backend: Any) -> tuple[str, str, dict[str, Any]]:
    n = backend.context_length()
    source = backend.context_source
    status = OK if not source.startswith("default") else WARN
    return status, f"{n} tokens ({source})", {"context_length": n, "source": source}


def _tokenizer(backend: Any) -> tuple[str, str, dict[str, Any]]:
    kind = backend.tokenizer
    if kind == "estimate":
        return WARN, "no tokenize endpoint: prompt sizes are estimated", {"tokenizer": kind}
    return OK, f"{kind} tokenize endpoint", {"tokenizer": kind}


def _structured(backend: Any, url: str) -> tuple[str, str, dict[str, Any]]:
    start = time.perf_counter()
    mode, answer = backend.probe_structured_output(url)
    seconds = time.perf_counter() - start
    data = {"mode": mode, "answer": answer[:80], "seconds": round(seconds, 2)}
    if mode is None:
        return FAIL, f"no request mode gave valid JSON (last answer: {answer[:60]!r})", data
    if mode in ("json_schema", "json_object_schema"):
        return OK, f"{mode}: answers follow the schema ({seconds:.1f} s)", data
    return WARN, (f"{mode}: JSON is not held to the schema; notes are still validated "
                  f"({seconds:.1f} s)"), data


# -- embedded ----------------------------------------------------------------------------
def check_embedded(settings: Settings, name: str = "embedded") -> list[Check]:
    """Model file present, llama-cpp-python importable, and its CPU build flags."""
    from tilgen import paths
    from tilgen.backends.modelstore import resolve

    es = settings.embedded
    checks: list[Check] = []
    others = sorted(p.name for p in paths.models_dir().glob("*.gguf"))
    try:
        path, spec = resolve(es.model_path or es.model)
    except TilgenError as exc:
        checks.append(Check("model file", FAIL, exc.message))
    else:
        if path.is_file():
            checks.append(Check("model file", OK, f"{path} ({path.stat().st_size / 1e9:.2f} GB)",
                                {"path": str(path), "cached": others}))
        elif spec is not None:
            checks.append(Check("model file", WARN, f"{spec.name} is not downloaded yet: "
                                "tilgen model pull (or it downloads on first use)",
                                {"path": str(path), "cached": others}))
        else:
            checks.append(Check("model file", FAIL, f"{path} does not exist; fix "
                                "embedded.model_path", {"path": str(path), "cached": others}))
    checks.append(_check_llama_cpp())
    from tilgen.backends.embedded import thread_counts

    cores = os.cpu_count() or 2
    gen_threads, prompt_threads = thread_counts(es.n_threads)
    checks.append(Check("cpu threads", OK, f"{prompt_threads} for the prompt, {gen_threads} for "
                        f"generating (of {cores} cores)",
                        {"threads": gen_threads, "threads_batch": prompt_threads}))
    for check in checks:
        check.target = name
    return checks


def check_plugin(settings: Settings, name: str) -> list[Check]:
    """A backend without checks of its own: that it is installed and loads."""
    from tilgen.backends import backend_class

    try:
        backend_class(name)
    except TilgenError as exc:
        check = Check("backend", FAIL, exc.message)
    else:
        check = Check("backend", OK, "installed and loads; it has no checks of its own")
    check.target = name
    return [check]


BACKEND_CHECKS = {"embedded": check_embedded, "remote": check_remote}


def _check_llama_cpp() -> Check:
    try:
        llama_cpp = importlib.import_module("llama_cpp")
    except ImportError:
        return Check("llama-cpp-python", FAIL, "not installed: pip install 'tilgen[embedded]' "
                     "(or use the remote backend)")
    version = getattr(llama_cpp, "__version__", "?")
    try:
        info = llama_cpp.llama_print_system_info()
        info = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    except Exception:  # noqa: BLE001 - informational only
        info = ""
    flags = [name for name in CPU_FLAGS if f"{name} = 1" in info]
    data = {"version": version, "flags": flags, "system_info": info.strip()}
    if info and "AVX = 1" in info and "AVX2" not in flags:
        return Check("llama-cpp-python", WARN, f"{version}; built without AVX2: generation is "
                     "slow — reinstall it on this machine (pip install --force-reinstall "
                     "--no-cache-dir llama-cpp-python)", data)
    return Check("llama-cpp-python", OK, f"{version} ({' '.join(flags) or 'no SIMD flags'})", data)


# -- hooks -------------------------------------------------------------------------------
def check_hooks(repo_root: Path) -> list[Check]:
    """The git hook of ``repo_root``, when the hooks module is installed."""
    try:
        from tilgen.hook.status import status
    except ImportError:
        return []
    try:
        st = status(repo_root)
    except TilgenError as exc:
        return [Check("git hook", SKIP, exc.message, target="hook")]
    if not getattr(st, "installed", False):
        return [Check("git hook", WARN, "not installed: tilgen hook install", target="hook")]
    interpreter = getattr(st, "interpreter", None)
    data = {"hook": str(st.hook_path)}
    if interpreter and not getattr(st, "interpreter_ok", True):
        return [Check("git hook", FAIL, f"installed, but its Python {interpreter} is gone: "
                      "run tilgen hook install again", data, target="hook")]
    return [Check("git hook", OK, f"installed at {st.hook_path}", data, target="hook")]
