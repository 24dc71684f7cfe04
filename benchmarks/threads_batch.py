"""Embedded settings sweep: CPU threads, prompt batch size and the OpenMP wait policy.

Runs ``tilgen bench --json`` in a fresh process per combination (the wait policy is read
once, when llama.cpp's OpenMP runtime starts) with ``TILGEN_EMBEDDED_N_THREADS``,
``TILGEN_EMBEDDED_N_BATCH`` and ``OMP_WAIT_POLICY`` set, and prints prompt and generation
speed for each. tilgen's defaults: all cores, batch 512, ``OMP_WAIT_POLICY=PASSIVE``.

    python benchmarks/threads_batch.py
    python benchmarks/threads_batch.py --model qwen2.5-coder-1.5b --runs 3 --max-tokens 64
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any


def combos(cores: int) -> list[tuple[int, int, str]]:
    threads = sorted({1, cores})
    out = [(t, b, "PASSIVE") for t in threads for b in (256, 512)]
    return out + [(t, 512, "ACTIVE") for t in threads if t > 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    rows: list[dict[str, Any]] = []
    for threads, batch, policy in combos(os.cpu_count() or 2):
        env = {**os.environ, "TILGEN_EMBEDDED_N_THREADS": str(threads),
               "TILGEN_EMBEDDED_N_BATCH": str(batch), "OMP_WAIT_POLICY": policy}
        proc = subprocess.run(
            [sys.executable, "-m", "tilgen", "-q", "bench", "--model", args.model, "--runs",
             str(args.runs), "--max-tokens", str(args.max_tokens), "--json"],
            env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            return 2
        result = json.loads(proc.stdout)["results"][0]
        m = result["metrics"]
        rows.append({"threads": threads, "batch": batch, "omp_wait_policy": policy,
                     "prompt_tps": m["prompt_tps"], "gen_tps": m["gen_tps"],
                     "load_average": result["load_average"]})
        if not args.json:
            print(f"  threads {threads} batch {batch:3} {policy:7}: prompt "
                  f"{fmt(m['prompt_tps'])} tok/s, generation {fmt(m['gen_tps'])} tok/s "
                  f"(load {result['load_average']['start']:.1f})", flush=True)
    if args.json:
        print(json.dumps({"benchmark": "threads_batch", "model": args.model, "runs": args.runs,
                          "rows": rows}))
    return 0


def fmt(stat: dict[str, Any]) -> str:
    if stat["median"] is None:
        return "n/a"
    if stat["n"] < 2:
        return f"{stat['median']:.1f}"
    return f"{stat['median']:.1f} ({stat['min']:.1f}-{stat['max']:.1f})"


if __name__ == "__main__":
    sys.exit(main())
