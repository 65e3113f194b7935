"""``release_free_heap`` hands glibc's free heap back after a bulk build; it changes no value, so what can be tested
is that it finds ``malloc_trim`` where the C library is glibc (else a load would silently keep its freed heap
resident) and is a no-op answer elsewhere."""

from __future__ import annotations

import platform

import pytest

from trustgraph.model.bulk import release_free_heap


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_release_free_heap_finds_malloc_trim_on_glibc() -> None:
    junk = [bytes(200_000) for _ in range(50)]  # blocks from the C heap, then freed
    del junk
    assert release_free_heap() is True


@pytest.mark.skipif(platform.libc_ver()[0] == "glibc", reason="elsewhere there is no malloc_trim")
def test_release_free_heap_without_glibc_says_so() -> None:
    assert release_free_heap() is False
