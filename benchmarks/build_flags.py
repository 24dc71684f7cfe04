"""CPU build flags of llama-cpp-python, side by side: the same bench in several environments.

Each ``--python`` is the interpreter of a virtual environment that has tilgen and one build
of llama-cpp-python installed (for example an AVX2 build and an AVX-512 build). The script
runs ``tilgen bench --json`` with each, in turn, ``--rounds`` times (alternating, so a change
in machine load hits every build alike), and prints prompt and generation speed per build
with the CPU features llama.cpp reports for it.

    # an AVX-512 build next to the default AVX2 one
    python3 -m venv /tmp/avx512 && /tmp/avx512/bin/pip install -e . &&
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON \
      -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON" \
      /tmp/avx512/bin/pip install --no-binary llama-cpp-python llama-cpp-python==0.3.36
    python benchmarks/build_flags.py --python .venv/bin/python --python /tmp/avx512/bin/python
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from typing import Any

FEATURES = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"


def bench_once(python: str, model: str, runs: int, max_tokens: int) -> dict[str, Any]:
    proc = subprocess.run(
        [python, "-m", "tilgen", "-q", "bench", "--model", model, "--runs", str(runs),
         "--max-tokens", str(max_tokens), "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{python}: tilgen bench failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout)["results"][0]


def features(python: str) -> str:
    out = subprocess.run([python, "-c", FEATURES], capture_output=True, text=True).stdout
    flags = [part.split("=")[0].strip() for part in out.replace("CPU :", "|").split("|")
             if part.strip().endswith("= 1")]
    return " ".join(f for f in flags if f.startswith(("AVX", "F16C", "FMA", "AMX")))


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", required=True,
                        help="interpreter of an environment with tilgen and a llama-cpp build")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--runs", type=int, default=2, help="tilgen bench runs per round")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    samples: dict[str, dict[str, list[float]]] = {
        p: {"prompt_tps": [], "gen_tps": [], "load_s": []} for p in args.python}
    for _ in range(args.rounds):
        for python in args.python:
            result = bench_once(python, args.model, args.runs, args.max_tokens)
            for sample in result["samples"]:
                for key in ("prompt_tps", "gen_tps"):
                    if sample.get(key):
                        samples[python][key].append(sample[key])
            if result.get("load_s") is not None:
                samples[python]["load_s"].append(result["load_s"])
    rows = [{"python": p, "cpu_features": features(p),
             **{k: median(v) for k, v in samples[p].items()},
             "n": len(samples[p]["gen_tps"])} for p in args.python]
    base = rows[0]
    for row in rows:
        row["gen_vs_first"] = (round(row["gen_tps"] / base["gen_tps"], 3)
                               if row["gen_tps"] and base["gen_tps"] else None)
        row["prompt_vs_first"] = (round(row["prompt_tps"] / base["prompt_tps"], 3)
                                  if row["prompt_tps"] and base["prompt_tps"] else None)
    if args.json:
        print(json.dumps({"benchmark": "build_flags", "model": args.model, "rows": rows}))
        return 0
    for row in rows:
        print(f"{row['python']}: [{row['cpu_features']}] prompt {row['prompt_tps']} tok/s "
              f"({row['prompt_vs_first']}x), generation {row['gen_tps']} tok/s "
              f"({row['gen_vs_first']}x), n={row['n']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
