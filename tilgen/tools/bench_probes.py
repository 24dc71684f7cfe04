"""Probes for ``tilgen bench``: host RSS, local GPUs (NVML), a vLLM server's metrics, llama.cpp.

Every probe is optional: a missing library or endpoint gives ``None``, shown as "n/a".
"""

from __future__ import annotations

import os
import re
import resource
import sys
import threading
import urllib.request
from typing import Any

# vLLM renamed its KV-cache gauge; both spellings are read (the value is a fraction 0..1).
VLLM_GAUGES = ("vllm:gpu_cache_usage_perc", "vllm:kv_cache_usage_perc")
_SAMPLE = re.compile(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+([-+0-9.eEinfNa]+)")


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (getrusage)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def rss_mb() -> float | None:
    """This process's resident memory now (psutil, when installed)."""
    try:
        import psutil
    except ImportError:
        return None
    return round(psutil.Process(os.getpid()).memory_info().rss / (1024 * 1024), 1)


def nvml_used_mb() -> dict[str, Any] | None:
    """Memory used on each local NVIDIA GPU and by this process, or None without NVML."""
    try:
        import pynvml  # type: ignore[import-not-found]

        pynvml.nvmlInit()
    except Exception:  # noqa: BLE001 - no driver, no library: no figure
        return None
    try:
        devices, mine = [], 0
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            info = pynvml.nvmlDeviceGetMemoryInfo(handle)
            name = pynvml.nvmlDeviceGetName(handle)
            devices.append({"name": name.decode() if isinstance(name, bytes) else str(name),
                            "used_mb": round(info.used / 2**20),
                            "total_mb": round(info.total / 2**20)})
            for proc in pynvml.nvmlDeviceGetComputeRunningProcesses(handle):
                if proc.pid == os.getpid() and proc.usedGpuMemory:
                    mine += proc.usedGpuMemory
        return {"devices": devices, "process_mb": round(mine / 2**20)}
    except Exception:  # noqa: BLE001
        return None
    finally:
        try:
            pynvml.nvmlShutdown()
        except Exception:  # noqa: BLE001
            pass


def vllm_cache_usage(root_url: str, *, timeout: float = 2.0) -> float | None:
    """A vLLM server's KV-cache usage in percent from ``<root>/metrics``; None elsewhere."""
    try:
        with urllib.request.urlopen(root_url.rstrip("/") + "/metrics", timeout=timeout) as resp:
            text = resp.read(4_000_000).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None
    values = []
    for line in text.splitlines():
        m = _SAMPLE.match(line)
        if m and m.group(1) in VLLM_GAUGES:
            try:
                values.append(float(m.group(3)))
            except ValueError:
                continue
    return round(max(values) * 100, 1) if values else None


class GpuSampler:
    """Polls GPU memory (local NVML, or a server's metrics) in the background; keeps the peak."""

    def __init__(self, *, metrics_roots: list[str] | None = None, interval: float = 0.5) -> None:
        self.roots = metrics_roots or []
        self.interval = interval
        self.peak_local_mb: int | None = None
        self.peak_server_cache_pct: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> GpuSampler:
        self.sample()
        if self.peak_local_mb is not None or self.peak_server_cache_pct is not None:
            self._thread.start()  # only poll what answered once
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.sample()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        local = nvml_used_mb() if not self.roots else None
        if local is not None:
            used = sum(d["used_mb"] for d in local["devices"])
            self.peak_local_mb = max(self.peak_local_mb or 0, used)
        for root in self.roots:
            pct = vllm_cache_usage(root)
            if pct is not None:
                self.peak_server_cache_pct = max(self.peak_server_cache_pct or 0.0, pct)

    def summary(self) -> dict[str, Any] | None:
        if self.peak_local_mb is None and self.peak_server_cache_pct is None:
            return None
        return {"peak_used_mb": self.peak_local_mb,
                "peak_server_kv_cache_pct": self.peak_server_cache_pct}


def llama_cpp_info() -> dict[str, Any] | None:
    """llama-cpp-python's version and the CPU features its build uses, when installed."""
    from tilgen.backends.embedded import import_llama_cpp

    try:
        llama_cpp = import_llama_cpp()
    except ImportError:
        return None
    try:
        info = llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip()
    except Exception:  # noqa: BLE001 - informational
        info = None
    return {"version": getattr(llama_cpp, "__version__", None), "system_info": info}
