"""One exception hierarchy and one set of exit codes for the whole CLI."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # generic expected failure
    USAGE = 2  # bad command-line usage (typer/click uses 2 as well)
    UNEXPECTED = 3  # a bug: traceback written to the crash log
    NOT_A_REPO = 4  # not a git repository / bare / empty
    NO_CHANGES = 5  # nothing matched: no commits that day, empty diff
    CONFIG = 6  # invalid configuration file or value
    BACKEND = 7  # backend unreachable, auth failure, server error
    INVALID_NOTE = 8  # model output failed validation after retries
    MODEL = 9  # model file missing, corrupt, or download failed
    IO = 10  # notes directory unwritable, disk full
    INTERRUPTED = 130  # Ctrl-C


class TilgenError(Exception):
    """An expected failure: printed as one line, mapped to an exit code."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, exit_code: ExitCode | int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = ExitCode(exit_code)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class NotARepoError(TilgenError):
    exit_code = ExitCode.NOT_A_REPO


class NoChangesError(TilgenError):
    exit_code = ExitCode.NO_CHANGES


class ConfigError(TilgenError):
    exit_code = ExitCode.CONFIG


class BackendError(TilgenError):
    exit_code = ExitCode.BACKEND


class BackendUnavailable(BackendError):
    """The backend cannot be reached at all: a fallback backend may take over."""


class ContextOverflow(BackendError):
    """The server rejected the prompt as too long for its context."""


class InvalidNoteError(TilgenError):
    exit_code = ExitCode.INVALID_NOTE
    answer: str | None = None  # the model's last answer, where one was read (tilgen eval keeps it)


class ModelError(TilgenError):
    exit_code = ExitCode.MODEL


class StorageError(TilgenError):
    exit_code = ExitCode.IO
