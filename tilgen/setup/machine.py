"""What this machine offers a local model: cores, memory and an NVIDIA GPU if any."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass

GIB = 1 << 30


@dataclass(frozen=True)
class Gpu:
    name: str
    memory: int  # bytes; 0 when nvidia-smi does not say


@dataclass(frozen=True)
class Machine:
    cores: int
    memory: int  # bytes of RAM; 0 when unknown
    gpus: tuple[Gpu, ...] = ()

    def describe(self) -> str:
        memory = f"{self.memory / GIB:.0f} GiB memory" if self.memory else "memory unknown"
        gpu = ", ".join(f"{g.name} ({g.memory / GIB:.0f} GiB)" if g.memory else g.name
                        for g in self.gpus) or "no NVIDIA GPU"
        return f"{self.cores} CPU cores, {memory}, {gpu}"


def read_machine() -> Machine:
    """Cores this process may use, total memory, and the GPUs nvidia-smi lists."""
    return Machine(cores=_cores(), memory=_memory(), gpus=_gpus())


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _memory() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return 0


def _gpus() -> tuple[Gpu, ...]:
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return ()
    try:
        query = ["--query-gpu=name,memory.total", "--format=csv,noheader,nounits"]
        out = subprocess.run([smi, *query], capture_output=True, text=True, timeout=10,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return (Gpu("an NVIDIA GPU (nvidia-smi did not answer)", 0),)
    gpus = []
    for line in out.strip().splitlines():
        name, _, mib = line.rpartition(",")
        try:
            gpus.append(Gpu(name.strip() or "NVIDIA GPU", int(float(mib)) << 20))
        except ValueError:
            gpus.append(Gpu(line.strip(), 0))
    return tuple(gpus)
