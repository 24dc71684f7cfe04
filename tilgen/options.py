"""The options of one note run, declared once for the CLI, the git hook and the Python API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tilgen.config.settings import Settings


@dataclass(frozen=True)
class NoteOptions:
    """What a caller may change for one note; None leaves the configured value."""

    backend: str | None = None
    model: str | None = None  # a model name or .gguf path (embedded), a served name (remote)
    notes_dir: str | None = None
    note_format: str | None = None
    max_tokens: int | None = None
    cache: bool | None = None  # False: generate again even if nothing changed
    save: bool = True
    settings: Mapping[str, Any] = field(default_factory=dict)  # more dotted overrides

    def overrides(self, backend_name: str) -> dict[str, Any]:
        """Dotted setting overrides for ``backend_name`` (the one the run resolves to)."""
        out: dict[str, Any] = dict(self.settings)
        flags: dict[str, Any] = {
            "backend": self.backend,
            "notes_dir": self.notes_dir,
            "note_format": self.note_format,
            "generation.max_tokens": self.max_tokens,
            "cache": self.cache,
        }
        if self.model:
            if backend_name == "remote":
                flags["remote.model"] = self.model
            elif self.model.endswith(".gguf") or "/" in self.model:
                flags["embedded.model_path"] = self.model
            else:
                flags["embedded.model"] = self.model
        out.update({k: v for k, v in flags.items() if v is not None})
        return out

    def resolve(self, repo_root: Path | None) -> Settings:
        """The settings of this run: every layer, then these options on top.

        Resolved twice, since ``--model`` lands in the section of the backend the layers choose.
        """
        from tilgen.config.layers import load_settings

        first = load_settings(repo_root=repo_root,
                              cli=NoteOptions(backend=self.backend, settings=self.settings)
                              .overrides("embedded")).settings
        return load_settings(repo_root=repo_root, cli=self.overrides(first.backend)).settings
