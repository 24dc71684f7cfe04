"""Terminal output: rich when it is a TTY, plain text otherwise (and under NO_COLOR)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

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


def _styled(stream: Any) -> bool:
    """rich only for a terminal: piped output is plain text and skips rich's imports."""
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def _say(line: str) -> None:
    if _styled(sys.stderr):
        from rich.markup import escape

        err_console().print(f"[dim]tilgen:[/dim] {escape(line)}")
    else:
        sys.stderr.write(f"tilgen: {line}\n")
        sys.stderr.flush()


def status(message: str) -> None:
    """A progress message on stderr (suppressed by -q)."""
    if not quiet():
        _say(message)


def info(message: str) -> None:
    if verbose():
        _say(message)


@contextmanager
def spinner(message: str) -> Iterator[None]:
    if quiet() or not interactive():
        if not quiet():
            status(message)
        yield
        return
    with err_console().status(message):
        yield


def write_out(text: str) -> None:
    """Write ``text`` to standard output when it is the product (--show-prompt, --json):
    a closed or full output is one clear error, not a traceback."""
    from tilgen.errors import StorageError

    stream = sys.stdout
    if stream is None:
        raise StorageError("standard output is closed, so there is nowhere to print; "
                           "run it again without closing it (>&-) or redirect it to a file")
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:
        _silence_stdout()
        reason = getattr(exc, "strerror", None) or str(exc)
        raise StorageError(f"cannot write to standard output: {reason}; redirect it to a "
                           "file on a disk with free space") from None


def _silence_stdout() -> None:
    """Point the failed stdout at /dev/null, so the flush at exit cannot fail a second time."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def print_markdown(text: str) -> None:
    """Show a saved note; a closed or full standard output only loses the preview."""
    if sys.stdout is None:
        return
    try:
        _print_markdown(text)
    except BrokenPipeError:
        raise
    except (OSError, ValueError):
        _silence_stdout()


def _print_markdown(text: str) -> None:
    if _styled(sys.stdout):
        from rich.markdown import Markdown  # ~50 ms of imports: only for a terminal

        console().print(Markdown(text))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
