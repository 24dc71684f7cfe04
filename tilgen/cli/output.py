"""Terminal output: rich when it is a TTY, plain text otherwise (and under NO_COLOR)."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from rich.console import Console

_state: dict[str, Any] = {"verbose": 0, "quiet": False}


def force_utf8() -> None:
    """UTF-8 output whatever the terminal's locale says (notes are Korean)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if (stream.encoding or "").lower().replace("-", "") != "utf8":
                stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass


def set_verbosity(*, verbose: int = 0, quiet: bool = False) -> None:
    _state["verbose"], _state["quiet"] = verbose, quiet


def quiet() -> bool:
    return bool(_state["quiet"])


def verbose() -> int:
    return int(_state["verbose"])


def console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


def status(message: str) -> None:
    """A progress message on stderr (suppressed by -q)."""
    if not quiet():
        err_console().print(f"[dim]tilgen:[/dim] {message}", markup=True)


def info(message: str) -> None:
    if verbose():
        err_console().print(f"[dim]tilgen: {message}[/dim]")


@contextmanager
def spinner(message: str) -> Iterator[None]:
    if quiet() or not interactive():
        if not quiet():
            status(message)
        yield
        return
    with err_console().status(message):
        yield


def print_markdown(text: str) -> None:
    c = console()
    if c.is_terminal:
        from rich.markdown import Markdown  # ~50 ms of imports: only for a terminal

        c.print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
