"""Write notebooks/*.ipynb from the cell sources below.

Edit here, then run ``python tests/notebooks/build_notebooks.py``.

Notebooks are committed without outputs. Cells whose printed output the test suite checks carry a ``check-...`` tag
(see tests/notebooks/test_notebooks.py); keep the tags when editing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

SETUP_EXAMPLE = '''\
import pandas as pd

import trustgraph
import trustgraph.datasets
import trustgraph.plot as tplot

# Wide results (ARNs, witness contexts) are cut with "..." instead of stretching the table; print a cell to see it all.
pd.set_option("display.max_colwidth", 72)
pd.set_option("display.width", 160)

# The bundled example organization and the zone of trust its README assumes; found from any working directory.
DATA = trustgraph.datasets.example_org()
tg = trustgraph.load(DATA, zone_file=str(trustgraph.datasets.example_zone_file()))
tg'''


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(text.strip("\n"))


def code(text: str, tag: str | None = None) -> nbformat.NotebookNode:
    cell = new_code_cell(text.strip("\n"))
    if tag:
        cell.metadata["tags"] = [tag]
    return cell


# --------------------------------------------------------------------------------------------------------------- 01
GETTING_STARTED = [
    md('''
# Getting started with trustgraph

trustgraph reads IAM exports (`aws iam get-account-authorization-details`, plus AWS Organizations and identity-provider
listings), builds the **trust graph** (who can obtain which role's credentials) and answers reachability questions
with an SMT solver: every *reachable* answer carries a witness request per hop, every *unreachable* answer for a
specific pair carries the reason.

This notebook uses the bundled example organization (`datasets/example-org`): three accounts of the organization
`o-exampleorg1`, a vendor (Example Corp, exported but outside) and a third-party operator (Northwind Ops,
333344445555, not exported). The zone of trust comes from the dataset's `zone.toml`: the three accounts, the
organization, and the identity providers we run ourselves.
'''),
    code(SETUP_EXAMPLE),
    md('''
## Inventory

`tg.inventory()` is the `trustgraph inventory` table as a pandas DataFrame: one row per user and role, with the
`admin` column (the principal's effective identity permissions allow every action on every resource).
'''),
    code('''
inventory = tg.inventory()
inventory.head(10)
'''),
    code('''
principals = inventory[inventory["kind"].isin(["user", "role"])]   # the inventory lists identity providers too
admins = principals[principals["admin"]]
print(f"{len(principals)} users and roles in {principals['account'].nunique()} accounts, {len(admins)} admins")
admins[["account", "kind", "arn"]]
''', tag="check-inventory"),
    md('''
## Who can reach the admin roles?

`who_can_reach("admin")` asks the solver, for every source (users, role sessions, outside accounts, `external`,
federated providers, services), whether some chain of `sts:AssumeRole*` calls ends in an admin role. Each answer
carries the shortest witnessed path; hover over an arrow to see the hop's request context, or open *witness*.
'''),
    code('''
reach_admin = tg.who_can_reach("admin")
reach_admin
'''),
    code('''
frame = reach_admin.to_frame()
inside = tg.to_frame().set_index("node")["inside"]       # which side of the zone each node is on
outside = frame[~frame["source"].map(inside)]
print("sources outside the zone that reach an admin role:")
for row in outside.itertuples():
    print(f"  {row.source} -> {row.target.rsplit('/', 1)[-1]} in {row.hops} hops")
''', tag="check-outside-admin"),
    md('''
The operator account 333344445555 is outside the zone. It reaches `PlatformAdminRole` through two roles of
example-dev: `PartnerOpsRole` trusts the operator's account without an external ID, `DeployRole` trusts
`PartnerOpsRole`, and `PlatformAdminRole` (AdministratorAccess) trusts `DeployRole`. Ask for that pair directly:
'''),
    code('''
PLATFORM_ADMIN = "arn:aws:iam::100000000003:role/PlatformAdminRole"
chain = tg.can_reach("account:333344445555", PLATFORM_ADMIN)
print(chain.verdict.value, "in", len(chain.hops), "hops")
chain
''', tag="check-chain"),
    code('''
# one row per hop; the context column is the concrete request that the solver found for that hop
chain.to_frame()[["hop", "caller", "role", "action", "context"]]
'''),
    md('''
## Pictures

`trustgraph.plot` draws the graph left to right by hop distance from the sources. Accounts are horizontal bands;
the bands outside the zone of trust are shaded rose and sit above the dashed red boundary. External and federated
sources are coloured apart from internal principals, edge style shows the kind of call (AssumeRole, SAML, web
identity, service), admin roles have a star and a thick border.
'''),
    code('''
tplot.plot_reach(tg, "admin")
'''),
    code('''
tplot.plot_path(chain, tg)
'''),
    md('''
The whole trust graph. Larger estates (more than 250 nodes) are drawn aggregated per account and source class.
'''),
    code('''
tplot.plot_graph(tg)
'''),
    md('''
Next: `02-confused-deputy.ipynb` (external IDs), `03-federation.ipynb` (GitHub Actions, SAML, Cognito) and
`04-organization-review.ipynb` (a generated organization of a few hundred roles).
'''),
]

# --------------------------------------------------------------------------------------------------------------- 02
CONFUSED_DEPUTY = [
    md('''
# The confused deputy and the external ID

Example Corp (account 210987654321) sells a service that works inside its customers' AWS accounts: each customer
creates a role that trusts Example Corp's account, and registers the role ARN in Example Corp's console. Example
Corp's connector (`service-role/ExampleCorpConnector`) then assumes the role.

Two customers use it. **Customer #1** owns `ExampleCorpIntegrationRole` in account 100000000002. **Customer #2** is
anyone else with an Example Corp tenant. If customer #2 registers customer #1's role ARN in *their* tenant, the
connector happily assumes it on their behalf: Example Corp is the *confused deputy*. The defence is the
`sts:ExternalId` condition: Example Corp generates an ID per tenant and always sends it, so customer #1's role
accepts only requests carrying customer #1's ID. Customer #2 cannot make the connector send someone else's ID.

We show this with the solver: first without the condition (reachable, with the witness request), then with it
(unreachable, with the reason, for *every* request that lacks the right ID), then the vacuous variants that look
safe and are not.
'''),
    code(SETUP_EXAMPLE),
    code('''
import dataclasses
import json

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.model.location import Location

VENDOR_ACCOUNT = "210987654321"
CONNECTOR = "arn:aws:iam::210987654321:role/service-role/ExampleCorpConnector"   # the deputy
CUSTOMER1_ROLE = "arn:aws:iam::100000000002:role/ExampleCorpIntegrationRole"
CUSTOMER1_ID = "ec-7f3c9a1e2b-prod"          # the ID Example Corp generated for customer #1
CUSTOMER2_ID = "ec-customer-2-tenant"        # what the connector sends when customer #2 triggers it


def with_trust(tg, role_arn, condition=None):
    """A copy of the loaded estate where `role_arn` trusts the vendor account under `condition`."""
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{VENDOR_ACCOUNT}:root"},
                 "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    document = {"Version": "2012-10-17", "Statement": [statement]}
    role = tg.estate.role_by_arn[role_arn]
    trust = policy_from_json(document, Location("notebook", f"/{role.name}/trust"), kind="trust")
    accounts = tuple(
        dataclasses.replace(a, roles=tuple(dataclasses.replace(r, trust_policy=trust) if r.arn == role_arn else r
                                           for r in a.roles))
        for a in tg.estate.accounts
    )
    return trustgraph.TrustGraph(dataclasses.replace(tg.estate, accounts=accounts), tg.zone), document
'''),
    md('''
## What the deputy can reach

Every role the connector can assume, as the exports stand. The connector's own identity policy allows
`sts:AssumeRole` on `arn:aws:iam::*:role/ExampleCorp*`: any customer's role with that name prefix.
'''),
    code('''
tg.reachable_from(CONNECTOR)
'''),
    md('''
## 1. Customer #1's role without the external-ID condition

Build a variant of the estate in which `ExampleCorpIntegrationRole` trusts Example Corp's account with no condition,
and ask whether the connector gets in while sending **customer #2's** external ID.
'''),
    code('''
open_tg, open_doc = with_trust(tg, CUSTOMER1_ROLE)
print(json.dumps(open_doc, indent=2))
'''),
    code('''
attack = open_tg.can_reach(CONNECTOR, CUSTOMER1_ROLE, given={"sts:ExternalId": CUSTOMER2_ID})
print(attack.verdict.value)
print("sts:ExternalId in the witness request:", attack.hops[0].context["sts:ExternalId"][0])
attack
''', tag="check-attack"),
    md('''
The witness is a concrete request the trust policy allows: the connector's session, customer #2's external ID.
Every key of it, one row each:
'''),
    code('''
attack.hops[0].to_frame()
'''),
    code('''
tplot.plot_path(attack, open_tg)
'''),
    md('''
## 2. Add the condition

Now the trust customer #1 should have (and has in the bundled exports): `StringEquals sts:ExternalId` with the ID
Example Corp generated for them. Customer #2's ID is refused, and so is a request without any ID:
'''),
    code('''
guarded_tg, guarded_doc = with_trust(tg, CUSTOMER1_ROLE, {"StringEquals": {"sts:ExternalId": CUSTOMER1_ID}})
for label, options in [("customer #2's ID", {"given": {"sts:ExternalId": CUSTOMER2_ID}}),
                       ("no external ID", {"without": ["sts:ExternalId"]}),
                       ("customer #1's ID", {"given": {"sts:ExternalId": CUSTOMER1_ID}})]:
    print(f"{label}: {guarded_tg.can_reach(CONNECTOR, CUSTOMER1_ROLE, **options).verdict.value}")
''', tag="check-guarded"),
    md('''
Those are three single requests. The proof we want is stronger: **no request whose external ID is not customer #1's
gets through**, whatever else it contains. `not_like` constrains a key to be absent or to match none of the given
patterns on every hop, so the question "is there any request without the right ID?" is one solver call. The answer
is *unreachable*, and the reason names the condition that blocks it:
'''),
    code('''
proof = guarded_tg.can_reach(CONNECTOR, CUSTOMER1_ROLE, not_like={"sts:ExternalId": [CUSTOMER1_ID]})
print(proof.verdict.value)
print(proof.reason)
''', tag="check-proof"),
    md('''
The same holds for *any* principal of Example Corp's account, with any identity policy it might have (the symbolic
source `account:210987654321`), not only for the connector:
'''),
    code('''
anyone = guarded_tg.can_reach(f"account:{VENDOR_ACCOUNT}", CUSTOMER1_ROLE,
                              not_like={"sts:ExternalId": [CUSTOMER1_ID]})
print(anyone.verdict.value)
anyone
''', tag="check-proof-account"),
    md('''
## 3. Conditions that look safe and are not

Two variants of the condition mention `sts:ExternalId` and pass a casual review:

* `StringEqualsIfExists`: *if the key exists* it must equal the ID; a request **without** an external ID passes.
* `StringLike "*"`: any value matches; the connector always sends *some* ID, so customer #2's passes.

For each variant, three questions: a request without an ID, a request with customer #2's ID, and the proof question
(any request without customer #1's ID).
'''),
    code('''
variants = {
    "StringEquals (right)": {"StringEquals": {"sts:ExternalId": CUSTOMER1_ID}},
    "StringEqualsIfExists": {"StringEqualsIfExists": {"sts:ExternalId": CUSTOMER1_ID}},
    'StringLike "*"': {"StringLike": {"sts:ExternalId": "*"}},
}
questions = {
    "no ID": {"without": ["sts:ExternalId"]},
    "customer #2's ID": {"given": {"sts:ExternalId": CUSTOMER2_ID}},
    "any wrong/no ID": {"not_like": {"sts:ExternalId": [CUSTOMER1_ID]}},
}
print(f"{'condition':<22}" + "".join(f"{q:<18}" for q in questions))
for name, condition in variants.items():
    variant_tg, _ = with_trust(tg, CUSTOMER1_ROLE, condition)
    verdicts = [variant_tg.can_reach(CONNECTOR, CUSTOMER1_ROLE, **q).verdict.value for q in questions.values()]
    print(f"{name:<22}" + "".join(f"{v:<18}" for v in verdicts))
''', tag="check-vacuous"),
    md('''
Both vacuous variants are in the bundled exports: `ExampleCorpLegacyIfExistsRole` (example-prod) and
`ExampleCorpMonitoringWildcardIdRole` (example-dev), next to customer #2's own `ExampleCorpIntegrationRole` in
example-dev, which has no condition at all. The security checks of `trustgraph scan` find them:
'''),
    code('''
findings = tg.scan(["external-without-external-id", "vacuous-condition"])
vendor_findings = findings.where(account="100000000002").findings + findings.where(account="100000000003").findings
vendor_findings = [f for f in vendor_findings if "ExampleCorp" in f.role]
for f in vendor_findings:
    print(f"{f.severity.value:<8} {f.check_id:<30} {f.role.rsplit('/', 1)[-1]}")
''', tag="check-findings"),
    code('''
findings.to_frame()[["severity", "check_id", "account", "role_name", "source", "message"]]
'''),
    md('''
**Takeaways.** Trust a vendor's account only under `StringEquals sts:ExternalId` with the ID the vendor generated
for you; never `...IfExists`, never a wildcard. trustgraph proves the difference: a reachable answer comes with the
request that gets in, an unreachable one holds for every request the constraint allows.
'''),
]

# --------------------------------------------------------------------------------------------------------------- 03
FEDERATION = [
    md('''
# Federation: GitHub Actions, SAML and Cognito

Roles can trust identities that are not AWS principals at all: OIDC tokens (GitHub Actions, Cognito identity pools)
through `sts:AssumeRoleWithWebIdentity`, SAML assertions through `sts:AssumeRoleWithSAML`. The trust policy's
conditions on the token's claims (`sub`, `aud`, `amr`) or the assertion (`SAML:aud`) decide **who** the role
trusts. trustgraph treats the subjects of a provider as symbolic: the solver looks for *any* token that gets in.

Which of these identities are *ours* is a statement about the zone of trust: a zone file lists the providers we run,
optionally only for some subjects (`repo:example-org/*`). Identities outside that are external.
'''),
    code(SETUP_EXAMPLE),
    code('''
GITHUB = "federated:arn:aws:iam::100000000003:oidc-provider/token.actions.githubusercontent.com"
SUB = "token.actions.githubusercontent.com:sub"
DEV = "arn:aws:iam::100000000003:role/"
github_roles = {
    "pinned (repo and branch)": DEV + "GitHubActionsAppMainRole",
    "prefix wildcard repo:example-org*": DEV + "GitHubActionsOrgPrefixRole",
    "unpinned (aud only)": DEV + "GitHubActionsUnpinnedRole",
}
'''),
    md('''
## GitHub Actions OIDC

Three roles trust GitHub's OIDC provider. A workflow's token has `sub = repo:OWNER/REPO:ref:refs/heads/BRANCH`.
We ask, for three workflows, whether their token can assume each role. `closed=True` makes every other key absent,
so the answer depends only on the given subject.
'''),
    code('''
workflows = {
    "example-org/app main": "repo:example-org/app:ref:refs/heads/main",
    "example-org-evil/x": "repo:example-org-evil/x:ref:refs/heads/main",
    "attacker/x": "repo:attacker/x:ref:refs/heads/main",
}
AUD = "token.actions.githubusercontent.com:aud"
print(f"{'role':<36}" + "".join(f"{w:<22}" for w in workflows))
for label, role in github_roles.items():
    cells = [tg.can_reach(GITHUB, role, given={SUB: sub, AUD: "sts.amazonaws.com"}, closed=True).verdict.value
             for sub in workflows.values()]
    print(f"{label:<36}" + "".join(f"{c:<22}" for c in cells))
''', tag="check-github"),
    md('''
The prefix wildcard `repo:example-org*` admits the GitHub organization `example-org-evil`, which anyone can create.
The witness token shows it:
'''),
    code('''
evil = tg.can_reach(GITHUB, github_roles["prefix wildcard repo:example-org*"],
                    given={SUB: "repo:example-org-evil/x:ref:refs/heads/main"})
evil
'''),
    md('''
## SAML: with and without an audience

`CorpIdpSupportRole` requires `SAML:aud` (the assertion must be addressed to AWS sign-in);
`CorpIdpAnalystNoAudRole` trusts the provider with no condition, so an assertion addressed to *another* service
provider of the same IdP is accepted too. The witness request of each hop shows what the solver chose:
'''),
    code('''
CORP_IDP = "federated:arn:aws:iam::100000000002:saml-provider/CorpIdP"
PROD = "arn:aws:iam::100000000002:role/"
for name in ["CorpIdpSupportRole", "CorpIdpAnalystNoAudRole"]:
    other_sp = tg.can_reach(CORP_IDP, PROD + name, given={"SAML:aud": "https://wiki.example.com/saml"})
    print(f"{name}: assertion for another service provider -> {other_sp.verdict.value}")
''', tag="check-saml"),
    md('''
## Cognito identity pools

`CognitoAppUserRole` requires `cognito-identity.amazonaws.com:aud` to be our identity pool;
`CognitoLegacyNoAudRole` only checks `amr = authenticated`, so an authenticated user of **any** identity pool, in
anyone's account, can assume it.
'''),
    code('''
COGNITO = "federated:cognito-identity.amazonaws.com"
someone_elses_pool = {"cognito-identity.amazonaws.com:aud": "us-east-1:00000000-0000-0000-0000-000000000000",
                      "cognito-identity.amazonaws.com:amr": ["authenticated", "graph.facebook.com"]}
for name in ["CognitoAppUserRole", "CognitoLegacyNoAudRole"]:
    r = tg.can_reach(COGNITO, PROD + name, given=someone_elses_pool)
    print(f"{name}: user of another identity pool -> {r.verdict.value}")
''', tag="check-cognito"),
    md('''
## Trusted identity providers in the zone file

Which federated identities count as *outside* is the zone's decision. We write two zone files to a temporary
directory: one that trusts no identity provider (not even IAM Identity Center, which a zone counts as inside unless
it says `identity_center = "outside"`), and one like the dataset's, which trusts Identity Center, CorpIdP and GitHub
Actions only for `repo:example-org/*`. Then we compare what outsiders reach.
'''),
    code('''
import tempfile
from pathlib import Path

zone_dir = Path(tempfile.mkdtemp())
base = """
accounts = ["100000000001", "100000000002", "100000000003"]
organizations = ["o-exampleorg1"]
"""
trusted = base + """
[[identity_providers]]
provider = "arn:aws:iam::*:saml-provider/AWSSSO_*"

[[identity_providers]]
provider = "arn:aws:iam::100000000002:saml-provider/CorpIdP"

[[identity_providers]]
provider = "arn:aws:iam::100000000003:oidc-provider/token.actions.githubusercontent.com"
subjects = ["repo:example-org/*"]
"""
(zone_dir / "no-idp.toml").write_text(base + 'identity_center = "outside"')
(zone_dir / "zone.toml").write_text(trusted)
print((zone_dir / "zone.toml").read_text())
'''),
    code('''
def outside_reach(zone_file):
    """Each role outsiders reach (without an external ID) -> the outsider on the first hop of its shortest path."""
    g = trustgraph.load(DATA, zone_file=str(zone_file))
    return {r.target.rsplit("/", 1)[-1]: r.hops[0].source for r in g.external_access(without=["sts:ExternalId"])}

strict = outside_reach(zone_dir / "no-idp.toml")
ours = outside_reach(zone_dir / "zone.toml")
print("roles outsiders reach, no trusted IdP:", len(strict))
print("roles outsiders reach, trusted IdPs:  ", len(ours))
print("no longer reachable from outside:", ", ".join(sorted(set(strict) - set(ours))))
print("still reached through a federated provider:",
      ", ".join(sorted(role for role, first in ours.items() if first.startswith("federated:"))))
''', tag="check-zone"),
    md('''
With the trusted providers, the Identity Center and CorpIdP roles, the pinned GitHub role and what only they lead to
are no longer reachable from outside; the GitHub roles that accept other repositories, LegacyOkta and Cognito stay
external (other roles stay reachable through the AWS outsiders of `01-getting-started`). The picture shows what
outsiders reach:
'''),
    code('''
tplot.plot_external(trustgraph.load(DATA, zone_file=str(zone_dir / "zone.toml")), without=["sts:ExternalId"])
'''),
    code('''
tg.scan(["oidc-any-subject", "saml-missing-audience"])
'''),
]

# --------------------------------------------------------------------------------------------------------------- 04
ORG_REVIEW = [
    md('''
# Reviewing a whole organization

A generated organization of a few hundred roles (`trustgraph synth`, reproducible from its seed): a management
account, a tooling account running CI/CD, a security account and workload accounts, with service roles, Identity
Center roles, cross-account tooling, vendor roles with and without external IDs, GitHub OIDC roles and chains.
We scan it, pivot the findings per account, and look at the blast radius of the worst entry point from outside.
'''),
    code('''
import tempfile
from pathlib import Path

import pandas as pd

import trustgraph
import trustgraph.plot as tplot
from trustgraph.synth import synthesize

SEED = 4
out = Path(tempfile.mkdtemp()) / "org"
summary = synthesize(out, accounts=6, roles_per_account=40, seed=SEED)
print(summary.describe())
'''),
    md('''
The zone of trust: the organization, the IAM Identity Center SAML providers of every account, and GitHub Actions
tokens of the organization's own GitHub repositories (synth names the GitHub organization `org` + the seed's last
three digits).
'''),
    code('''
zone_file = out.parent / "zone.toml"
zone_file.write_text(f"""
organizations = ["{summary.org_id}"]

[[identity_providers]]
provider = "arn:aws:iam::*:saml-provider/AWSSSO_*"

[[identity_providers]]
provider = "arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com"
subjects = ["repo:org{SEED % 1000:03d}/*"]
""")
tg = trustgraph.load(out, zone_file=str(zone_file))
roles = tg.to_frame().query("kind == 'role'")
print(f"{len(roles)} roles in {roles['account'].nunique()} accounts")
tg
''', tag="check-load"),
    md('''
## Findings per account

`tg.scan()` runs every check of `trustgraph scan`; the result displays as a table and converts to a DataFrame.
'''),
    code('''
findings = tg.scan()
frame = findings.to_frame()
print(f"{len(findings)} findings")
findings
''', tag="check-findings"),
    code('''
pivot = pd.pivot_table(frame, index="account", columns="severity", values="role", aggfunc="count",
                       fill_value=0, observed=False)
pivot = pivot[pivot.columns[::-1]]          # critical first
pivot["total"] = pivot.sum(axis=1)
pivot.sort_values("total", ascending=False)
'''),
    code('''
frame.groupby(["check_id", "severity"], observed=True).size().rename("findings").reset_index()
'''),
    code('''
colours = {"critical": "#7b1020", "high": "#d9534f", "medium": "#f0ad4e", "low": "#5bc0de"}
ax = pivot.drop(columns="total").plot.bar(stacked=True, figsize=(9, 4), color=[colours[c] for c in pivot.columns
                                                                               if c in colours])
ax.set_ylabel("findings")
ax.set_title("findings per account and severity");
'''),
    md('''
## The worst external entry point and its blast radius

An *entry point* is the first role of a path from outside the zone. Its blast radius is every role reachable from
a session of it. We take the entry points of `external_access()`, measure each radius with `reachable_from`, and
keep the largest (ties broken by admin roles reached, then name).
'''),
    code('''
outside = tg.external_access()
entries = sorted({r.hops[0].target for r in outside if r.hops})
admin = tg.admin_arns()

def radius(entry):
    reached = tg.reachable_from(entry)
    return reached, sum(1 for r in reached if r.target in admin)

radii = {e: radius(e) for e in entries}
worst = max(entries, key=lambda e: (len(radii[e][0]), radii[e][1], e))
blast, admins_reached = radii[worst]
print(f"{len(outside)} roles reachable from outside through {len(entries)} entry points")
print(f"worst entry point: {worst}")
print(f"blast radius: {len(blast)} roles, {admins_reached} of them admin")
''', tag="check-blast"),
    code('''
blast.to_frame()[["target", "hops", "path"]]
'''),
    code('''
# how outsiders get to the worst entry point, and everything behind it
entry_paths = [r for r in outside if r.target == worst]
tplot.plot_results(tg, [*entry_paths, *blast], title=f"blast radius of {worst.rsplit('/', 1)[-1]}")
'''),
    md('''
## The whole organization

Above 250 nodes the picture aggregates per account and source class: one node per account's users, roles and admin
roles, edges labelled with how many trust edges they stand for (and how many condition on an external ID or MFA).
'''),
    code('''
tplot.plot_graph(tg)
'''),
]

NOTEBOOK_CELLS = {
    "01-getting-started.ipynb": GETTING_STARTED,
    "02-confused-deputy.ipynb": CONFUSED_DEPUTY,
    "03-federation.ipynb": FEDERATION,
    "04-organization-review.ipynb": ORG_REVIEW,
}


def build(name: str) -> nbformat.NotebookNode:
    nb = new_notebook(cells=NOTEBOOK_CELLS[name])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name.split('-')[0]}-{i:02d}"
    return nb


def main(argv: list[str]) -> int:
    NOTEBOOKS.mkdir(exist_ok=True)
    for name in NOTEBOOK_CELLS:
        nbformat.write(build(name), NOTEBOOKS / name)
        print(f"wrote notebooks/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
