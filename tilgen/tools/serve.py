"""The `vllm serve` command line for a team server that tilgen's remote backend can use.

The API key is never written into the command: the printed form references the environment
variable (``--api-key "$TILGEN_API_KEY"``), and running it hands the key to vLLM through its
own ``VLLM_API_KEY`` variable so it does not show up in the process list.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from collections.abc import Sequence

from tilgen.config.settings import RemoteSettings, Settings
from tilgen.errors import ConfigError, TilgenError

_ENV_REF = re.compile(r"^\$[A-Za-z_][A-Za-z0-9_]*$")
# The only values vLLM's --max-lora-rank accepts (0.11 to 0.33); it refuses to start otherwise.
LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
DEFAULT_LORA_RANK = 16  # vLLM's own default


def lora_rank(rank: int) -> int:
    """The smallest rank vLLM accepts that holds an adapter of ``rank``."""
    for allowed in LORA_RANKS:
        if allowed >= rank:
            return allowed
    raise ConfigError(f"--max-lora-rank {rank} is above vLLM's largest ({LORA_RANKS[-1]})")


def adapter_rank(path: str) -> int | None:
    """The rank ``r`` in a local PEFT adapter's adapter_config.json, if it can be read."""
    try:
        with open(os.path.join(path, "adapter_config.json"), encoding="utf-8") as fh:
            rank = json.load(fh).get("r")
    except (OSError, ValueError, AttributeError):
        return None
    return rank if isinstance(rank, int) and rank > 0 else None


def vllm_command(
    settings: Settings,
    *,
    model: str | None = None,
    served_model_name: str | None = None,
    gpu_memory_utilization: float = 0.90,
    max_model_len: int = 8192,
    lora_modules: Sequence[str] = (),
    max_lora_rank: int | None = None,
    api_key_env: str | None = None,
    host: str | None = None,
    port: int | None = None,
    tensor_parallel_size: int = 1,
) -> list[str]:
    """``vllm serve`` arguments. ``api_key_env=""`` leaves the server without a key."""
    if model is None:
        # remote.model may name one of the adapters; the base is then the default model.
        adapters = {item.partition("=")[0] for item in lora_modules}
        model = settings.remote.model
        if model in adapters:
            model = str(RemoteSettings.model_fields["model"].default)
    if "/" not in model:
        raise ConfigError(f"{model!r} is not a Hugging Face model id; pass --model with the "
                          "base model, e.g. Qwen/Qwen2.5-Coder-1.5B-Instruct")
    if not 0.0 < gpu_memory_utilization <= 1.0:
        raise ConfigError("--gpu-memory-utilization must be in (0, 1], e.g. 0.90")
    argv = ["vllm", "serve", model, "--served-model-name", served_model_name or model,
            "--max-model-len", str(max_model_len),
            "--gpu-memory-utilization", f"{gpu_memory_utilization:g}",
            # usage.prompt_tokens_details.cached_tokens: prefix reuse shows in `tilgen bench`
            "--enable-prompt-tokens-details"]
    if tensor_parallel_size > 1:
        argv += ["--tensor-parallel-size", str(tensor_parallel_size)]
    if host:
        argv += ["--host", host]
    if port:
        argv += ["--port", str(port)]
    env = settings.remote.api_key_env if api_key_env is None else api_key_env
    if env:
        argv += ["--api-key", f"${env}"]
    if lora_modules:
        for item in lora_modules:
            name, sep, path = item.partition("=")
            if not (sep and name and path):
                raise ConfigError(f"--lora {item!r} must be NAME=PATH, "
                                  "e.g. til-ko=/adapters/til-ko")
        # vLLM: --enable-lora --lora-modules name=path [name=path ...]
        argv += ["--enable-lora", "--lora-modules", *lora_modules]
        # Adapters found on this machine tell their rank; a server needs the largest.
        ranks = [r for r in (adapter_rank(i.partition("=")[2]) for i in lora_modules) if r]
        rank = max([max_lora_rank or 0, *ranks])
        if rank and lora_rank(rank) != DEFAULT_LORA_RANK:
            argv += ["--max-lora-rank", str(lora_rank(rank))]
    return argv


def served_names(argv: Sequence[str]) -> list[str]:
    """The model names clients can request from a server started with ``argv``."""
    names = [argv[argv.index("--served-model-name") + 1]] if "--served-model-name" in argv else []
    if "--lora-modules" in argv:
        for item in argv[argv.index("--lora-modules") + 1:]:
            if item.startswith("--"):
                break
            names.append(item.partition("=")[0])
    return names


def format_command(argv: Sequence[str]) -> str:
    """A copy-pasteable shell line, one option per line; env references stay expandable."""
    def quote(arg: str) -> str:
        return f'"{arg}"' if _ENV_REF.match(arg) else shlex.quote(arg)

    head = " ".join(quote(arg) for arg in argv[:3])  # vllm serve MODEL
    groups: list[str] = []
    for arg in argv[3:]:
        if arg.startswith("--") or not groups:
            groups.append(quote(arg))
        else:
            groups[-1] += " " + quote(arg)
    return " \\\n  ".join([head, *groups])


def run(argv: Sequence[str]) -> None:
    """Replace this process with vLLM; the key goes through VLLM_API_KEY, not the argv."""
    exe = shutil.which(argv[0])
    if exe is None:
        raise TilgenError("vllm is not installed here; on a GPU machine run: pip install vllm "
                          "(or use deploy/docker-compose.yml), then tilgen serve --run")
    args, env = list(argv), dict(os.environ)
    if "--api-key" in args:
        i = args.index("--api-key")
        var = args[i + 1].lstrip("$")
        if not env.get(var):
            raise ConfigError(f"{var} is not set; set it to the key clients will send "
                              "(or pass --no-api-key for a server without one)")
        env["VLLM_API_KEY"] = env[var]
        del args[i:i + 2]
    os.execvpe(exe, args, env)
