"""Small estates for the check tests: one GAAD export per account, written to a temporary directory and loaded.

Account A = 111122223333 is the reviewed account (in the zone, with organization o-a1b2c3d4e5); B = 444455556666 is
an outside account.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from twins import twin

from trustgraph.api import TrustGraph
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding
from trustgraph.checks.registry import CHECKS_BY_ID, select_checks
from trustgraph.checks.runner import finding_to_plain, run_checks
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession

A = "111122223333"
B = "444455556666"
ORG = "o-a1b2c3d4e5"
ZONE = (A, ORG)
GITHUB = f"arn:aws:iam::{A}:oidc-provider/token.actions.githubusercontent.com"
SAML = f"arn:aws:iam::{A}:saml-provider/Okta"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _id(prefix: str, name: str) -> str:
    return prefix + hashlib.sha256(name.encode()).hexdigest()[:17].upper()


def stmt(principal: Any, action: str | list[str] = "sts:AssumeRole", condition: dict[str, Any] | None = None,
         effect: str = "Allow", key: str = "Principal") -> dict[str, Any]:
    """One trust statement."""
    out: dict[str, Any] = {"Effect": effect, key: principal, "Action": action}
    if condition:
        out["Condition"] = condition
    return out


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    """A trust policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def assume_policy(*role_arns: str) -> dict[str, Any]:
    """An identity policy allowing sts:AssumeRole on the given roles."""
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(role_arns)}]}


def role(name: str, trust_doc: dict[str, Any], *, account: str = A, path: str = "/",
         policies: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """A RoleDetailList entry; ``policies`` become inline policies."""
    return {
        "Path": path,
        "RoleName": name,
        "RoleId": _id("AROA", account + name),
        "Arn": f"arn:aws:iam::{account}:role{path}{name}",
        "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust_doc,
        "InstanceProfileList": [],
        "RolePolicyList": [{"PolicyName": f"p{i}", "PolicyDocument": p} for i, p in enumerate(policies)],
        "AttachedManagedPolicies": [],
        "Tags": [],
        "RoleLastUsed": {},
    }


def role_arn(name: str, account: str = A, path: str = "/") -> str:
    """The ARN :func:`role` gives."""
    return f"arn:aws:iam::{account}:role{path}{name}"


def gaad(*roles: dict[str, Any]) -> dict[str, Any]:
    """A get-account-authorization-details document."""
    return {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": list(roles), "Policies": []}


def write_estate(directory: Path, docs: dict[str, dict[str, Any]]) -> Path:
    """Write ``{account: gaad document}`` as gaad-ACCOUNT.json files; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for account, doc in docs.items():
        (directory / f"gaad-{account}.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return directory


def load_context(directory: Path, zone: Iterable[str] = ZONE) -> ScanContext:
    """Load the exports of a directory under a zone."""
    import trustgraph

    return ScanContext(trustgraph.load(directory, zone=list(zone)))


def findings_of(directory: Path, check_id: str, zone: Iterable[str] = ZONE) -> list[Finding]:
    """The findings of one check on the exports of a directory."""
    ctx = load_context(directory, zone)
    return list(run_checks(ctx, (CHECKS_BY_ID[check_id],)).findings)


def single_role(tmp_path: Path, check_id: str, trust_doc: dict[str, Any], *, name: str = "R",
                policies: Sequence[dict[str, Any]] = (), path: str = "/") -> list[Finding]:
    """The findings of one check on an account holding one role."""
    d = write_estate(tmp_path / "exports", {A: gaad(role(name, trust_doc, policies=policies, path=path))})
    return findings_of(d, check_id)


def roles_of(findings: Iterable[Finding]) -> set[str]:
    """Role names of the findings."""
    return {f.role.rsplit("/", 1)[-1] for f in findings}


def statement_check_findings(tg: TrustGraph, options: SolverOptions) -> list[Any]:
    """vacuous-condition's and dead-trust-statement's findings as plain data on a twin of ``tg`` with ``options``: each
    check's own findings first (before the scan groups a role's findings into one, which renders one witness), then
    the grouped scan's, each in a fresh session. The fast-path tests of these checks compare two such lists."""
    import trustgraph.checks.dead_trust_statement as dead
    import trustgraph.checks.vacuous_condition as vacuous

    ctx = ScanContext(twin(tg, SolverSession(options)))
    found = [finding_to_plain(f) for check in (vacuous.CHECK, dead.CHECK) for f in check.run(ctx)]
    grouped = ScanContext(twin(tg, SolverSession(options)))
    checks = select_checks(["vacuous-condition", "dead-trust-statement"])
    found += [finding_to_plain(f) for f in run_checks(grouped, checks, jobs=1).findings]
    return found


def assert_same_without(tg: TrustGraph, switch: str, *, lazy: bool) -> None:
    """The statement checks' findings (:func:`statement_check_findings`) with the fast path ``switch`` on and off,
    on the default options or (``lazy`` False) without lazy liveness: finding by finding, the witness each renders
    included."""
    base = SolverOptions() if lazy else SolverOptions().without("lazy_liveness")
    fast = statement_check_findings(tg, base)
    reference = statement_check_findings(tg, base.without(switch))
    assert len(fast) == len(reference)
    for new, old in zip(fast, reference, strict=True):
        assert new == old


def unknown_every_third_role(tg: TrustGraph) -> None:
    """Make the engine answer Unknown (an injected timeout) for every hop into every third role (sorted): the
    undecided hops a lean path must carry as the reference does."""
    from trustgraph.smt.solve import Unknown

    chosen = set(sorted(n for n, d in tg.graph.nodes(data=True) if d["kind"] == "role")[::3])
    solve = tg.engine.solve

    def patched(state: Any, role: str, *args: Any, **kwargs: Any) -> Any:
        return Unknown("timeout (injected)") if role in chosen else solve(state, role, *args, **kwargs)

    tg.engine.solve = patched  # type: ignore[method-assign]


def unknown_statement_alone(monkeypatch: Any) -> list[int]:
    """Make the statement's own question (:func:`trustgraph.checks.base.statement_alone`: a hop on a target whose
    trust policy is one statement, with no key constraint) answer Unknown (an injected timeout) for the test, every
    other question as usual (vacuous-condition's question 1 constrains its key, questions 2 and 3 hold more
    statements); returns a one-item list counting those answers."""
    from trustgraph.smt.solve import Unknown

    real = ScanContext.solve_hop
    count = [0]

    def solve_hop(self: ScanContext, caller: Any, target: Any, action: Any, constraints: tuple[Any, ...] = (),
                  **kwargs: Any) -> Any:
        if not constraints and len(target.role.trust_policy.statements) == 1:
            count[0] += 1
            return Unknown("timeout (injected)")
        return real(self, caller, target, action, constraints, **kwargs)

    monkeypatch.setattr(ScanContext, "solve_hop", solve_hop)
    return count


@contextmanager
def switched(owner: type, name: str, value: bool) -> Iterator[None]:
    """The class-level switch ``owner.name`` (a fast path's ClassVar) set to ``value`` inside the block, restored
    after it: how a test runs a scan with a fast path on and with its reference. The switch must be one
    :data:`trustgraph.checks.reference_mode.SWITCHES` lists (so that the reference scan turns it off too)."""
    from trustgraph.checks.reference_mode import SWITCHES

    assert any(s.owner is owner and s.name == name and not s.keyword for s in SWITCHES), \
        f"{owner.__name__}.{name} is not listed in trustgraph.checks.reference_mode.SWITCHES"
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


#: GitHub Actions ``(repository, sub)`` condition pairs by role name: the same repository, another one, a longer name,
#: a wildcard, a subject not in the ``repo:`` format, a ``?`` that cannot make the name
GITHUB_CLAIM_SHAPES = {"same": ("acme/app", "repo:acme/app:*"), "other": ("acme/app", "repo:acme/other:*"),
                       "prefix": ("acme/app", "repo:acme/app-2:ref:*"), "wild": ("acme/app", "repo:acme/*"),
                       "custom": ("acme/app", "env:prod"), "qmark": ("acme/app", "repo:acme/ap?x:*")}
#: the shapes whose two claims name different repositories: no token satisfies both
GITHUB_CLAIMS_DISAGREE = frozenset({"other", "prefix", "qmark"})
