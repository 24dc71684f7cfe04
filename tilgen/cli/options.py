"""Options shared by the commands that write notes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class NoteOptions:
    repo: Path
    backend: str | None = None
    model: str | None = None
    notes_dir: str | None = None
    note_format: str | None = None
    max_tokens: int | None = None
    json_out: bool = False
    no_save: bool = False
    show_prompt: bool = False
    no_cache: bool = False
    no_redact: bool = False
    edit: bool = False

    def cli_overrides(self, backend_name: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "backend": self.backend,
            "notes_dir": self.notes_dir,
            "note_format": self.note_format,
            "generation.max_tokens": self.max_tokens,
        }
        if self.no_cache:
            out["cache"] = False
        if self.no_redact:
            out["redact"] = False
        if self.model:
            from tilgen.backends import model_settings

            out.update(model_settings(backend_name, self.model))  # where that backend keeps it
        return {k: v for k, v in out.items() if v is not None}
