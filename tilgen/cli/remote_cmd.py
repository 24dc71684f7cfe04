"""`tilgen doctor` (health checks) and `tilgen serve` (the vLLM command for a team server)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from tilgen.cli import output
from tilgen.cli.errors import handle_errors
from tilgen.errors import ConfigError

_STYLE = {"ok": "green", "warn": "yellow", "fail": "red", "skip": "dim"}


def _repo_root(start: Path) -> Path | None:
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return None


RepoOpt = typer.Option(Path("."), "--repo", "-C",
                       help="Repository whose settings and hook to check (default: here).")
DoctorBackendOpt = typer.Option(None, "--backend", "-b", help="A backend's name, or all "
                                "installed (default: the configured backend and its fallback).")
JsonOpt = typer.Option(False, "--json", help="Print the checks as JSON.")
ModelOpt = typer.Option(None, "--model", "-m",
                        help="Hugging Face id of the base model (default: remote.model).")
ServedNameOpt = typer.Option(None, "--served-model-name",
                             help="Name clients ask for (default: --model).")
MaxLenOpt = typer.Option(8192, "--max-model-len", help="Context length in tokens.")
GpuMemOpt = typer.Option(0.90, "--gpu-memory-utilization",
                         help="Share of GPU memory vLLM may take.")
LoraOpt = typer.Option(None, "--lora", help="A LoRA adapter NAME=PATH (repeatable); clients "
                       "use NAME as remote.model.")
LoraRankOpt = typer.Option(None, "--max-lora-rank",
                           help="Largest adapter rank, rounded up to one vLLM accepts (1, 8, "
                           "16, 32, 64, 128, 256, 320, 512); read from a local adapter's "
                           "adapter_config.json when left out.")
TpOpt = typer.Option(1, "--tensor-parallel-size", "-tp", help="GPUs to split the model over.")
HostOpt = typer.Option(None, "--host", help="Address to listen on.")
PortOpt = typer.Option(None, "--port", help="Port (vLLM default: 8000).")
NoKeyOpt = typer.Option(False, "--no-api-key", help="Serve without a key.")
RunOpt = typer.Option(False, "--run", help="Start vLLM now (it must be installed).")


def doctor(
    repo: Path = RepoOpt, backend: str | None = DoctorBackendOpt, as_json: bool = JsonOpt,
) -> None:
    """Check the backends, the model, the team server and the git hook.

    Exits with 1 when a check fails.

    \b
    Examples:
      tilgen doctor
      tilgen doctor --backend remote
      tilgen doctor --backend all --json | jq '.[] | select(.status != "ok")'
    """
    def go() -> bool:
        from tilgen.backends import names
        from tilgen.config.layers import load_settings
        from tilgen.tools.doctor import run_checks

        installed = names()
        if backend not in (None, "all", *installed):
            raise ConfigError(f"unknown --backend {backend!r}; use {', '.join(installed)} or all")
        root = _repo_root(repo)
        settings = load_settings(repo_root=root).settings
        wanted = installed if backend == "all" else [backend] if backend else None
        with output.spinner("checking (the structured-output check asks the model once)"):
            checks = run_checks(settings, repo_root=root, backends=wanted)
        if as_json:
            sys.stdout.write(json.dumps([c.to_json() for c in checks], ensure_ascii=False,
                                        indent=2) + "\n")
        else:
            _table(checks)
        return any(c.status == "fail" for c in checks)

    if handle_errors(go):
        raise typer.Exit(1)


def _table(checks: list[Any]) -> None:
    """One table per checked thing (embedded, each server, the hook)."""
    from rich.table import Table

    console = output.console()
    targets = list(dict.fromkeys(c.target for c in checks))
    for target in targets:
        table = Table(title=target or None, title_justify="left", title_style="bold",
                      show_header=False, box=None, pad_edge=False)
        table.add_column("check", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("detail", overflow="fold")
        for c in (c for c in checks if c.target == target):
            table.add_row(c.name, f"[{_STYLE.get(c.status, '')}]{c.status}[/]", c.detail)
        console.print(table)


def serve(
    model: str | None = ModelOpt, served_model_name: str | None = ServedNameOpt,
    max_model_len: int = MaxLenOpt, gpu_memory_utilization: float = GpuMemOpt,
    lora: list[str] | None = LoraOpt, max_lora_rank: int | None = LoraRankOpt,
    tensor_parallel_size: int = TpOpt, host: str | None = HostOpt, port: int | None = PortOpt,
    no_api_key: bool = NoKeyOpt, run: bool = RunOpt,
) -> None:
    """Print (or run) the `vllm serve` command for a team server tilgen can use.

    The key is read from the variable named by remote.api_key_env; it is never printed.

    \b
    Examples:
      tilgen serve
      tilgen serve --model Qwen/Qwen2.5-Coder-7B-Instruct --max-model-len 16384
      tilgen serve --lora til-ko=/adapters/til-ko --run
    """
    def go() -> None:
        from tilgen.config.layers import load_settings
        from tilgen.tools import serve as core

        settings = load_settings(repo_root=_repo_root(Path("."))).settings
        argv = core.vllm_command(
            settings, model=model, served_model_name=served_model_name,
            gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len,
            lora_modules=lora or (), max_lora_rank=max_lora_rank,
            api_key_env="" if no_api_key else None, host=host, port=port,
            tensor_parallel_size=tensor_parallel_size)
        if run:
            core.run(argv)
            return
        sys.stdout.write(core.format_command(argv) + "\n")
        names = core.served_names(argv)
        if settings.remote.model not in names:
            output.status(f"clients ask for remote.model={settings.remote.model!r}; point them "
                          f"at this server with: tilgen config set remote.model {names[-1]}")

    handle_errors(go)
