"""The zone of trust from --zone and --zone-file."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustgraph.errors import IngestError, UsageError
from trustgraph.ingest.load import load_estate
from trustgraph.ingest.zone_file import zone_from_options

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def estate():  # type: ignore[no-untyped-def]
    return load_estate([SAMPLE])


def test_default_zone(estate) -> None:  # type: ignore[no-untyped-def]
    zone = zone_from_options(estate, [], None)
    assert zone == estate.default_zone() and zone.source == "default"


def test_zone_ids(estate) -> None:  # type: ignore[no-untyped-def]
    zone = zone_from_options(estate, ["111122223333", "o-a1b2c3d4e5"], None)
    assert (zone.accounts, zone.organizations, zone.source) == ({"111122223333"}, {"o-a1b2c3d4e5"}, "--zone")
    assert not estate.account_inside(zone, "444455556666")


@pytest.mark.parametrize("bad", ["1111", "o-", "arn:aws:iam::111122223333:root", "O-A1B2C3D4E5"])
def test_bad_zone_id(estate, bad: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError) as info:
        zone_from_options(estate, [bad], None)
    assert str(info.value) == f"--zone `{bad}`: expected a 12-digit account id or an organization id (o-...)"


def test_zone_file(estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "zone.toml"
    path.write_text('accounts = ["444455556666"]\norganizations = []\n\n[[identity_providers]]\n'
                    'provider = "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com"\n'
                    'subjects = ["repo:example-org/*"]\n\n[[identity_providers]]\nprovider = "accounts.google.com"\n')
    zone = zone_from_options(estate, ["o-a1b2c3d4e5"], str(path))
    assert zone.accounts == {"444455556666"} and zone.organizations == {"o-a1b2c3d4e5"}
    assert zone.source == f"{path} + --zone"
    gh, google = zone.identity_providers
    assert gh.names("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
    assert not gh.names("arn:aws:iam::111122223333:oidc-provider/gitlab.com")
    assert gh.subjects == ("repo:example-org/*",) and google.subjects is None
    assert zone.describe()["identity_providers"][1] == {"provider": "accounts.google.com", "subjects": None}


@pytest.mark.parametrize(("text", "expected"), [
    ('acounts = ["111122223333"]', "#/acounts: unknown key `acounts` (expected accounts, organizations, "
                                   "identity_center or identity_providers)"),
    ('identity_center = "out"', '#/identity_center: expected "inside" or "outside", got `out`'),
    ("identity_center = false", '#/identity_center: expected "inside" or "outside", got a boolean'),
    ('identity_center = ["outside"]', '#/identity_center: expected "inside" or "outside", got a list'),
    ("accounts = [111122223333]", "#/accounts/0: expected account id as a string, got a number (write account ids "
                                  "as quoted strings)"),
    ('accounts = "111122223333"', "#/accounts: expected a list of account ids, got a string"),
    ('accounts = ["11112222333"]', "#/accounts/0: expected a 12-digit account id, got `11112222333`"),
    ('organizations = ["r-ab12"]', "#/organizations/0: expected an organization id o-..., got `r-ab12`"),
    ('[[identity_providers]]\nsubjects = ["x"]', "#/identity_providers/0: expected `provider` as a provider ARN glob "
                                                 "or built-in IdP name"),
    ('[[identity_providers]]\nprovider = "x"\nsubject = ["x"]', "#/identity_providers/0/subject: unknown key "
                                                                "`subject` (expected provider or subjects)"),
    ('[[identity_providers]]\nprovider = "x"\nsubjects = "x"', "#/identity_providers/0/subjects: expected a list of "
                                                               "subject globs, got a string"),
    ("accounts = [", "#: invalid TOML: Invalid value (at end of document)"),
])
def test_bad_zone_file(estate, tmp_path: Path, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "zone.toml"
    path.write_text(text + "\n")
    with pytest.raises(IngestError) as info:
        zone_from_options(estate, [], str(path))
    assert str(info.value) == f"{path}{expected}"


def test_missing_zone_file(estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IngestError, match=r"zone\.toml#: no such file or directory$"):
        zone_from_options(estate, [], str(tmp_path / "zone.toml"))
