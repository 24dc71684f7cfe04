"""Run the benchmarks in one go and print a summary with each one's figure and target.

Each benchmark is a separate script run in its own process with ``--json``; its full output
is kept under ``--out`` (default: a temporary folder, printed at the end). Scripts that are
not present are skipped.

    python benchmarks/run_all.py
    python benchmarks/run_all.py --quick          # fewer runs, shorter answers
    python benchmarks/run_all.py --only startup cache_hit
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _vs_raw(d: dict[str, Any]) -> str:
    return (f"gen tok/s tilgen {d['tilgen']['gen_tps']:.2f} vs raw {d['raw']['gen_tps']:.2f} "
            f"-> {d['ratio']:.3f}x (target >= {d['target']}); same tokens: {d['same_tokens']}")


def _startup(d: dict[str, Any]) -> str:
    above = ", ".join(f"{k} +{v:.3f} s" for k, v in d["above_python_s"].items())
    return f"{above} above python -c pass (target <= +{d['target_s']} s)"


def _cache(d: dict[str, Any]) -> str:
    return (f"tilgen today cache hit {d['cli_median_s']:.3f} s (target <= {d['target_s']} s); "
            f"in process {d['in_process_ms']['generate_note']:.1f} ms")


def _prefix(d: dict[str, Any]) -> str:
    parts = []
    for name in ("embedded", "server"):
        if name in d:
            warm, cold = d[name]["steps"]["B after A"], d[name]["steps"]["B cold"]
            reused = (f"{warm['reused_tokens']}/{warm['prompt_tokens']} tokens reused, "
                      if warm["reused_tokens"] is not None else "")
            parts.append(f"{name}: {reused}TTFT {warm['ttft_s']:.2f} s vs {cold['ttft_s']:.2f} s "
                         "cold")
    return "; ".join(parts)


def _threads(d: dict[str, Any]) -> str:
    def cell(r: dict[str, Any]) -> str:
        p, g = r["prompt_tps"]["median"], r["gen_tps"]["median"]
        return (f"t{r['threads']}/b{r['batch']}/{r['omp_wait_policy'].lower()} "
                f"{p or 0:.0f}/{g or 0:.1f}")
    return "prompt/gen tok/s: " + ", ".join(cell(r) for r in d["rows"])


def _kv(d: dict[str, Any]) -> str:
    return "; ".join(f"{r['variant']}: {r['prompt_tps']:.0f}/{r['gen_tps']:.1f} tok/s, "
                     f"{r['rss_loaded_mb']:.0f} MB" for r in d["rows"] if "error" not in r)


def _collect(d: dict[str, Any]) -> str:
    days = ", ".join(f"{r['commits']} commits {r['ratio']:.2f}x" for r in d["rows"] if r["gated"])
    return (f"collect_day vs git log -p (CPU), {d['source']}: {days} "
            f"(target <= {d['target_ratio']}x)")


# name -> (script, normal args, quick args, one-line summary of its JSON)
BENCHMARKS: dict[str, tuple[str, list[str], list[str], Callable[[dict[str, Any]], str]]] = {
    "tilgen_vs_raw": ("tilgen_vs_raw.py", ["--rounds", "5", "--max-tokens", "128"],
                      ["--rounds", "2", "--max-tokens", "32"], _vs_raw),
    "startup": ("startup.py", ["-n", "15"], ["-n", "5"], _startup),
    "cache_hit": ("cache_hit.py", ["-n", "15"], ["-n", "5"], _cache),
    "prefix_reuse": ("prefix_reuse.py", ["--max-tokens", "32"], ["--max-tokens", "4"], _prefix),
    "threads_batch": ("threads_batch.py", ["--runs", "2", "--max-tokens", "48"],
                      ["--runs", "1", "--max-tokens", "16"], _threads),
    "kv_cache": ("kv_cache.py", ["--runs", "2", "--max-tokens", "48"],
                 ["--runs", "1", "--max-tokens", "16"], _kv),
    "collect_big_day": ("day_collect.py", [], ["-n", "5000", "--runs", "3"], _collect),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, shorter answers")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    parser.add_argument("--out", type=Path, default=None, help="folder for the JSON outputs")
    args = parser.parse_args()

    out = args.out or Path(tempfile.mkdtemp(prefix="tilgen-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    summary: list[tuple[str, str, float]] = []
    for name, (script, normal, quick, describe) in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        path = HERE / script
        if not path.exists():
            summary.append((name, "skipped (script not present)", 0.0))
            continue
        extra = quick if args.quick else normal
        json_flag = ["--json"]
        print(f"== {name}: python {path.name} {' '.join(extra + json_flag)}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(path), *extra, *json_flag],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        (out / f"{name}.out").write_text(proc.stdout + proc.stderr, encoding="utf-8")
        if proc.returncode not in (0, 1):
            summary.append((name, f"FAILED (exit {proc.returncode}; see {out / name}.out)",
                            seconds))
            continue
        try:
            data = json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            summary.append((name, (proc.stdout.strip().splitlines() or ["(no output)"])[-1],
                            seconds))
            continue
        (out / f"{name}.json").write_text(json.dumps(data, indent=1), encoding="utf-8")
        summary.append((name, describe(data), seconds))

    print("\nsummary" + (f" (load average at start: {load[0]:.2f} on {os.cpu_count()} cores)"
                         if load else ""))
    for name, line, seconds in summary:
        print(f"  {name:16} {line}  [{seconds:.0f} s]")
    print(f"outputs: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
