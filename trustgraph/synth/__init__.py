"""Generated AWS organizations: realistic exports of any size, byte-for-byte reproducible from a seed.

:func:`synthesize` writes one ``get-account-authorization-details`` file per account (AWS CLI shape, documents
decoded) plus the AWS Organizations outputs (``describe-organization``, ``list-accounts``, ``list-roots``,
``list-parents`` with a ``"ChildId"`` key per account and OU, and ``describe-policy`` / ``list-targets-for-policy``
with a ``"PolicyId"`` key for the SCPs and RCPs) and the identity-provider listings. The notebooks use it for an
organization of a few hundred roles and the performance work for tens of thousands.

Shape of the organization
-------------------------
* Account 0 is the management account; account 1 (when there are two or more) is a *tooling* account that runs the
  CI/CD pipeline, account 2 (three or more) a *security* account. The rest are workload accounts spread over the OUs
  Workloads-Prod, Workloads-NonProd and Sandbox. A handful of vendor accounts and one partner account exist outside
  the organization (referenced by trust policies, not exported), as in real estates.
* Every account gets the roles AWS and a landing zone put there: ``OrganizationAccountAccessRole`` (members),
  service-linked roles for Support and Trusted Advisor (plus Organizations and SSO in the management account),
  3-5 IAM Identity Center roles ``AWSReservedSSO_<set>_<hex>`` under ``/aws-reserved/sso.amazonaws.com/``, and in
  members a ``DeploymentRole`` trusting the tooling account's ``GitHubDeployPipelineRole`` (itself trusted by the
  GitHub OIDC provider, pinned to the infrastructure repository's main branch), a ``TerraformApplyRole``
  (AdministratorAccess) trusting ``DeploymentRole`` in about half of them — a 3-hop chain from GitHub to an admin
  role — and a ``SecurityAuditRole`` trusting the security account's scanner role (a 2-hop chain from a service).
  When ``roles_per_account`` is smaller than this baseline, the baseline is truncated (in the order above).
* The remaining roles are drawn from the mix below. Users are few (modern estates sign in through Identity Center;
  IAM users survive in the management account and as legacy service users), in groups with managed policies.

Proportions of the drawn roles (``ROLE_MIX``), and why
-----------------------------------------------------
Public surveys give orders of magnitude, not a census; every number below is a judgement informed by them, chosen so
that an organization of a few hundred roles shows every kind of finding a few times.

============================  =====  =======================================================================
kind                          share  reasoning
============================  =====  =======================================================================
service role                  0.36   workload roles for EC2 (with instance profile), Lambda, ECS tasks, Glue,
                                     CodeBuild, Step Functions: the bulk of roles in application accounts
                                     (judgement; consistent with role inventories published by IAM tooling
                                     vendors, where service roles dominate)
service-linked role           0.15   AWS creates one per service used (ELB, Auto Scaling, RDS, ECS, ...);
                                     judgement, capped by the number of distinct services in the table
cross-account tooling         0.13   monitoring, backup and log-shipping roles trusting a central account of
                                     the organization (account root or a named role)
same-account operator role    0.09   ops/developer roles trusting the account root, a quarter requiring MFA
vendor (third-party) role     0.08   SaaS integrations trusting a vendor account; Datadog's *State of Cloud
                                     Security* reports find that most such roles use an external ID and a
                                     small minority do not. Here 84% use StringEquals sts:ExternalId, 10% have
                                     no condition, 3% StringLike "*" and 3% StringEqualsIfExists (vacuous):
                                     judgement, inflated so that small organizations show the problem
GitHub Actions OIDC role      0.06   70% pinned to a repository and branch/environment, 15% to a repository
                                     (``repo:org/app:*``), 5% to the GitHub organization with the slash, 5%
                                     with the prefix wildcard ``repo:org*`` and 5% without ``sub`` (Datadog
                                     Security Labs, 2023, found unpinned roles in the wild; the split is a
                                     judgement)
role chained in the account   0.05   a role trusting another role of the same account (job runners, break
                                     glass), half of them administrators
org-scoped Principal "*"      0.04   ``aws:PrincipalOrgID`` guards (shared read roles)
cross-service deputy          0.025  AWS Config / SNS delivery roles, 60% with aws:SourceAccount
public role                   0.005  Principal "*" with no condition: rare, but present in large estates
============================  =====  =======================================================================

Trust policies repeat as they do in real estates: one document per service principal, per Identity Center provider,
per central tooling role, per GitHub repository pin; the solver's cache depends on this.

Reproducibility: everything comes from ``random.Random(seed)``; timestamps are derived from the seed (never the clock);
JSON is written with sorted keys. The same arguments produce the same bytes on every platform and Python >= 3.11.

AWS managed policies appear in ``Policies`` only when attached, as in a real export; the documents of the
service-linked role policies are abbreviated to a few representative read-only statements (the real ones run to
tens of kilobytes and grant no ``sts:AssumeRole``).

Profiles
--------
``synthesize(..., profile=NAME)`` (``trustgraph synth --profile NAME``) draws other shapes of organization on the same
baseline, each stressing one thing the analysis must scale with (:mod:`trustgraph.synth.profiles` says what each
promises; ``mix`` is the default and its output never changes).

Modules: :mod:`~trustgraph.synth.catalog` (vocabularies), :mod:`~trustgraph.synth.documents` (policy JSON and the AWS
managed policies), :mod:`~trustgraph.synth.ids` (ids and dates), :mod:`~trustgraph.synth.core` (accounts and the
baseline), :mod:`~trustgraph.synth.mix` and the profile modules (drawn roles), :mod:`~trustgraph.synth.gaad` and
:mod:`~trustgraph.synth.organizations` (serialization), :mod:`~trustgraph.synth.write` (:func:`synthesize`).
"""

from __future__ import annotations

from trustgraph.synth.catalog import ROLE_MIX
from trustgraph.synth.profiles import DEFAULT_PROFILE, PROFILES, Profile
from trustgraph.synth.write import MAX_ACCOUNTS, MAX_ROLES_PER_ACCOUNT, SynthSummary, synthesize

__all__ = ["DEFAULT_PROFILE", "MAX_ACCOUNTS", "MAX_ROLES_PER_ACCOUNT", "PROFILES", "ROLE_MIX", "Profile",
           "SynthSummary", "synthesize"]
