"""Ask ``trustgraph query`` every reachability question of ``datasets/expected/example-org.json`` and compare.

Not collected by pytest (the golden tests belong to the query suite); run it by hand while the analyzer evolves::

    python tests/datasets/run_expected_queries.py        # prints one line per question, exit 1 on a mismatch

Each expected entry becomes ``trustgraph query datasets/example-org --zone-file datasets/example-org/zone.toml
--from FROM --to TO [--without K]... [--given K=V]... [--closed] --format json``; a reachable answer must have the
expected number of hops, an unreachable one no reachable result, and ``blocked_by`` (when given) must appear in the
reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "datasets" / "expected" / "example-org.json"


def query_args(entry: dict[str, Any]) -> list[str]:
    """The ``trustgraph query`` arguments (after the paths and zone) for one expected entry."""
    args = ["--from", entry["from"], "--to", entry["to"], "--format", "json"]
    for key in entry["without"]:
        args += ["--without", key]
    for key, value in (entry.get("given") or {}).items():
        args += ["--given", f"{key}={json.dumps(value) if isinstance(value, list) else value}"]
    if entry.get("closed"):
        args.append("--closed")
    return args


def zone_args(zone: dict[str, Any]) -> list[str]:
    """``--zone-file`` when the zone names one or sets ``identity_center`` (written to a temporary file), else
    ``--zone`` per account and organization."""
    if zone.get("zone_file"):
        return ["--zone-file", str(ROOT / zone["zone_file"])]
    if "identity_center" in zone:
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as fh:
            fh.write(f"accounts = {json.dumps(zone['accounts'])}\norganizations = {json.dumps(zone['organizations'])}"
                     f"\nidentity_center = {json.dumps(zone['identity_center'])}\n")
        return ["--zone-file", fh.name]
    return [arg for ident in [*zone["accounts"], *zone["organizations"]] for arg in ("--zone", ident)]


def questions(expected: dict[str, Any]) -> Iterator[tuple[str, list[str], str, dict[str, Any]]]:
    """(label, zone arguments, expected verdict, entry) for the main zone and every variant."""
    for label, block in [("main", expected), *((v["name"], v) for v in expected["variants"])]:
        zargs = zone_args(block["zone"] if label != "main" else expected["zone"])
        for verdict in ("reachable", "unreachable"):
            for entry in block[verdict]:
                yield label, zargs, verdict, entry


def ask(zargs: list[str], entry: dict[str, Any]) -> tuple[str, int | None, str]:
    """(verdict, hops of the shortest reachable result, reason) as the CLI answers."""
    cmd = [sys.executable, "-m", "trustgraph.cli.main", "query", str(ROOT / "datasets" / "example-org"), *zargs,
           *query_args(entry)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return "error", None, proc.stderr.strip()
    results = json.loads(proc.stdout)["results"]
    reachable = [r for r in results if r["verdict"] == "reachable"]
    if reachable:
        return "reachable", min(len(r["hops"]) for r in reachable), ""
    unknown = [r for r in results if r["verdict"] == "unknown"]
    if unknown:
        return "unknown", None, str(unknown[0].get("reason"))
    return "unreachable", None, " ".join(str(r.get("reason") or "") for r in results)


def main() -> int:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    bad = 0
    for label, zargs, verdict, entry in questions(expected):
        got, hops, reason = ask(zargs, entry)
        ok = got == verdict and (verdict != "reachable" or hops == entry["hops"])
        if ok and entry.get("blocked_by"):
            ok = entry["blocked_by"].split("#", 1)[1] in reason
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} [{label[:12]}] {entry['from']} -> {entry['to']} without={entry['without']}: "
              f"expected {verdict}{'/' + str(entry.get('hops')) if verdict == 'reachable' else ''}, got {got}"
              f"{'/' + str(hops) if hops else ''}{'' if ok or not reason else ' (' + reason[:160] + ')'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
