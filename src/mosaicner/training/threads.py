"""How many torch threads a run uses: as configured, or the cores that are idle right now."""

from __future__ import annotations

import os
import time


def resolve_threads(requested: int | None, sample_s: float = 0.5) -> int:
    """torch threads: as configured, or (``None``) the cores not busy right now.

    On a shared CPU, torch threads spin-wait: with more runnable processes than cores, two
    threads can be several times slower than one, so the automatic choice measures how busy the
    cores are over ``sample_s`` seconds (``/proc/stat``).  The one-minute load average is only the
    fallback: it still counts work that has just finished (``pip install`` right before a run
    would make an idle 2-core machine look busy and halve the training speed).
    """
    if requested:
        return int(requested)
    cpus = os.cpu_count() or 1
    busy = busy_cores(sample_s)
    if busy is None:
        try:
            busy = os.getloadavg()[0]
        except OSError:
            busy = 0.0
    return max(1, min(cpus, int(cpus - busy + 0.5)))


def _cpu_times() -> tuple[int, int] | None:
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    values = [int(v) for v in fields[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values), idle


def busy_cores(sample_s: float = 0.5) -> float | None:
    """How many cores other processes keep busy, measured over ``sample_s`` (Linux only)."""
    first = _cpu_times()
    if first is None:
        return None
    time.sleep(sample_s)
    second = _cpu_times()
    if second is None or second[0] <= first[0]:
        return None
    total, idle = second[0] - first[0], second[1] - first[1]
    return (os.cpu_count() or 1) * (1.0 - idle / total)


__all__ = ["busy_cores", "resolve_threads"]
