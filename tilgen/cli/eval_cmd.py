"""tilgen eval: measure note quality on a corpus."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from tilgen.cli import output
from tilgen.cli.errors import handle_errors


def command(
    corpus: Path | None = typer.Argument(None, help="Directory with cases.jsonl and <id>.diff files (default: the built-in corpus)."),
    backend: str | None = typer.Option(None, "--backend", "-b", help="embedded | remote."),
    model: str | None = typer.Option(None, "--model", "-m", help="Model name or .gguf path."),
    fmt: str | None = typer.Option(None, "--format", help="points | direct."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N cases."),
    json_out: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the summary and the cases as Markdown tables."),
    rescore: Path | None = typer.Option(None, "--rescore", metavar="REPORT", help="Score the notes of a saved report again with today's measures (no model runs); CORPUS defaults to the report's."),
) -> None:
    """Run every case of a corpus through a backend and score the notes.

    Examples:  tilgen eval  ·  tilgen eval ../shared/corpus --model qwen2.5-coder-0.5b --markdown
    ·  tilgen eval --rescore REPORT.json --markdown
    """

    def go() -> None:
        from tilgen.options import NoteOptions
        from tilgen.tools import evaluate

        settings = NoteOptions(backend=backend, model=model, note_format=fmt).resolve(None)

        def show(r):  # type: ignore[no-untyped-def]
            state = "ok " if r.ok else "BAD"
            extra = "" if r.ok else f" {r.error}"
            ko = r.scores.get("korean_share", "")
            facts = f" facts={r.scores.get('facts_strict', 0)}/{r.facts}" if r.facts else ""
            output.status(f"{state} {r.id} {r.seconds:.1f}s korean={ko}{facts}{extra}")

        if rescore:
            report = evaluate.rescore(rescore, settings, corpus)
        else:
            report = evaluate.run_eval(corpus or evaluate.builtin_corpus(), settings,
                                       limit=limit, on_case=show)
        if json_out:
            sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
        else:
            sys.stdout.write(evaluate.markdown_table([report]) + "\n\n"
                             + evaluate.case_table(report) + "\n")
            if not markdown and report.get("saved"):
                output.status(f"report saved to {report['saved']}")

    handle_errors(go)
