"""The automatic torch thread count follows how busy the cores are right now."""

from __future__ import annotations

import sys

import pytest

from mosaicner.training import threads


def test_explicit_thread_count_is_kept() -> None:
    assert threads.resolve_threads(3) == 3


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/stat is Linux-only")
def test_busy_cores_is_a_measurement_in_range() -> None:
    busy = threads.busy_cores(0.1)
    assert busy is not None
    assert 0.0 <= busy <= (threads.os.cpu_count() or 1) + 1e-9


@pytest.mark.parametrize(("busy", "expected"), [(0.0, 4), (1.2, 3), (2.6, 1), (7.0, 1)])
def test_auto_threads_leave_busy_cores_alone(
    monkeypatch: pytest.MonkeyPatch, busy: float, expected: int
) -> None:
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(threads, "busy_cores", lambda sample_s=0.5: busy)
    assert threads.resolve_threads(None) == expected


def test_load_average_is_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads, "busy_cores", lambda sample_s=0.5: None)
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (1.9, 0.0, 0.0))
    assert threads.resolve_threads(None) == 1
