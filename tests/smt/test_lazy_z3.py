"""z3 is loaded only when a question is encoded for it (trustgraph.smt.z3lazy), and that changes no finding.

Each check runs in a fresh interpreter (this one has loaded z3 long ago). ``z3.z3`` (the module with z3's terms and
solver, imported by the package's ``__init__``) tells whether z3 was executed: ``z3`` itself is in ``sys.modules``
from the first import of ``trustgraph.smt`` on, unexecuted until first used. The eager runs import z3 before
trustgraph, so ``z3lazy`` hands out the ordinary module: the reference the lazy runs are compared with.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

_SCAN = r"""
import json, sys
if sys.argv[1] == "eager":
    import z3
from trustgraph.cli.main import main
code = main(sys.argv[2:])
print(json.dumps({"code": code, "z3": "z3.z3" in sys.modules}))
"""

_IMPORT_ALL = r"""
import importlib, json, pkgutil, sys
import trustgraph.smt
names = sorted(m.name for m in pkgutil.iter_modules(trustgraph.smt.__path__, "trustgraph.smt."))
for name in names:
    importlib.import_module(name)
import trustgraph.smt.z3lazy as lazy
print(json.dumps({"modules": names, "z3": "z3.z3" in sys.modules, "same": lazy.z3 is sys.modules["z3"]}))
"""


def _scan(mode: str, folder: Path, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """({"code", "z3": whether z3 was executed}, the JSON report) of a scan of ``folder`` in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _SCAN, mode, "scan", str(folder), "--format", "json", "-o", str(out),
                           "--now", "2026-12-01T00:00:00Z", "--jobs", "1"], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), json.loads(out.read_text())


def _synth(tmp_path: Path, profile: str, seed: int) -> Path:
    from trustgraph.synth import synthesize

    folder = tmp_path / f"{profile}-{seed}"
    synthesize(folder, accounts=3, roles_per_account=20, seed=seed, profile=profile)
    return folder


def test_importing_every_smt_module_does_not_load_z3() -> None:
    done = subprocess.run([sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert "trustgraph.smt.permissions" in out["modules"] and "trustgraph.smt.symbolic" in out["modules"]
    assert out["z3"] is False  # no module builds a z3 term or runs `import z3` at import
    assert out["same"] is True  # the deferred module is the one `import z3` returns


def test_a_scan_that_encodes_nothing_for_z3_never_loads_it(tmp_path: Path) -> None:
    folder = _synth(tmp_path, "mix", 1)
    lazy, report = _scan("lazy", folder, tmp_path / "lazy.json")
    assert lazy["z3"] is False
    assert report["findings"]  # it ran the checks and found something
    eager, reference = _scan("eager", folder, tmp_path / "eager.json")
    assert eager["z3"] is True
    assert (lazy["code"], report) == (eager["code"], reference)


@pytest.mark.parametrize("name", ["condition-heavy", "sample"])
def test_a_scan_that_needs_z3_loads_it_and_finds_the_same(tmp_path: Path, name: str) -> None:
    if name == "sample":
        folder = Path(__file__).resolve().parents[1] / "data" / "two-account-sample"
    else:
        folder = _synth(tmp_path, name, 0)
    lazy, report = _scan("lazy", folder, tmp_path / "lazy.json")
    assert lazy["z3"] is True  # a question reached z3
    eager, reference = _scan("eager", folder, tmp_path / "eager.json")
    assert report["findings"]
    assert (lazy["code"], report) == (eager["code"], reference)


def test_deferred_registers_an_unloaded_module_and_leaves_a_loaded_one() -> None:
    from trustgraph.smt.z3lazy import deferred

    assert deferred("json") is sys.modules["json"]  # imported already: that module
    code = ("import sys, types; from trustgraph.smt.z3lazy import deferred; m = deferred('colorsys'); "
            "before = type(m) is types.ModuleType; h = m.rgb_to_hsv(1.0, 0.0, 0.0); "
            "after = type(m) is types.ModuleType; "
            "import colorsys; print(before, after, h == (0.0, 1.0, 1.0), colorsys is m is sys.modules['colorsys'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "True", "True"]  # unexecuted until read, then the module
