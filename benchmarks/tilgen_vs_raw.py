"""tilgen's embedded generation against raw llama-cpp-python (target: at least 0.97x tokens/s).

Both sides load the same GGUF with the same context, threads and batch size, and answer the
same messages (the real note prompt for the built-in ``go-context-timeout`` case) under the
same JSON-schema grammar, sampling settings and seed, so the same tokens come out. tilgen
goes through ``EmbeddedBackend.generate``; raw is ``Llama.create_chat_completion(stream=True)``.
Runs alternate (tilgen, raw, tilgen, raw, ...) and medians are compared.

By default each side evaluates the prompt once in an uncounted warm-up, so the timed runs
measure generation; ``--cold`` resets the KV cache before every run instead.

    python benchmarks/tilgen_vs_raw.py
    python benchmarks/tilgen_vs_raw.py --model qwen2.5-coder-1.5b --rounds 5 --max-tokens 256
    python benchmarks/tilgen_vs_raw.py --check     # exit 1 below the target
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

TARGET = 0.97


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b", help="model name or .gguf path")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per side")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=None, help="default: tilgen's default")
    parser.add_argument("--cold", action="store_true", help="reset the KV cache before each run")
    parser.add_argument("--check", action="store_true", help=f"exit 1 below {TARGET}x")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    from tilgen.backends import make_backend
    from tilgen.backends.run import generate
    from tilgen.config.settings import Settings
    from tilgen.tools.bench import request_for, workload

    settings = Settings()
    key = "model_path" if args.model.endswith(".gguf") else "model"
    setattr(settings.embedded, key, args.model)
    settings.embedded.n_threads = args.threads
    tilgen = make_backend("embedded", settings)
    tilgen.prepare()  # first: both sides then share the OpenMP settings tilgen's loader applies
    from llama_cpp import Llama, LlamaGrammar

    raw = Llama(model_path=str(tilgen.model_path), n_ctx=tilgen.n_ctx, n_threads=tilgen.n_threads,
                n_threads_batch=tilgen.n_threads, n_batch=tilgen.n_batch, n_gpu_layers=0,
                verbose=False)
    (job,) = workload(settings, tilgen, None)
    request = request_for(job, settings, args.max_tokens)
    grammar = LlamaGrammar.from_json_schema(json.dumps(job.schema), verbose=False)

    def run_tilgen() -> dict[str, Any]:
        if args.cold:
            tilgen.reset()
        start = time.perf_counter()
        result = generate(tilgen, request)
        wall = time.perf_counter() - start
        return figures(tilgen, result.text, result.first_token_seconds, result.total_seconds, wall)

    def run_raw() -> dict[str, Any]:
        if args.cold:
            raw.reset()
        start = time.perf_counter()
        raw.set_seed(request.seed)
        first, parts = None, []
        for chunk in raw.create_chat_completion(
                messages=request.messages, max_tokens=request.max_tokens,
                temperature=request.temperature, top_p=request.top_p,
                repeat_penalty=request.repeat_penalty, grammar=grammar, stream=True):
            piece = chunk["choices"][0].get("delta", {}).get("content")
            if piece:
                if first is None:
                    first = time.perf_counter() - start
                parts.append(piece)
        total = time.perf_counter() - start
        return figures(tilgen, "".join(parts), first, total, total)

    if not args.cold:
        run_tilgen(), run_raw()  # fill both prompt caches: the timed runs measure generation
    samples: dict[str, list[dict[str, Any]]] = {"tilgen": [], "raw": []}
    for i in range(args.rounds):
        order = [("tilgen", run_tilgen), ("raw", run_raw)]
        for name, run in order if i % 2 == 0 else order[::-1]:
            samples[name].append(run())
            s = samples[name][-1]
            print(f"  {name:6} run {i + 1}: {s['gen_tps']:.2f} tok/s over {s['tokens']} tokens, "
                  f"wall {s['wall_s']:.2f} s", file=sys.stderr)
    med = {name: {k: statistics.median(s[k] for s in runs) for k in ("gen_tps", "wall_s", "ttft_s")}
           for name, runs in samples.items()}
    same = samples["tilgen"][0]["text"] == samples["raw"][0]["text"]
    ratio = med["tilgen"]["gen_tps"] / med["raw"]["gen_tps"]
    out = {"benchmark": "tilgen_vs_raw", "model": tilgen.model_name, "threads": tilgen.n_threads,
           "rounds": args.rounds, "max_tokens": args.max_tokens, "cold": args.cold,
           "same_tokens": same, "tilgen": med["tilgen"], "raw": med["raw"],
           "ratio": round(ratio, 3), "wall_ratio": round(med["raw"]["wall_s"]
                                                         / med["tilgen"]["wall_s"], 3),
           "target": TARGET, "ok": ratio >= TARGET}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"tilgen vs raw llama-cpp-python ({out['model']}, {out['threads']} threads, "
              f"{args.rounds} rounds, {'cold' if args.cold else 'warm prompt'})")
        print(f"  generation: tilgen {med['tilgen']['gen_tps']:.2f} tok/s, raw "
              f"{med['raw']['gen_tps']:.2f} tok/s -> ratio {ratio:.3f} (target >= {TARGET})")
        print(f"  wall time per run: tilgen {med['tilgen']['wall_s']:.2f} s, raw "
              f"{med['raw']['wall_s']:.2f} s; same tokens: {'yes' if same else 'NO'}")
    return 1 if args.check and ratio < TARGET else 0


def figures(backend: Any, text: str, first: float | None, total: float,
            wall: float) -> dict[str, Any]:
    """Tokens after the first one, over the time after the first one (same count both sides)."""
    tokens = backend.count_tokens(text) if text else 0
    span = total - (first or 0.0)
    return {"text": text, "tokens": tokens, "ttft_s": first or 0.0, "wall_s": wall,
            "gen_tps": (tokens - 1) / span if tokens > 1 and span > 0 else 0.0}


if __name__ == "__main__":
    sys.exit(main())
