"""The data that ships with trustgraph (the ``datasets/`` folder, installed as ``trustgraph.datasets``).

Notebooks and scripts find it from any working directory:

>>> import trustgraph.datasets as data
>>> (data.example_org() / "zone.toml") == data.example_zone_file()
True
>>> tg = trustgraph.load(data.example_org(), zone_file=data.example_zone_file())  # doctest: +SKIP

``example_org()`` is the bundled example organization (three accounts of ``o-exampleorg1`` and an exported vendor
account; its ``README.md`` tells its story) and ``example_zone_file()`` the zone of trust it is meant to be read
under. ``expected()`` holds the example's intended answers, which the test suite checks.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def example_org() -> Path:
    """The folder of the bundled example organization's exports (``datasets/example-org``)."""
    return _HERE / "example-org"


def example_zone_file() -> Path:
    """The example organization's zone of trust (its accounts, organization and the identity providers it runs)."""
    return example_org() / "zone.toml"


def expected() -> Path:
    """The folder of the example's intended answers (``datasets/expected``)."""
    return _HERE / "expected"
