"""What a ``trustgraph`` process pays before and around its work: the modules it imports and the cyclic collector.

A scan process imports what the scan runs and nothing more: no data-frame, plotting, schema, notebook, YAML or AWS
library, no renderer of another format, no notebook facade, no plot. The help, the version and the catalog of checks
import neither networkx nor z3. While the command line is parsed and while the scan imports, loads and builds its
graph (long-lived objects only), the cyclic collector is paused, and it is running again, with nothing left frozen,
once ``main`` has returned. Each import check runs in a fresh interpreter (this one has imported everything)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from typing import Any

import pytest

from trustgraph.cli.main import main

#: libraries a JSON scan must never import (each installed with the dev extras, so the check can fail)
NEVER_IN_SCAN = ("pandas", "matplotlib", "jsonschema", "IPython", "numpy", "yaml", "boto3", "botocore", "rich")
#: trustgraph modules a JSON scan does not need: the notebook facade, plots, other formats' renderers, the rim tools
NOT_FOR_JSON = ("trustgraph.api", "trustgraph.plot", "trustgraph.bench", "trustgraph.synth", "trustgraph.collect",
                "trustgraph.render.html", "trustgraph.render.sarif", "trustgraph.render.csv_report",
                "trustgraph.render.table", "trustgraph.render.notebook", "trustgraph.render.frames",
                "trustgraph.report.diff", "trustgraph.report.positions", "trustgraph.checks.frames",
                "trustgraph.queries.frames")

_IMPORTED = r"""
import json, sys
from trustgraph.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _imported(*args: str) -> tuple[int, set[str]]:
    """(exit code, modules imported) of ``main(args)`` in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _IMPORTED, *args], capture_output=True, text=True, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["code"], set(out["modules"])


def _under(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(n + ".") for n in names))


def test_a_json_scan_imports_only_what_it_runs() -> None:
    code, modules = _imported("scan", "--format", "json", "-o", "/dev/null", "--now", "2026-12-01T00:00:00Z")
    assert code == 1  # the bundled example has findings at high and above
    assert {"networkx", "z3", "trustgraph.render.json_report", "trustgraph.checks.registry"} <= modules  # it ran
    assert _under(modules, NEVER_IN_SCAN) == []
    assert _under(modules, NOT_FOR_JSON) == []


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("scan", "--help"), ("query", "--help"),
                                  ("scan", "--list-checks")])
def test_help_version_and_the_catalog_import_neither_networkx_nor_z3(args: tuple[str, ...]) -> None:
    code, modules = _imported(*args)
    assert code == 0
    assert _under(modules, ("networkx", "z3", "multiprocessing", *NEVER_IN_SCAN)) == []
    if args[0] != "scan":  # scan's help names its formats (the report modules); its catalog imports the checks
        assert _under(modules, ("trustgraph.checks", "trustgraph.ingest", "trustgraph.graph", "trustgraph.smt",
                                "trustgraph.queries", "orjson")) == []


def test_the_scan_head_runs_with_the_collector_paused_and_hands_it_back(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import trustgraph.cli.common as common
    import trustgraph.cli.main as cli_main
    import trustgraph.queries.graph_queries as graph_queries

    seen: dict[str, bool] = {}
    build_parser, load_inputs, queries = cli_main.build_parser, common.load_inputs, graph_queries.GraphQueries

    def parser(*a: Any, **k: Any) -> Any:
        seen["parser"] = gc.isenabled()
        return build_parser(*a, **k)

    def loading(*a: Any, **k: Any) -> Any:
        seen["load"] = gc.isenabled()
        return load_inputs(*a, **k)

    def graph(*a: Any, **k: Any) -> Any:
        seen["graph"] = gc.isenabled()
        return queries(*a, **k)

    monkeypatch.setattr(cli_main, "build_parser", parser)
    monkeypatch.setattr(common, "load_inputs", loading)
    monkeypatch.setattr(graph_queries, "GraphQueries", graph)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert main(["scan", "--format", "json", "--now", "2026-12-01T00:00:00Z", "--jobs", "1"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"]
    assert seen == {"parser": False, "load": False, "graph": False}
    assert gc.isenabled() and gc.get_freeze_count() == 0
    # a usage error inside the paused head re-enables the collector too
    assert main(["scan", "--check", "no-such-check"]) == 2
    assert gc.isenabled() and gc.get_freeze_count() == 0
