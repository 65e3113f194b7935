"""``trustgraph synth --profile random``: a shape drawn from the seed, valid exports, the shape honoured.

Reproducible bytes and loadable exports of the profile are tested with the other profiles
(tests/synth/test_profiles.py); this file tests what only this profile promises: the shape is a function of the seed
alone, it varies with the seed, the organization follows it, and every kind it can draw writes exports the loader
accepts.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from trustgraph.cli.main import main
from trustgraph.ingest.load import load_estate
from trustgraph.synth import random_profile, synthesize
from trustgraph.synth.random_profile import RandomBuilder
from trustgraph.synth.random_shape import RANDOM_KINDS, Shape, draw_shape

SEEDS = range(40)

#: kinds no other maker falls back to, so their count is exactly the number of times they were drawn
EXACT_KINDS = ("saml-federated", "org-scoped", "outside-vendor", "vendor", "public", "cross-service",
               "conditioned-operator", "conditioned-saml", "conditioned-oidc", "conditioned-vendor")


def gaads(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_bytes()) for p in sorted(folder.glob("gaad-*.json"))]


def test_the_shape_is_a_function_of_the_seed_alone(tmp_path: Path) -> None:
    assert draw_shape(11) == draw_shape(11) != draw_shape(12)
    assert RandomBuilder(2, 10, 11).shape == RandomBuilder(7, 300, 11).shape == draw_shape(11)
    small = synthesize(tmp_path / "a", accounts=2, roles_per_account=20, seed=11, profile="random")
    large = synthesize(tmp_path / "b", accounts=4, roles_per_account=50, seed=11, profile="random")
    assert small.shape == large.shape == draw_shape(11).describe()
    assert small.describe().endswith("; " + draw_shape(11).describe())
    other = synthesize(tmp_path / "c", accounts=2, roles_per_account=20, seed=12, profile="mix")
    assert other.shape is None and "shape of seed" not in other.describe()


def test_the_shape_varies_with_the_seed() -> None:
    shapes = [draw_shape(s) for s in SEEDS]
    tops = Counter(max(s.weights, key=lambda kw: kw[1])[0] for s in shapes)
    assert len(tops) >= 5, tops
    for kind, _ in RANDOM_KINDS:
        weights = [dict(s.weights)[kind] for s in shapes]
        assert max(weights) > 0, kind
        if kind != "service":
            assert min(weights) == 0, kind  # absent from some shapes
    assert all(dict(s.weights)["service"] > 0 for s in shapes)
    for field in ("admin_share", "hub_share", "external_id_share", "mfa_share", "org_paths_share"):
        values = [getattr(s, field) for s in shapes]
        assert max(values) - min(values) > 0.4, field
    assert {s.pipeline_share for s in shapes} >= {0.0, 1.0}
    assert {s.federation_baseline for s in shapes} >= {0.0, 1.0}
    assert {s.extra_condition_share for s in shapes} >= {0.0} and max(s.extra_condition_share for s in shapes) > 0.2
    assert len({s.vendor_pool for s in shapes}) >= 3
    assert len({s.branching for s in shapes}) >= 4
    assert min(s.stages[0] for s in shapes) <= 3 and max(s.stages[1] for s in shapes) >= 7
    assert min(s.keys[1] for s in shapes) <= 3 and max(s.keys[1] for s in shapes) >= 9
    assert max(s.policy_statements[1] for s in shapes) >= 20 and min(s.policy_statements[1] for s in shapes) <= 2
    assert max(s.users[1] for s in shapes) >= 20 and min(s.users[1] for s in shapes) <= 2
    for s in shapes:
        assert abs(sum(w for _, w in s.weights) - 1) < 1e-9
        assert abs(sum(w for _, w in s.pin_weights) - 1) < 1e-9
        assert s.keys[0] <= s.keys[1] and s.stages[0] <= s.stages[1] and s.users[0] <= s.users[1]


class CountingBuilder(RandomBuilder):
    """Counts the roles drawn from the mixture (the rest are the baseline)."""

    def __init__(self, accounts: int, roles_per_account: int, seed: int) -> None:
        super().__init__(accounts, roles_per_account, seed)
        self.draws = 0

    def draw(self, acct: Any, used: set[str]) -> Any:
        self.draws += 1
        return super().draw(acct, used)


@pytest.mark.parametrize("seed", [0, 3, 8])
def test_the_organization_follows_its_shape(seed: int) -> None:
    builder = CountingBuilder(4, 200, seed)
    accounts = builder.build()
    weights = dict(builder.shape.weights)
    for kind in EXACT_KINDS:
        share = builder.kind_counts.get(kind, 0) / builder.draws
        if weights[kind] == 0:
            assert share == 0, kind
        else:
            assert abs(share - weights[kind]) < 0.06, (kind, share, weights[kind])
    admins = sum(1 for a in accounts for r in a.roles if r.kind in ("root-trust", "saml-federated")
                 and any(p.endswith("/AdministratorAccess") for p in r.managed))
    others = sum(1 for a in accounts for r in a.roles if r.kind in ("root-trust", "saml-federated"))
    if others >= 40:
        assert abs(admins / others - builder.shape.admin_share) < 0.2
    users = [len([u for u in a.users if u["UserName"].startswith("dev-")]) for a in accounts]
    assert all(builder.shape.users[0] <= n <= builder.shape.users[1] for n in users)


def test_different_seeds_give_different_mixtures(tmp_path: Path) -> None:
    kinds = []
    for seed in (0, 1, 2):
        summary = synthesize(tmp_path / str(seed), accounts=3, roles_per_account=80, seed=seed, profile="random")
        kinds.append(dict(summary.roles_by_kind))
    assert kinds[0] != kinds[1] != kinds[2] != kinds[0]
    top = [max(k, key=k.__getitem__) for k in kinds]
    shares = [k.get(t, 0) / 240 for k, t in zip(kinds, top, strict=True)]
    assert len(set(top)) >= 2 or max(shares) - min(shares) > 0.15


def _everything(seed: int) -> Shape:
    """A shape that draws every kind and every decoration (so each maker's output is checked)."""
    return dataclasses.replace(
        draw_shape(seed), weights=tuple((k, 1 / len(RANDOM_KINDS)) for k, _ in RANDOM_KINDS), admin_share=0.5,
        pipeline_share=1.0, federation_baseline=1.0, saml_share=1.0, extra_condition_share=0.5, keys=(2, 9),
        wildcard_assume_share=0.2, policy_statements=(1, 4), users=(2, 4), user_assume_share=1.0, hub_share=0.5,
        oidc_weights=(("github", 0.2), ("gitlab", 0.2), ("terraform", 0.2), ("eks", 0.2), ("circleci", 0.2)),
        pin_weights=(("exact", 0.2), ("project", 0.2), ("owner", 0.2), ("prefix", 0.2), ("none", 0.2)))


@pytest.fixture(scope="module")
def everything(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    folder = tmp_path_factory.mktemp("everything")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(random_profile, "draw_shape", _everything)
        summary = synthesize(folder, accounts=4, roles_per_account=150, seed=4, profile="random")
    return folder, summary


def test_every_kind_is_drawn_and_loads(everything: tuple[Path, Any]) -> None:
    folder, summary = everything
    drawn = dict(summary.roles_by_kind)
    for kind, _ in RANDOM_KINDS:
        produced = ([k for k in drawn if k.endswith("-oidc")] if kind == "other-oidc"
                    else ["identity-center"] if kind == "identity-center-custom" else [kind])
        assert any(drawn.get(k, 0) for k in produced), kind
    assert {"terraform-oidc", "eks-oidc", "circleci-oidc", "pipeline-stage"} <= set(drawn)
    estate = load_estate([folder])
    assert sum(len(a.roles) for a in estate.accounts) == summary.roles == 600
    assert sum(len(a.users) for a in estate.accounts) == summary.users


def _listed_providers(folder: Path, account: str) -> set[str]:
    saml = json.loads((folder / f"iam-list-saml-providers-{account}.json").read_bytes())["SAMLProviderList"]
    oidc_file = folder / f"iam-list-open-id-connect-providers-{account}.json"
    oidc = json.loads(oidc_file.read_bytes())["OpenIDConnectProviderList"] if oidc_file.exists() else []
    return {p["Arn"] for p in saml} | {p["Arn"] for p in oidc}


def test_trust_policies_are_well_formed(everything: tuple[Path, Any]) -> None:
    """Federated principals are providers registered in the role's account, each principal kind comes with its own
    assume action, condition keys fit the caller, and conditions stay within the shape's key counts."""
    folder, _ = everything
    keys_per_statement = []
    for g in gaads(folder):
        for role in g["RoleDetailList"]:
            account = role["Arn"].split(":")[4]
            for st in role["AssumeRolePolicyDocument"]["Statement"]:
                principal = st["Principal"]
                actions = {st["Action"]} if isinstance(st["Action"], str) else set(st["Action"])
                keys = [k.lower() for block in st.get("Condition", {}).values() for k in block]
                assert len(keys) == len(set(keys)), (role["RoleName"], keys)
                keys_per_statement.append(len(keys))
                if isinstance(principal, dict) and "Federated" in principal:
                    provider = principal["Federated"]
                    assert provider in _listed_providers(folder, account), (role["RoleName"], provider)
                    expected = ("sts:AssumeRoleWithSAML" if ":saml-provider/" in provider
                                else "sts:AssumeRoleWithWebIdentity")
                    assert expected in actions and actions <= {expected, "sts:TagSession"}, role["RoleName"]
                    host = provider.split(":oidc-provider/")[-1]
                    if ":oidc-provider/" in provider:
                        assert f"{host}:aud" in {k for block in st["Condition"].values() for k in block}
                        assert all(not k.startswith("saml:") for k in keys)
                    else:
                        assert "saml:aud" in keys
                else:
                    assert actions & {"sts:AssumeRole"}, role["RoleName"]
                    assert all(not k.startswith(("saml:", "token.actions")) for k in keys), role["RoleName"]
    assert max(keys_per_statement) >= 9
    assert sum(1 for k in keys_per_statement if k >= 3) >= 50


def test_cli_random_profile_prints_its_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", str(tmp_path / "o"), "--accounts", "2", "--roles-per-account", "25", "--seed", "3",
                 "--profile", "random"]) == 0
    out = capsys.readouterr().out
    assert "profile random; shape of seed 3: kinds " in out and "admins " in out
