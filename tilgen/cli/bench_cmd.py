"""tilgen bench: speed and memory of a backend on a fixed workload."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from tilgen.cli import output
from tilgen.cli.errors import handle_errors

# Options as module-level singletons: typer reads them from the signature's defaults.
BackendOpt = typer.Option(None, "--backend", "-b", metavar="NAME", help="embedded | remote.")
ModelOpt = typer.Option(None, "--model", "-m", metavar="NAME",
                        help="Model name or .gguf path; repeat to compare several.")
RunsOpt = typer.Option(3, "--runs", "-n", min=1, metavar="N", help="Measured runs per model.")
MaxTokensOpt = typer.Option(None, "--max-tokens", min=1, metavar="N",
                            help="Output token budget per run (default: configured).")
CorpusOpt = typer.Option(None, "--corpus", metavar="DIR",
                         help="A corpus directory (cases.jsonl + <id>.diff) instead of the "
                         "built-in case.")
JsonOpt = typer.Option(False, "--json", help="Print the full report as JSON.")


def command(
    backend: str | None = BackendOpt,
    model: list[str] | None = ModelOpt,
    runs: int = RunsOpt,
    max_tokens: int | None = MaxTokensOpt,
    corpus: Path | None = CorpusOpt,
    json_out: bool = JsonOpt,
) -> None:
    """Measure load time, time to first token, prompt and generation speed, latency and memory.

    Each figure is the median (min–max) over the runs; every run starts from an empty
    prompt cache, and prefix reuse between two notes is reported on its own.

    Examples:  tilgen bench  ·  tilgen bench -m qwen2.5-coder-0.5b -m qwen2.5-coder-1.5b --runs 5
    ·  tilgen bench --backend remote --max-tokens 128 --json
    """

    def go() -> None:
        from tilgen.options import NoteOptions
        from tilgen.tools.bench import markdown_table, report, run_bench

        results = []
        choices: list[str | None] = list(model or [None])
        for each in choices:
            settings = NoteOptions(backend=backend, model=each).resolve(None)
            results.append(run_bench(settings, runs=runs, max_tokens=max_tokens, corpus=corpus,
                                     on_status=output.status))
        if json_out:
            sys.stdout.write(json.dumps(report(results), ensure_ascii=False, indent=1) + "\n")
        else:
            sys.stdout.write(markdown_table(results) + "\n")

    handle_errors(go)
