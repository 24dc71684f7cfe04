"""The one error handler at the edge of the CLI."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import TypeVar

from tilgen.errors import ExitCode, TilgenError
from tilgen.secrets.mask import mask_urls_in

T = TypeVar("T")


def crash_log_path() -> str:
    from tilgen import paths

    return str(paths.logs_dir() / "crash.log")


def handle_errors(func: Callable[[], T]) -> T:
    """Run ``func``; expected errors become one line on stderr and their exit code."""
    try:
        return func()
    except TilgenError as exc:
        _print_error(exc.message)
        raise SystemExit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        _print_error("interrupted; nothing was saved.")
        raise SystemExit(int(ExitCode.INTERRUPTED)) from None
    except BrokenPipeError:
        # Output piped into `head` and friends: not an error.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        raise SystemExit(0) from None
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the edge of the program
        if os.environ.get("TILGEN_RAISE"):
            raise
        path = crash_log_path()
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(mask_urls_in(traceback.format_exc()) + "\n")
        except OSError:
            path = "(crash log unwritable)"
        _print_error(
            f"unexpected error: {type(exc).__name__}: {exc}. Details in {path}; "
            "please report it with that file."
        )
        raise SystemExit(int(ExitCode.UNEXPECTED)) from None


def _print_error(message: str) -> None:
    line = mask_urls_in(" ".join(str(message).split()))  # last line of defence for passwords
    try:
        sys.stderr.write(f"tilgen: error: {line}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
