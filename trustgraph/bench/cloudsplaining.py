"""Cloudsplaining and trustgraph on the same exports: wall time per role.

Cloudsplaining (``cloudsplaining scan --input-file ACCOUNT.json``) reads one get-account-authorization-details file
per run; it is run on the first ``accounts`` account files, one after the other, and its total time divided by the
roles of those files. trustgraph's time per role is the whole ``trustgraph scan`` process over every file divided by
every role. The two tools do not answer the same question (Cloudsplaining reads permission policies and flags trust
policies syntactically; trustgraph solves every trust condition and every chain), so this compares cost, not
findings. Cloudsplaining is not a dependency: pass its executable (``python -m venv /tmp/cs-venv &&
/tmp/cs-venv/bin/pip install cloudsplaining``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from trustgraph.errors import UsageError


def account_files(directory: Path) -> list[tuple[Path, int]]:
    """The get-account-authorization-details files of a directory (sorted) with their role counts."""
    out = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "RoleDetailList" in data:
            out.append((path, len(data["RoleDetailList"])))
    return out


def make_venv(where: Path) -> Path:
    """Create a venv at ``where`` with Cloudsplaining installed; the path of its ``cloudsplaining`` script."""
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    subprocess.run([str(where / "bin" / "pip"), "install", "-q", "cloudsplaining"], check=True)
    return where / "bin" / "cloudsplaining"


def version(exe: str) -> str:
    """What ``cloudsplaining --version`` prints (empty when it prints nothing)."""
    try:
        proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"--cloudsplaining {exe}: cannot run it ({exc})") from None
    return (proc.stdout or proc.stderr).strip().splitlines()[-1] if (proc.stdout or proc.stderr).strip() else ""


def time_cloudsplaining(exe: str, files: list[tuple[Path, int]], limit: int | None) -> tuple[float, int, int]:
    """Seconds, files and roles scanned by Cloudsplaining (one process per account file, in sequence)."""
    total = 0.0
    roles = 0
    chosen = files[:limit] if limit else files
    with tempfile.TemporaryDirectory(prefix="cs-out-") as out:
        for path, n in chosen:
            start = time.perf_counter()
            try:
                proc = subprocess.run([exe, "scan", "--input-file", str(path), "--output", out,
                                       "--skip-open-report", "--flag-trust-policies"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            except OSError as exc:
                raise UsageError(f"--cloudsplaining {exe}: cannot run it ({exc.strerror or exc})") from None
            total += time.perf_counter() - start
            if proc.returncode != 0:
                last = proc.stderr.decode(errors="replace").strip().splitlines()
                raise UsageError(f"cloudsplaining failed on {path}: {last[-1] if last else proc.returncode}")
            roles += n
    return total, len(chosen), roles


def compare(directory: Path, exe: str, *, trustgraph_seconds: float, roles: int,
            accounts: int | None) -> dict[str, Any]:
    """Cloudsplaining on the first ``accounts`` account files of ``directory`` against a trustgraph scan of all of it
    that took ``trustgraph_seconds`` for ``roles`` roles; ``ratio`` is Cloudsplaining's time per role over
    trustgraph's (the issue's target: at least 50)."""
    files = account_files(directory)
    if not files:
        raise UsageError(f"no get-account-authorization-details files in {directory}")
    cs_seconds, cs_files, cs_roles = time_cloudsplaining(exe, files, accounts)
    cs_per_role = cs_seconds / max(1, cs_roles)
    tg_per_role = trustgraph_seconds / max(1, roles)
    return {"version": version(exe), "files": cs_files, "roles": cs_roles, "seconds": round(cs_seconds, 3),
            "ms_per_role": round(1000 * cs_per_role, 3), "trustgraph_seconds": round(trustgraph_seconds, 3),
            "trustgraph_ms_per_role": round(1000 * tg_per_role, 3),
            "ratio": round(cs_per_role / tg_per_role, 2) if tg_per_role > 0 else None}
