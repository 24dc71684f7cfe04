"""How long ``tilgen --help`` and ``tilgen config show`` take to start, above ``python -c pass``.

Target: the median of each at most 0.15 s above the median of a bare interpreter. The three
commands take turns (so load on the machine hits each alike), each in a fresh process with
an empty TILGEN_HOME. The slowest imports of each command (``-X importtime``) are listed.

    python benchmarks/startup.py
    python benchmarks/startup.py -n 30 --top 20
    python benchmarks/startup.py --check      # exit 1 above the target
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.15
FLOOR = ("import typer, pydantic; from pydantic import BaseModel\n"
         "class S(BaseModel):\n    x: int = 1\n"
         "pydantic.TypeAdapter(int).validate_python(1); S()")


def tilgen_exe() -> list[str]:
    """The installed ``tilgen`` console script next to this interpreter (else ``-m tilgen``)."""
    script = Path(sys.executable).with_name("tilgen")
    if script.exists():
        return [str(script)]
    found = shutil.which("tilgen")
    return [found] if found else [sys.executable, "-m", "tilgen"]


def wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def top_imports(code: str, env: dict[str, str], top: int) -> list[tuple[float, str]]:
    """(cumulative ms, module) of the slowest imports, nesting shown by indentation."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env,
                          capture_output=True, text=True)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|", 2)
        rows.append((int(cumulative) / 1000, name.rstrip()))
    return sorted(rows, reverse=True)[:top]


def main() -> int:
    # An installed tilgen has its bytecode cached; measure that, not a recompile per run.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15, help="runs of each command")
    parser.add_argument("--top", type=int, default=12, help="imports to list per command")
    parser.add_argument("--check", action="store_true", help=f"exit 1 above +{TARGET} s")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    exe = tilgen_exe()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tilgen --help": [*exe, "--help"],
        "tilgen config show": [*exe, "config", "show"],
        # What the libraries alone cost: typer 0.29 checks every value of a command with a
        # pydantic TypeAdapter, so running any command imports pydantic and builds one.
        "floor: typer + pydantic": [sys.executable, "-c", FLOOR],
    }
    run_cli = "import sys; sys.argv = {argv!r}; from tilgen.cli.main import run; run()"
    code = {"tilgen --help": run_cli.format(argv=["tilgen", "--help"]),
            "tilgen config show": run_cli.format(argv=["tilgen", "config", "show"])}
    with tempfile.TemporaryDirectory(prefix="tilgen-startup-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TILGEN_")}
        env.update(TILGEN_HOME=home, NO_COLOR="1")
        times: dict[str, list[float]] = {name: [] for name in commands}
        for cmd in commands.values():  # warm the OS file cache once
            wall(cmd, env)
        for i in range(args.runs):
            names = list(commands) if i % 2 == 0 else list(commands)[::-1]
            for name in names:
                times[name].append(wall(commands[name], env))
        imports = {name: top_imports(c, env, args.top) for name, c in code.items()}

    base = statistics.median(times["python -c pass"])
    out = {"benchmark": "startup", "runs": args.runs, "target_s": TARGET,
           "median_s": {n: round(statistics.median(t), 4) for n, t in times.items()},
           "min_s": {n: round(min(t), 4) for n, t in times.items()},
           "above_python_s": {n: round(statistics.median(t) - base, 4)
                              for n, t in times.items() if n != "python -c pass"},
           "top_imports_ms": {n: [(round(ms, 1), mod) for ms, mod in rows]
                              for n, rows in imports.items()}}
    worst = max(v for n, v in out["above_python_s"].items() if n.startswith("tilgen"))
    out["ok"] = worst <= TARGET
    if args.json:
        print(json.dumps(out))
    else:
        print(f"startup, median of {args.runs} runs each (min in brackets):")
        for name in commands:
            above = out["above_python_s"].get(name)
            extra = "" if above is None else f"  -> +{above:.3f} s"
            extra += f" (target <= +{TARGET} s)" if name.startswith("tilgen") else ""
            print(f"  {name:24} {out['median_s'][name]:.3f} s ({out['min_s'][name]:.3f}){extra}")
        for name, rows in imports.items():
            print(f"slowest imports of {name} (cumulative ms):")
            for ms, mod in rows:
                print(f"  {ms:8.1f}  {mod}")
    return 1 if args.check and not out["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
