"""Each ``trustgraph synth --profile`` shape: loadable exports, the property its name promises, reproducible bytes.

The ``mix`` profile is the default and its bytes are pinned (golden digests below): the bundled datasets, the golden
tests and the published bench figures were made from it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from trustgraph.cli.main import main
from trustgraph.ingest.load import load_estate
from trustgraph.synth import PROFILES, synthesize

NEW_PROFILES = ("federation-heavy", "chain-heavy", "vendor-heavy", "condition-heavy", "random")

#: sha256 over (name, bytes) of every file, for `synthesize(accounts, roles_per_account, seed)` of the mix profile,
#: recorded before synth.py became a package: the split must not change a byte
MIX_DIGESTS = {
    (2, 5, 1): "e2adbaa69dd68e5e0650f13b2790ad2171ed573ce716801126f339b89e5bf2c2",
    (3, 40, 7): "0e329dd96a130faea199ee5ad389202bd151cb8c1f6b84d09466301f0ff166bd",
    (6, 60, 3): "91917d4f452f986367e9ca9518c882afefc9cd51992b1fb7a61436b92b45b716",
}

#: the same digest for `synthesize(3, 40, 5, profile)` of the named profiles, recorded when the ``random`` profile was
#: added (it reuses their makers and writers: they must not change a byte)
PROFILE_DIGESTS = {
    "mix": "cbf211eaca848f49dd271b21321a611d4835c25c6a138ff744bf76c9780ff135",
    "federation-heavy": "81bdb9d2f0d89b7559c0fdecbc8912557497e5cdf3ff52b6c396e3eb807050bf",
    "chain-heavy": "e9c76983ac9a6b08a535bdfb74fdff70ee7249357b7a303f019acc797d85eda5",
    "vendor-heavy": "1cbf5ac04aebbc215e5c597b7e5fc34217fcc7b1aa750c277f38e33af6c5e7a8",
    "condition-heavy": "e82319d9738524c77dde3ae282379afc8b570f41a2cdd10da5418a5a39070c36",
}

#: the same digest for `synthesize(3, 40, seed, "random")` (seeds whose shapes draw the conditioned kinds, outside
#: vendors, pipelines and hubs), recorded before the random profile's copies of the condition-heavy and vendor-heavy
#: makers were folded into those makers' hooks: the random organizations measured in WILD-FINDINGS must not change
RANDOM_DIGESTS = {
    1: "39a104909e343aec4fc407bccf47471ab8b557e9385e5165a41b0737398fc331",
    2: "f74f6cbede9dbd406becd5e66d89cf725fcbf3e8479630cbcb8543b901bf445d",
    4: "10431393d05556fdc22f02a70c562205aaa8951fd521f8390dfc8965b8d40a4a",
    6: "74ea7d41545804b0bf5ea503fcb97d3bbdf1e73bbb23e9a01d05a61b9fe2a4a7",
}


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def gaads(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_bytes()) for p in sorted(folder.glob("gaad-*.json"))]


def roles(folder: Path) -> list[dict[str, Any]]:
    return [r for g in gaads(folder) for r in g["RoleDetailList"]]


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return list(role["AssumeRolePolicyDocument"]["Statement"])


def principals(st: dict[str, Any], kind: str) -> list[str]:
    value = st.get("Principal", {}).get(kind, [])
    return [value] if isinstance(value, str) else list(value)


def is_admin(role: dict[str, Any]) -> bool:
    return any(p["PolicyArn"] == "arn:aws:iam::aws:policy/AdministratorAccess" for p in role["AttachedManagedPolicies"])


@pytest.fixture(scope="module")
def orgs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    out = {}
    for name in NEW_PROFILES:
        folder = tmp_path_factory.mktemp(name)
        out[name] = folder, synthesize(folder, accounts=4, roles_per_account=120, seed=7, profile=name)
    return out


@pytest.mark.parametrize("key", sorted(MIX_DIGESTS))
def test_mix_bytes_are_unchanged(tmp_path: Path, key: tuple[int, int, int]) -> None:
    accounts, per_account, seed = key
    synthesize(tmp_path, accounts=accounts, roles_per_account=per_account, seed=seed)
    assert digest(tmp_path) == MIX_DIGESTS[key]
    explicit = tmp_path / "explicit"
    synthesize(explicit, accounts=accounts, roles_per_account=per_account, seed=seed, profile="mix")
    assert digest(explicit) == MIX_DIGESTS[key]


@pytest.mark.parametrize("name", sorted(PROFILE_DIGESTS))
def test_named_profile_bytes_are_unchanged(tmp_path: Path, name: str) -> None:
    synthesize(tmp_path, accounts=3, roles_per_account=40, seed=5, profile=name)
    assert digest(tmp_path) == PROFILE_DIGESTS[name]


@pytest.mark.parametrize("seed", sorted(RANDOM_DIGESTS))
def test_random_profile_bytes_are_unchanged(tmp_path: Path, seed: int) -> None:
    synthesize(tmp_path, accounts=3, roles_per_account=40, seed=seed, profile="random")
    assert digest(tmp_path) == RANDOM_DIGESTS[seed]


def test_random_profile_reuses_the_named_profiles_makers() -> None:
    """The random profile's conditioned trusts and outside vendors are the condition-heavy and vendor-heavy makers
    with the shape's proportions plugged into their hooks, not copies of them."""
    from trustgraph.synth.conditions import ConditionBuilder
    from trustgraph.synth.random_profile import RandomBuilder
    from trustgraph.synth.vendors import VendorBuilder

    assert RandomBuilder.condition is ConditionBuilder.condition
    assert RandomBuilder.statements is ConditionBuilder.statements
    assert RandomBuilder.role_outside_vendor is VendorBuilder.role_outside_vendor
    assert RandomBuilder.vendor is VendorBuilder.vendor
    builder = RandomBuilder(3, 40, 6)
    assert builder.pool_size() == builder.shape.vendor_pool
    assert builder.key_span(4) == builder.shape.keys
    assert builder.deny_share == builder.shape.deny_share
    assert VendorBuilder(3, 40, 6).pool_size() == len(VendorBuilder(3, 40, 6).pool)


@pytest.mark.parametrize("name", NEW_PROFILES)
def test_profile_is_reproducible_and_seeded(tmp_path: Path, name: str) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder, seed in ((a, 5), (b, 5), (c, 6)):
        synthesize(folder, accounts=3, roles_per_account=40, seed=seed, profile=name)
    assert digest(a) == digest(b) != digest(c)


@pytest.mark.parametrize("name", NEW_PROFILES)
def test_profile_loads_with_the_requested_counts(orgs: dict[str, tuple[Path, Any]], name: str) -> None:
    folder, summary = orgs[name]
    estate = load_estate([folder])
    assert summary.profile == name and f"profile {name}" in summary.describe()
    assert len(estate.accounts) == 4
    assert sum(len(a.roles) for a in estate.accounts) == summary.roles == 480
    (org,) = estate.organizations
    assert org.org_id == summary.org_id
    for g in gaads(folder):
        names = [r["RoleName"] for r in g["RoleDetailList"]]
        assert len(names) == len(set(names)) == 120
        for role in g["RoleDetailList"]:
            assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"]), role["RoleId"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", role["CreateDate"])
            assert role["Path"].startswith("/") and role["Path"].endswith("/")
            assert role["Arn"] == f"arn:aws:iam::{role['Arn'].split(':')[4]}:role{role['Path']}{role['RoleName']}"
        attached = {ref["PolicyArn"] for key in ("UserDetailList", "GroupDetailList", "RoleDetailList")
                    for entity in g[key] for ref in entity["AttachedManagedPolicies"]}
        assert attached == {p["Arn"] for p in g["Policies"]}


def test_federation_heavy_has_every_provider_in_every_account_and_admins_behind_them(
        orgs: dict[str, tuple[Path, Any]]) -> None:
    folder, _ = orgs["federation-heavy"]
    accounts = [p.stem.removeprefix("gaad-") for p in sorted(folder.glob("gaad-*.json"))]
    for account in accounts:
        oidc = json.loads((folder / f"iam-list-open-id-connect-providers-{account}.json").read_bytes())
        hosts = {p["Arn"].split("/", 1)[1] for p in oidc["OpenIDConnectProviderList"]}
        assert hosts == {"token.actions.githubusercontent.com", "gitlab.com"}, account
        saml = json.loads((folder / f"iam-list-saml-providers-{account}.json").read_bytes())
        assert any("AWSSSO_" in p["Arn"] for p in saml["SAMLProviderList"])
    for g in gaads(folder):
        federated_admins = [r for r in g["RoleDetailList"] if is_admin(r)
                            and any(principals(st, "Federated") for st in statements(r))]
        kinds = {principals(st, "Federated")[0].split(":")[5].split("/", 1)[0] for r in federated_admins
                 for st in statements(r) if principals(st, "Federated")}
        assert kinds == {"saml-provider", "oidc-provider"}
        assert len(federated_admins) >= 4, [r["RoleName"] for r in federated_admins]
        hosts = {principals(st, "Federated")[0].rsplit("/", 1)[1] for r in federated_admins for st in statements(r)
                 if "oidc-provider" in principals(st, "Federated")[0]}
        assert hosts == {"token.actions.githubusercontent.com", "gitlab.com"}


def _chains(folder: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """(role ARN -> account, role ARN -> the roles it may assume: they trust it by ARN or trust its account's root,
    and its identity policy allows ``sts:AssumeRole`` on them)."""
    arns: dict[str, str] = {}
    grants: dict[str, set[str]] = {}
    all_roles = roles(folder)
    for r in all_roles:
        arns[r["Arn"]] = r["Arn"].split(":")[4]
        grants[r["Arn"]] = {res for pol in r["RolePolicyList"] for st in pol["PolicyDocument"]["Statement"]
                            if st["Action"] == "sts:AssumeRole"
                            for res in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])}
    nxt: dict[str, set[str]] = {a: set() for a in arns}
    for r in all_roles:
        for st in statements(r):
            for p in principals(st, "AWS"):
                root = re.fullmatch(r"arn:aws:iam::(\d{12}):root", p)
                sources = [a for a, acct in arns.items() if acct == root.group(1)] if root else [p]
                for source in sources:
                    if source in arns and r["Arn"] in grants[source]:
                        nxt[source].add(r["Arn"])
    return arns, nxt


def test_chain_heavy_has_long_chains_and_root_trusts_inside_the_organization(
        orgs: dict[str, tuple[Path, Any]]) -> None:
    folder, _ = orgs["chain-heavy"]
    arns, nxt = _chains(folder)

    def longest(arn: str, seen: frozenset[str]) -> int:
        return 1 + max((longest(n, seen | {n}) for n in nxt[arn] if n not in seen and ":role/pipeline/" in n),
                       default=0)

    stage_ones = [a for a in arns if a.endswith(":role/pipeline/stage-1")]
    assert len(stage_ones) == 4
    assert max(longest(a, frozenset({a})) for a in stage_ones) >= 8  # a pair of accounts, 4 or more stages each
    assert all(longest(a, frozenset({a})) >= 4 for a in stage_ones)
    org_accounts = set(arns.values())
    root_trusts = Counter()
    for r in roles(folder):
        for st in statements(r):
            for p in principals(st, "AWS"):
                m = re.fullmatch(r"arn:aws:iam::(\d{12}):root", p)
                if m and m.group(1) in org_accounts and m.group(1) != r["Arn"].split(":")[4]:
                    root_trusts[r["Arn"].split(":")[4]] += 1
    assert set(root_trusts) == org_accounts and min(root_trusts.values()) >= 5


def test_chain_heavy_chain_is_found_by_the_search(tmp_path: Path) -> None:
    from trustgraph import load

    synthesize(tmp_path, accounts=2, roles_per_account=30, seed=3, profile="chain-heavy")
    arns, nxt = _chains(tmp_path)
    first = next(a for a in sorted(arns) if a.endswith(":role/pipeline/stage-1"))
    last = first
    hops = 0
    account = first.split(":")[4]
    while following := sorted(a for a in nxt[last] if f"::{account}:role/pipeline/" in a):
        last = following[0]
        hops += 1
    assert hops >= 3
    tg = load([tmp_path])
    found = tg.can_reach(first, last)
    assert found.verdict.value == "reachable" and len(found.hops) == hops


def test_vendor_heavy_names_hundreds_of_outside_accounts(orgs: dict[str, tuple[Path, Any]]) -> None:
    folder, summary = orgs["vendor-heavy"]
    inside = {p.stem.removeprefix("gaad-") for p in folder.glob("gaad-*.json")}
    outside: set[str] = set()
    with_id = without_id = 0
    for r in roles(folder):
        if not r["Path"] == "/vendors/":
            continue
        for st in statements(r):
            outside |= {p.split(":")[4] for p in principals(st, "AWS")} - inside
            keys = {k for block in st.get("Condition", {}).values() for k in block}
            with_id += "sts:ExternalId" in keys
            without_id += "sts:ExternalId" not in keys
    vendor_roles = dict(summary.roles_by_kind)["outside-vendor"]
    assert vendor_roles >= 150
    assert len(outside) >= min(vendor_roles, 400) >= 150
    assert with_id > without_id > 0


def test_condition_heavy_statements_hold_many_keys_of_every_operator_family(
        orgs: dict[str, tuple[Path, Any]]) -> None:
    folder, _ = orgs["condition-heavy"]
    counts: list[int] = []
    operators: set[str] = set()
    for r in roles(folder):
        allows = [st for st in statements(r) if st["Effect"] == "Allow"]
        blocks = [st.get("Condition", {}) for st in allows]
        n = [sum(len(keys) for keys in block.values()) for block in blocks]
        if any(k >= 4 for k in n):
            counts.extend(n)
            operators |= {op for block in blocks for op in block}
    assert len(counts) >= 100
    assert sum(counts) / len(counts) >= 5
    for family in ("IfExists", "ForAnyValue:", "ForAllValues:", "Null", "IpAddress", "Date", "Bool", "Numeric",
                   "ArnLike", "StringLike"):
        assert any(family in op for op in operators), family


def test_cli_profile_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "org"
    assert main(["synth", str(out), "--accounts", "2", "--roles-per-account", "30", "--profile", "vendor-heavy"]) == 0
    assert "profile vendor-heavy" in capsys.readouterr().out
    assert main(["synth", str(tmp_path / "x"), "--profile", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trustgraph: error: argument --profile: invalid choice") and "Traceback" not in err
    assert list(PROFILES)[0] == "mix"
