"""What `tilgen init` recommends and writes: ordinary settings in the user config file
(through :mod:`tilgen.config.edit`, so `tilgen config show` explains each), the hook, a model.

The model rule: the default qwen2.5-coder-1.5b peaks at about 2.2 GB of memory and writes a
note about 1.8 times slower than qwen2.5-coder-0.5b (0.8 GB; docs/PERFORMANCE.md, 2 cores),
while its Korean is better; with fewer than ``MIN_CORES`` cores or less than ``MIN_MEMORY``
of memory (other programs need the rest) the 0.5B is recommended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from tilgen.config.settings import Settings
from tilgen.setup.machine import GIB, Machine

SMALL, DEFAULT = "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"
MIN_CORES, MIN_MEMORY = 4, 8 * GIB
RULE = (f"{DEFAULT} with at least {MIN_CORES} cores and {MIN_MEMORY // GIB} GiB of memory, "
        f"else {SMALL}")
HOOK_CHOICES = ("here", "global", "none")


@dataclass(frozen=True)
class Recommendation:
    model: str
    reason: str
    gpu_hint: str = ""


def recommend(machine: Machine) -> Recommendation:
    """The model that fits ``machine`` by :data:`RULE`, and why, in one line."""
    gpu_hint = ""
    if machine.gpus:
        gpu_hint = ("a GPU is present: the engine install.sh sets up runs on the CPU; a CUDA "
                    "build of llama-cpp-python (CMAKE_ARGS=-DGGML_CUDA=on) with "
                    "embedded.n_gpu_layers = -1 would use it, or serve a model for the team "
                    "with `tilgen serve`")
    if machine.memory and machine.memory < MIN_MEMORY:
        why = f"{machine.memory / GIB:.1f} GiB of memory is under {MIN_MEMORY // GIB} GiB"
        return Recommendation(SMALL, why, gpu_hint)
    if machine.cores < MIN_CORES:
        why = (f"{machine.cores} CPU cores are fewer than {MIN_CORES}: the 0.5B writes a note "
               "about 1.8x faster, in weaker Korean")
        return Recommendation(SMALL, why, gpu_hint)
    return Recommendation(DEFAULT, f"{machine.cores} cores and {machine.memory / GIB:.0f} GiB "
                          "are enough for the default model", gpu_hint)


def layouts() -> list[str] | None:
    """The note layouts this version knows (the ``notes_layout`` setting), or None."""
    info = Settings.model_fields.get("notes_layout")
    if info is None:
        return None
    return [str(v) for v in get_args(info.annotation)] or None


@dataclass
class Choices:
    """The answers: from prompts, or from flags with ``--yes``."""

    backend: str = "embedded"  # embedded | remote
    model: str | None = None  # embedded model name (default: the recommendation)
    server_url: str | None = None
    key_env: str | None = None
    server_model: str | None = None
    notes_dir: str | None = None
    notes_layout: str | None = None
    hook: str = "none"  # here | global | none


@dataclass
class Plan:
    config_file: Path
    settings: list[tuple[str, str]] = field(default_factory=list)  # (key, value as text)
    hook: str = "none"
    pull: str | None = None  # the model to download

    def lines(self) -> list[str]:
        """What will be done, for the reader to confirm."""
        out = [f"write {self.config_file}:"] + [f"  {k} = {v}" for k, v in self.settings]
        if self.hook != "none":
            out.append("install the post-commit hook " + ("globally (core.hooksPath)"
                                                          if self.hook == "global"
                                                          else "in this repository"))
        if self.pull:
            out.append(f"download {self.pull} (if not downloaded yet)")
        return out


def make_plan(choices: Choices, *, recommendation: Recommendation,
              config_file: Path | None = None) -> Plan:
    """The settings to write for ``choices``, each validated now (nothing is written yet)."""
    from tilgen import paths
    from tilgen.config.keys import parse_raw
    from tilgen.errors import ConfigError

    plan = Plan(config_file=config_file or paths.user_config_file(), hook=choices.hook)
    if choices.hook not in HOOK_CHOICES:
        raise ConfigError(f"unknown hook choice {choices.hook!r}; use {', '.join(HOOK_CHOICES)}")
    if choices.backend not in ("embedded", "remote"):
        raise ConfigError(f"unknown backend {choices.backend!r}; use embedded or remote")
    plan.settings.append(("backend", choices.backend))
    if choices.backend == "embedded":
        from tilgen.backends.modelstore import MODELS

        model = choices.model or recommendation.model
        if model.endswith(".gguf"):
            plan.settings.append(("embedded.model_path", str(Path(model).expanduser())))
        elif model in MODELS:
            plan.settings.append(("embedded.model", model))
            plan.pull = model
        else:
            raise ConfigError(f"unknown model {model!r}; known models: {', '.join(MODELS)} "
                              "(or a .gguf path)")
    else:
        if not choices.server_url:
            raise ConfigError("a team server needs its URL: --server-url http://HOST:8000/v1")
        plan.settings.append(("remote.base_urls", choices.server_url))
        if choices.key_env:
            plan.settings.append(("remote.api_key_env", choices.key_env))
        if choices.server_model:
            plan.settings.append(("remote.model", choices.server_model))
    if choices.notes_dir:
        plan.settings.append(("notes_dir", str(Path(choices.notes_dir).expanduser())))
    if choices.notes_layout:
        if layouts() is None:
            raise ConfigError("this version of tilgen has one note layout; leave out --layout")
        plan.settings.append(("notes_layout", choices.notes_layout))
    for key, raw in plan.settings:
        parse_raw(key, raw, origin="tilgen init")
    return plan


def write_config(plan: Plan) -> None:
    """Write every setting of ``plan`` into its config file, keeping what else is there."""
    from tilgen.config.edit import set_value

    plan.config_file.parent.mkdir(parents=True, exist_ok=True)
    for key, raw in plan.settings:
        set_value(plan.config_file, key, raw)


def install_hook(plan: Plan, repo_root: Path | None) -> Any:
    """The hook where ``plan`` says (None for "none")."""
    from tilgen.errors import TilgenError
    from tilgen.hook.install import install

    if plan.hook == "none":
        return None
    if plan.hook == "here" and repo_root is None:
        raise TilgenError("not in a git repository: run tilgen init inside one to install the "
                          "hook here, or choose --hook global")
    return install(repo_root, global_=plan.hook == "global")


def settings_for(plan: Plan, repo_root: Path | None) -> Settings:
    """The settings as they resolve once ``plan`` is written (for a doctor check first)."""
    from tilgen.config.layers import load_settings

    return load_settings(repo_root=repo_root, cli=dict(plan.settings)).settings
