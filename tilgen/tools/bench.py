"""``tilgen bench``: how fast and how big a backend is on a fixed note workload.

The workload is the built-in corpus case ``go-context-timeout`` (or every case of a corpus
directory), prepared exactly as a note is: redaction, the real prompt and the points schema.
Each run starts from an empty KV cache (the embedded model is reset; remote runs get a
unique first line so a server's prefix cache cannot serve them), so the prompt speed is the
real one. Prefix reuse, which a second note of the day does get, is measured separately.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tilgen.backends.base import GenerationRequest, GenerationResult
from tilgen.backends.run import generate
from tilgen.config.settings import Settings
from tilgen.errors import TilgenError
from tilgen.tools import bench_probes as probes

BENCH_DATE = dt.date(2025, 1, 15)  # fixed: the prompt is byte-identical from day to day
BUILTIN_CASE = "go-context-timeout"
PREFIX_CASE = "py-retry-backoff"  # another patch: shares only the static system prompt
TEMPLATE_OVERHEAD = 32  # chat-template tokens around the messages, when the server cannot say
METRICS = ("ttft_s", "prompt_ms_per_token", "prompt_tps", "gen_tps", "total_s",
           "prompt_tokens", "completion_tokens")


@dataclass
class Job:
    id: str
    messages: list[dict[str, str]]
    schema: dict[str, Any]


def cases_of(corpus: Path | None) -> tuple[Path, list[dict[str, Any]]]:
    """The corpus folder and its cases (checked before any model loads)."""
    from tilgen.tools.evaluate import builtin_corpus, load_cases

    if corpus is None:
        return builtin_corpus(), [{"id": BUILTIN_CASE, "repo": "example/store"}]
    return corpus, load_cases(corpus)


def workload(settings: Settings, backend: Any, corpus: Path | None) -> list[Job]:
    """The jobs: prepared and fitted to the backend's context, as the note commands do."""
    folder, cases = cases_of(corpus)
    return [_job(folder, case, settings, backend) for case in cases]


def _job(folder: Path, case: dict[str, Any], settings: Settings, backend: Any) -> Job:
    from tilgen.git.collect import collect_patch
    from tilgen.note.schema import points_schema
    from tilgen.pipeline import fit_prompt, prepare

    fixed = settings.model_copy(update={"language": "ko", "note_format": "points"})
    cs = collect_patch((folder / f"{case['id']}.diff").read_bytes(), name=case["id"],
                       repo_name=str(case.get("repo", case["id"])).split("/")[-1])
    cs.date = BENCH_DATE
    cs, languages, _ = prepare(cs, fixed)
    _, prompt = fit_prompt(cs, backend, fixed, languages)
    return Job(case["id"], prompt.messages(), points_schema(len(prompt.hunks), "ko", 5,
                                                          prompt.focus))


def request_for(job: Job, settings: Settings, max_tokens: int,
                nonce: str | None = None) -> GenerationRequest:
    """The request a note would send; ``nonce`` makes the prompt's first line unique."""
    messages = [dict(m) for m in job.messages]
    if nonce:
        messages[0]["content"] = f"[{nonce}]\n" + messages[0]["content"]
    gen = settings.generation
    return GenerationRequest(messages=messages, json_schema=job.schema, max_tokens=max_tokens,
                             temperature=gen.temperature, top_p=gen.top_p, top_k=gen.top_k,
                             min_p=gen.min_p,
                             repeat_penalty=gen.repeat_penalty, seed=gen.seed)


def measure(result: GenerationResult, latency: float, backend: Any,
            request: GenerationRequest) -> dict[str, Any]:
    """One run's figures. Prompt speed counts only the tokens actually evaluated."""
    estimated = result.prompt_tokens is None
    prompt = (sum(backend.count_tokens(m["content"]) for m in request.messages)
              + TEMPLATE_OVERHEAD if result.prompt_tokens is None else result.prompt_tokens)
    evaluated = (result.extra.get("prompt_eval_tokens")
                 or max(1, prompt - (result.cached_prompt_tokens or 0)))
    ttft = result.first_token_seconds
    ms = result.extra.get("prompt_eval_ms") or (ttft * 1000 if ttft else None)
    per_token = ms / evaluated if ms and evaluated else None
    completion = result.completion_tokens or 0
    span = result.total_seconds - (ttft or 0.0)
    return {
        "ttft_s": ttft, "prompt_tokens": prompt, "prompt_tokens_estimated": estimated,
        "cached_prompt_tokens": result.cached_prompt_tokens,
        "prompt_ms_per_token": per_token, "prompt_tps": 1000 / per_token if per_token else None,
        # The first token's time belongs to the prompt: count the tokens after it.
        "gen_tps": (completion - 1) / span if completion > 1 and span > 0 else None,
        "total_s": latency, "completion_tokens": completion,
        "finish_reason": result.finish_reason,
    }


def spread(values: list[Any]) -> dict[str, Any]:
    vals = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not vals:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def run_bench(settings: Settings, *, runs: int, max_tokens: int | None, corpus: Path | None,
              warmup: bool = True,
              on_status: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Benchmark ``settings.backend`` with its configured model; one result per backend+model."""
    from tilgen.backends import make_backend

    if runs < 1:
        raise TilgenError("--runs must be at least 1", exit_code=2)
    cases_of(corpus)
    status = on_status or (lambda _m: None)
    budget = max_tokens or settings.generation.max_tokens
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    rss_before = probes.rss_mb()
    backend = make_backend(settings.backend, settings, on_status=status)
    load_s = None
    if hasattr(backend, "load"):  # embedded: time the model load on its own
        status(f"loading {backend.model_name}")
        start = time.perf_counter()
        backend.load(fresh=True)
        load_s = time.perf_counter() - start
    rss_loaded = probes.rss_mb()
    jobs = workload(settings, backend, corpus)
    can_reset = callable(getattr(backend, "reset", None))
    roots = _metric_roots(settings) if settings.backend == "remote" else None
    samples: list[dict[str, Any]] = []
    with probes.GpuSampler(metrics_roots=roots) as gpu:
        if warmup:  # page the weights in, open connections, settle the output mode
            status("warm-up (not counted)")
            tiny = Job("warm-up", [{"role": "user", "content": "Answer in JSON."}], jobs[0].schema)
            _generate(backend, request_for(tiny, settings, 2, _nonce(can_reset)), can_reset)
        for run in range(runs):
            for job in jobs:
                status(f"run {run + 1}/{runs}: {job.id}")
                request = request_for(job, settings, budget, _nonce(can_reset))
                result, latency = _generate(backend, request, can_reset)
                samples.append({"case": job.id, **measure(result, latency, backend, request)})
        reuse = prefix_reuse(backend, settings, jobs, samples, can_reset)
    figures = {
        "backend": backend.name, "model": backend.model_name, "runs": runs,
        "max_tokens": budget, "cases": [j.id for j in jobs],
        "load_s": load_s,
        "metrics": {name: spread([s[name] for s in samples]) for name in METRICS},
        "memory": {"peak_rss_mb": probes.peak_rss_mb(), "rss_before_mb": rss_before,
                   "rss_loaded_mb": rss_loaded, "rss_after_mb": probes.rss_mb()},
        "gpu": gpu.summary(),
        "prefix_reuse": reuse,
        "load_average": {"start": load_before,
                         "end": os.getloadavg()[0] if hasattr(os, "getloadavg") else None},
        "samples": samples,
    }
    del backend
    gc.collect()  # free the model before the next one loads
    return figures


def _nonce(can_reset: bool) -> str | None:
    return None if can_reset else f"bench {uuid.uuid4().hex[:12]}"


def _generate(backend: Any, request: GenerationRequest,
              reset: bool) -> tuple[GenerationResult, float]:
    if reset:
        backend.reset()
    start = time.perf_counter()
    result = generate(backend, request)
    return result, time.perf_counter() - start


def prefix_reuse(backend: Any, settings: Settings, jobs: list[Job], samples: list[dict[str, Any]],
                 can_reset: bool) -> dict[str, Any]:
    """A second, different note right after the first: how much of its prompt is reused."""
    from tilgen.tools.evaluate import builtin_corpus

    first = jobs[-1]  # an embedded model still holds the last measured run
    other = jobs[0] if len(jobs) > 1 else _job(builtin_corpus(), {"id": PREFIX_CASE,
                                                                  "repo": "example/client"},
                                               settings, backend)
    if not can_reset:  # measured runs were made unique: send the plain prompt once
        _generate(backend, request_for(first, settings, 1, None), False)
    request = request_for(other, settings, 1, None)
    result, _ = _generate(backend, request, False)
    figures = measure(result, 0.0, backend, request)
    per_token = spread([s["prompt_ms_per_token"] for s in samples])["median"]
    cold = figures["prompt_tokens"] * per_token / 1000 if per_token else None
    return {"after": first.id, "case": other.id, "prompt_tokens": figures["prompt_tokens"],
            "reused_tokens": result.cached_prompt_tokens, "ttft_s": figures["ttft_s"],
            "cold_ttft_estimate_s": cold}


def _metric_roots(settings: Settings) -> list[str]:
    from tilgen.backends.remote.probe import root_url

    return [root_url(url) for url in settings.remote.base_urls]


def _cell(stat: dict[str, Any] | None, digits: int) -> str:
    if not stat or stat.get("median") is None:
        return "n/a"
    med, lo, hi = (round(stat[k], digits) for k in ("median", "min", "max"))
    return f"{med}" if stat["n"] < 2 else f"{med} ({lo}–{hi})"


COLUMNS = [("ttft_s", "TTFT s", 2), ("prompt_ms_per_token", "prompt ms/tok", 2),
           ("prompt_tps", "prompt tok/s", 1), ("gen_tps", "gen tok/s", 1),
           ("total_s", "total s", 2)]


def markdown_table(results: list[dict[str, Any]]) -> str:
    """One row per backend+model: median (min–max) over the runs."""
    head = ("| model | backend | runs | load s | " + " | ".join(c[1] for c in COLUMNS)
            + " | peak RSS MB | GPU | prefix reuse |")
    sep = "|" + "---|" * (len(COLUMNS) + 7)
    rows = []
    for r in results:
        cells = [_cell(r["metrics"].get(key), digits) for key, _, digits in COLUMNS]
        load = "n/a" if r.get("load_s") is None else f"{r['load_s']:.2f}"
        gpu = r.get("gpu") or {}
        gpu_cell = ("n/a" if not gpu else f"{gpu['peak_used_mb']} MB" if gpu.get("peak_used_mb")
                    is not None else f"KV {gpu['peak_server_kv_cache_pct']}%")
        reuse = r.get("prefix_reuse") or {}
        reuse_cell = ("n/a" if reuse.get("reused_tokens") is None
                      else f"{reuse['reused_tokens']}/{reuse['prompt_tokens']} tok")
        rows.append(f"| {r['model']} | {r['backend']} | {r['runs']} | {load} | "
                    + " | ".join(cells)
                    + f" | {r['memory']['peak_rss_mb']} | {gpu_cell} | {reuse_cell} |")
    return "\n".join([head, sep, *rows])


def report(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON document: the machine, then one entry per backend+model."""
    from tilgen.tools.evaluate import machine

    return {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
            "llama_cpp": probes.llama_cpp_info(), "results": results}
