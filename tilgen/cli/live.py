"""The note as it forms: a live view on the terminal while the model writes.

The answer streams as JSON; the reader sees its title and points as bullets (read from the
partial answer by :mod:`tilgen.note.partial`), or a token counter when the answer's shape is
unknown. Off a terminal nothing is drawn, so piped output is unchanged.
"""

from __future__ import annotations

from typing import Any

from tilgen.cli import output
from tilgen.note.partial import PartialJSON, draft

BULLET = "  · "  # not the final note's "•", so a reader (and a test) tells the two apart


class NoteStream:
    """Callbacks for the pipeline: tokens, status lines and model download progress."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled and output.interactive()
        self.tokens = 0
        self._live: Any = None
        self._parser = PartialJSON()
        self._bar: Any = None

    def status(self, message: str) -> None:
        if self._live is not None:
            # a status while writing means a new attempt or a fallback: a new answer begins
            self._live.console.print(f"[dim]tilgen:[/dim] {_escape(message)}")
            self._parser, self.tokens = PartialJSON(), 0
            return
        output.status(message)

    def progress(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

            self._bar = Progress(*Progress.get_default_columns(), DownloadColumn(),
                                 TransferSpeedColumn(), console=output.err_console())
            self._bar.start()
            self._task = self._bar.add_task("model", total=total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self._bar.stop()
            self._bar = None

    def feed(self, piece: str) -> None:
        self.tokens += 1
        if not self.enabled:
            return
        self._parser.feed(piece)
        view = self.view()
        if self._live is None:
            from rich.live import Live

            self._live = Live(view, console=output.err_console(), transient=True,
                              refresh_per_second=8, vertical_overflow="visible")
            self._live.start()
        else:
            self._live.update(view)

    def view(self) -> Any:
        """The title, keywords and points written so far, then the counter."""
        from rich.text import Text

        note = draft(self._parser.value)
        text = Text()
        if note.title:
            text.append(note.title, style="bold")
            if note.keywords:
                text.append("  " + " · ".join(note.keywords), style="dim")
            text.append("\n")
        for n, point in enumerate(note.points):
            text.append(BULLET + point)
            if n == len(note.points) - 1 and not self._parser.done:
                text.append("▍", style="dim")
            text.append("\n")
        text.append(f"writing… {self.tokens} tokens", style="dim")
        return text

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
