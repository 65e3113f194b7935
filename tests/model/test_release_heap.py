"""``release_free_heap`` hands glibc's free heap back after a bulk build; it changes no value, so what can be tested
is that it finds ``malloc_trim`` where the C library is glibc (else a load would silently keep its freed heap
resident) and answers False, without failing, where the C library has no such call."""

from __future__ import annotations

import ctypes
import platform

import pytest

from trustgraph.model.bulk import release_free_heap


def test_release_free_heap_finds_malloc_trim_exactly_on_glibc() -> None:
    junk = [bytes(200_000) for _ in range(50)]  # blocks from the C heap, then freed
    del junk
    assert release_free_heap() is (platform.libc_ver()[0] == "glibc")


class _LibcWithoutTrim:
    """A C library as musl's or macOS's: no ``malloc_trim`` symbol."""

    def __getattr__(self, name: str) -> object:
        raise AttributeError(name)


def test_release_free_heap_without_malloc_trim_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes, "CDLL", lambda _name: _LibcWithoutTrim())
    assert release_free_heap() is False


def test_release_free_heap_without_a_loadable_c_library_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(_name: object) -> object:
        raise OSError("no C library to load")

    monkeypatch.setattr(ctypes, "CDLL", refused)
    assert release_free_heap() is False
