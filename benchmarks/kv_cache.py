"""KV-cache settings for the embedded model: flash attention, a q8_0 cache, a smaller context.

Each variant loads the model in a fresh process (so resident memory is its own) with
llama-cpp-python directly, and answers the real note prompt of the built-in case under the
note's JSON-schema grammar, from an empty cache, ``--runs`` times. Prompt speed comes from
llama.cpp's own counters; generation speed counts tokens after the first. tilgen's default
is the first row (f16 cache, no flash attention, 8192-token context).

    python benchmarks/kv_cache.py
    python benchmarks/kv_cache.py --model qwen2.5-coder-1.5b --runs 3 --max-tokens 64
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

GGML_TYPE_Q8_0 = 8
VARIANTS: dict[str, dict[str, Any]] = {
    "f16 cache, 8192 ctx (default)": {},
    "flash attention": {"flash_attn": True},
    "flash attention + q8_0 K/V": {"flash_attn": True, "type_k": GGML_TYPE_Q8_0,
                                   "type_v": GGML_TYPE_Q8_0},
    "f16 cache, 4096 ctx": {"n_ctx": 4096},
}


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one_variant(model: str, extra: dict[str, Any], runs: int, max_tokens: int) -> dict[str, Any]:
    """Runs in the child process: load with ``extra`` and time ``runs`` cold answers."""
    from tilgen.backends import make_backend
    from tilgen.config.settings import Settings
    from tilgen.tools.bench import request_for, workload

    settings = Settings()
    setattr(settings.embedded, "model_path" if model.endswith(".gguf") else "model", model)
    backend = make_backend("embedded", settings)
    (job,) = workload(settings, backend, None)  # tokenizes with a loaded tilgen model...
    path, threads, batch = backend.model_path, backend.n_threads, backend.n_batch
    threads_batch = backend.n_threads_batch
    from tilgen.backends import embedded
    from tilgen.backends.llama_counters import Perf

    embedded._LOADED.clear()  # ...which is dropped again: only the variant's model is held
    backend._llm = None
    import gc

    gc.collect()
    from llama_cpp import Llama, LlamaGrammar

    before = rss_mb()
    start = time.perf_counter()
    kwargs = {"n_ctx": backend.n_ctx, **extra}
    llm = Llama(model_path=str(path), n_threads=threads, n_threads_batch=threads_batch,
                n_batch=batch, verbose=False, **kwargs)
    load_s = time.perf_counter() - start
    loaded = rss_mb()
    request = request_for(job, settings, max_tokens)
    grammar = LlamaGrammar.from_json_schema(json.dumps(job.schema), verbose=False)
    rows = []
    for _ in range(runs):
        llm.reset()
        llm.set_seed(request.seed)
        perf = Perf(llm)  # llama.cpp's own prompt counters, reset here
        start = time.perf_counter()
        first, pieces = None, []
        for chunk in llm.create_chat_completion(
                messages=request.messages, max_tokens=request.max_tokens,
                temperature=request.temperature, top_p=request.top_p,
                repeat_penalty=request.repeat_penalty, grammar=grammar, stream=True):
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                first = first if first is not None else time.perf_counter() - start
                pieces.append(piece)
        total = time.perf_counter() - start
        tokens = len(llm.tokenize("".join(pieces).encode(), add_bos=False))
        counts = perf.read()
        prompt_tps = (1000 * counts["prompt_eval_tokens"] / counts["prompt_eval_ms"]
                      if counts.get("prompt_eval_ms") else None)
        rows.append({"ttft_s": first or 0.0, "total_s": total, "tokens": tokens,
                     "prompt_tps": prompt_tps,
                     "gen_tps": (tokens - 1) / (total - first) if first and tokens > 1 else 0.0})
    return {"load_s": load_s, "rss_loaded_mb": loaded - before, "rss_after_mb": rss_mb(),
            "runs": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_variant(args.model, json.loads(args.child), args.runs,
                                     args.max_tokens)))
        return 0

    results = []
    for name, extra in VARIANTS.items():
        proc = subprocess.run([sys.executable, __file__, "--model", args.model, "--runs",
                               str(args.runs), "--max-tokens", str(args.max_tokens),
                               "--child", json.dumps(extra)],
                              capture_output=True, text=True, env=os.environ)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-2000:])
            results.append({"variant": name, "error": proc.returncode})
            continue
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        runs = data.pop("runs")
        med = {k: statistics.median(r[k] or 0.0 for r in runs)
               for k in ("prompt_tps", "gen_tps", "ttft_s", "total_s")}
        results.append({"variant": name, "settings": extra, **data, **med})
    if args.json:
        print(json.dumps({"benchmark": "kv_cache", "model": args.model, "runs": args.runs,
                          "max_tokens": args.max_tokens, "rows": results}))
        return 0
    print(f"| variant ({args.model}) | load s | model+cache RSS MB | prompt tok/s | "
          "gen tok/s | TTFT s |")
    print("|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['variant']} | failed (exit {r['error']}) | | | | |")
            continue
        print(f"| {r['variant']} | {r['load_s']:.2f} | {r['rss_loaded_mb']:.0f} | "
              f"{r['prompt_tps']:.1f} | {r['gen_tps']:.1f} | {r['ttft_s']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
