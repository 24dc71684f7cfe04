"""The settings model. Layered resolution lives in :mod:`tilgen.config.layers`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tilgen.config.filename import check_pattern


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class EmbeddedSettings(_Section):
    model: str = Field("qwen2.5-coder-1.5b", description="Model name from `tilgen model list`.")
    model_path: str | None = Field(None, description="A GGUF file; overrides `model`.")
    n_ctx: int = Field(8192, ge=512, le=131072, description="Context window in tokens.")
    n_threads: int | None = Field(None, ge=1, description="CPU threads (default: all cores for "
                                  "the prompt, half of them for generating).")
    n_batch: int = Field(512, ge=8, description="Prompt batch size.")
    n_gpu_layers: int = Field(0, ge=-1, description="Layers to offload to a GPU (-1: all).")
    lora_path: str | None = Field(None, description="A LoRA adapter (GGUF) to apply.")


class RemoteSettings(_Section):
    base_urls: list[str] = Field(
        default_factory=lambda: ["http://localhost:8000/v1"],
        description="OpenAI-compatible base URL(s); several are replicas.",
    )
    model: str = Field("Qwen/Qwen2.5-Coder-1.5B-Instruct", description="Served model name.")
    api_key_env: str = Field("TILGEN_API_KEY", description="Environment variable with the key.")
    timeout: float = Field(120.0, gt=0, description="Read timeout in seconds.")
    connect_timeout: float = Field(5.0, gt=0, description="Connect timeout in seconds.")
    retries: int = Field(2, ge=0, le=10, description="Retries on 429/5xx/connection errors.")
    context_length: int | None = Field(
        None, ge=512, description="Context length if the server does not report it."
    )


class GenerationSettings(_Section):
    max_tokens: int = Field(1024, ge=64, le=16384, description="Output token budget.")
    temperature: float = Field(0.2, ge=0.0, le=2.0)
    top_p: float = Field(0.9, gt=0.0, le=1.0)
    # Sent to every backend, so that llama.cpp and vLLM (which would otherwise take the
    # model's generation_config.json) sample alike; these are llama.cpp's defaults.
    top_k: int = Field(40, ge=0, description="Sample from the k likeliest tokens (0: all).")
    min_p: float = Field(0.05, ge=0.0, le=1.0,
                         description="Drop tokens below this share of the likeliest.")
    repeat_penalty: float = Field(1.1, ge=1.0, le=2.0)
    seed: int | None = Field(0, description="Sampling seed (None: random).")
    candidates: int = Field(
        1, ge=1, le=8,
        description="Notes to sample per prompt, keeping the one naming most of the change "
                    "(a server answers them at once; embedded: one after another).")


class Settings(_Section):
    backend: str = Field("embedded",
                         description="embedded | remote (or an installed plugin backend's name).")
    fallback_backend: str | None = Field(None, description="Backend to use when `backend` is down.")
    notes_dir: str | None = Field(None, description="Where notes are written.")
    note_filename: str = Field("{repo}/{date}.md", description="File name pattern under notes_dir.")
    language: Literal["ko", "en"] = Field("ko", description="Note language.")
    note_format: Literal["points", "direct"] = Field(
        "points",
        description="points: model lists points, tilgen renders; direct: model writes Markdown.",
    )
    author: str | None = Field(None, description="Author e-mail to select, or 'all'.")
    redact: bool = Field(True, description="Redact secrets before building the prompt.")
    ignore: list[str] = Field(default_factory=list, description="Extra gitignore-style patterns.")
    cache: bool = Field(True, description="Reuse a note when nothing changed.")
    notes_layout: Literal["plain", "obsidian", "jekyll", "hugo"] = Field(
        "plain", description="File names and front matter: plain | obsidian | jekyll | hugo."
    )
    index: bool = Field(True, description="Rewrite README.md in notes_dir after every save.")
    related: bool = Field(True, description="List a new note's 3 most related past notes.")
    repos: list[str] = Field(default_factory=list,
                             description="Repositories for `tilgen today --all` "
                                         "(user config only).")
    embedded: EmbeddedSettings = Field(default_factory=EmbeddedSettings)
    remote: RemoteSettings = Field(default_factory=RemoteSettings)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)

    @field_validator("note_filename")
    @classmethod
    def _stays_in_notes_dir(cls, value: str) -> str:
        return check_pattern(value)
