"""Small organizations the fast-path tests compare on: the bundled example, the two-account sample, and a profile of
``trustgraph synth`` at 3 accounts x 20 roles."""

from __future__ import annotations

from pathlib import Path

from trustgraph.api import TrustGraph, load

SAMPLE = Path(__file__).resolve().parent / "data" / "two-account-sample"


def small_org(name: str, seed: int, tmp_path: Path) -> TrustGraph:
    """``example``, ``sample``, or the synth profile ``name`` with ``seed`` (written under ``tmp_path``)."""
    if name == "example":
        return load()
    if name == "sample":
        return load(SAMPLE, zone=["111122223333", "o-a1b2c3d4e5"])
    from trustgraph.synth import synthesize

    folder = tmp_path / f"{name}-{seed}"
    synthesize(folder, accounts=3, roles_per_account=20, seed=seed, profile=name)
    return load(folder)
