"""The concrete decision of one identity-authorized call: may this principal do ``action`` on ``resource``?

This is the executable specification of a principal's *effective identity permissions* that privilege-escalation
edges and the administrator question are decided on (the z3 encoding, ``trustgraph.smt.permissions``, follows it
node for node). It applies AWS's policy evaluation logic for a request inside the principal's own account that no
resource-based policy grants (IAM, and the create/run actions of the escalation catalogue, have none), in the order
of the IAM User Guide's "Policy evaluation logic" page:

1. Explicit deny anywhere -> EXPLICIT_DENY: the caller's identity policies (its groups' included), permissions
   boundary, session policies, SCPs of its account (``scp_levels`` not None; never a service-linked role's
   session) and RCPs of the resource's account for the services RCPs govern (:data:`RCP_SERVICES`).
2. SCPs: every level must have an Allow (a level with no policy loaded is assumed to allow, marked approximate).
3. An identity Allow is required (same-account request, no resource-based policy).
4. The permissions boundary, when there is one, must allow (an unresolved boundary is assumed to allow, marked).
5. A role session's session policies, when there are any, must allow.

The request context is a concrete mapping (lower-cased keys), as for :func:`~trustgraph.semantics.evaluate_hop`;
:func:`permission_context` builds the one a principal sends when it chooses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from trustgraph.model.location import Location
from trustgraph.model.policy import Policy, Statement
from trustgraph.semantics.evaluate import evaluate_policy
from trustgraph.semantics.request import Caller, CallerKind, Decision, Verdict

Context = Mapping[str, tuple[str, ...]]
Approximation = tuple[str, Location]

#: Services whose actions resource control policies govern: the service prefixes of the AWS Organizations User
#: Guide, "Resource control policies (RCPs)", *List of AWS services that support RCPs* (62 prefixes as read in
#: December 2026; the list of 2024 had only s3, sts, kms, sqs and secretsmanager). RCPs bind a request on a resource
#: of a member account, whoever makes it, except service-linked roles' calls and the management account's resources.
RCP_SERVICES = frozenset({
    "appstream", "dsql", "clouddirectory", "cloudfront", "cloudsearch", "logs", "networkmonitor", "cognito-identity",
    "cognito-idp", "comprehend", "comprehendmedical", "firehose", "dynamodb", "dax", "autoscaling", "ecr",
    "ecr-public", "gamelift", "inspector-scan", "kendra", "kinesisvideo", "memorydb", "aoss", "personalize", "polly",
    "s3", "swf", "sqs", "textract", "timestream-influxdb", "transcribe", "translate", "workspaces", "appconfig",
    "autoscaling-plans", "budgets", "servicediscovery", "cloudtrail-data", "codeartifact", "codebuild", "codecommit",
    "codepipeline", "compute-optimizer", "cost-optimization-hub", "events", "fms", "fis", "health", "rolesanywhere",
    "kms", "opensearch", "pricing", "pca-connector-ad", "resource-groups", "secretsmanager", "sts", "signin",
    "support", "transfer", "notifications", "wafv2", "xray",
})


def _service(action: str) -> str:
    return action.split(":", 1)[0].lower()


def rcps_apply(caller: Caller, action: str) -> bool:
    """Whether RCPs take part in the decision of ``action`` (their service, and not a service-linked session)."""
    return _service(action) in RCP_SERVICES and not _service_linked(caller)


def scps_apply(caller: Caller) -> bool:
    """Whether the caller's account SCPs take part (loaded, and not a service-linked role's session)."""
    return caller.scp_levels is not None and not _service_linked(caller)


def _service_linked(caller: Caller) -> bool:
    return caller.kind is CallerKind.ROLE_SESSION and ":role/aws-service-role/" in caller.arn


def _statements(policies: Iterable[Policy], caller: Caller, action: str, resource: str,
                context: Context) -> tuple[list[Statement], list[Statement], list[Approximation]]:
    allows: list[Statement] = []
    denies: list[Statement] = []
    approx: list[Approximation] = []
    for p in policies:
        r = evaluate_policy(p, caller=caller, action=action, resource=resource, context=context)
        allows.extend(r.allows)
        denies.extend(r.denies)
        approx.extend(r.approximations)
    return allows, denies, approx


def evaluate_permission(
    caller: Caller,
    action: str,
    resource: str,
    context: Context,
    *,
    rcp_levels: tuple[tuple[Policy, ...], ...] | None = None,
) -> Decision:
    """Decide whether ``caller`` (an IAM user or a role session) may call ``action`` on ``resource``.

    ``rcp_levels`` are the RCPs of the resource's account (None: none loaded). Returns ALLOW with the allowing
    identity statements (boundary, session and SCP allows are not listed), EXPLICIT_DENY with every denying
    statement, or IMPLICIT_DENY with what was missing in words. See the module docstring for the procedure.

    Examples
    --------
    >>> from trustgraph.ingest.policy_json import policy_from_json
    >>> from trustgraph.model.location import MEMORY
    >>> p = policy_from_json({"Version": "2012-10-17", "Statement": [
    ...     {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
    ...     {"Effect": "Deny", "Action": "iam:Put*", "Resource": "*"}]}, MEMORY)
    >>> c = Caller(kind=CallerKind.IAM_USER, arn="arn:aws:iam::111111111111:user/u", account="111111111111",
    ...            identity_policies=(p,))
    >>> evaluate_permission(c, "iam:CreateAccessKey", "arn:aws:iam::111111111111:user/v", {}).verdict.value
    'allow'
    >>> evaluate_permission(c, "iam:PutUserPolicy", "arn:aws:iam::111111111111:user/u", {}).verdict.value
    'explicit-deny'
    """
    who = caller.session_arn or caller.arn
    if caller.kind not in (CallerKind.IAM_USER, CallerKind.ROLE_SESSION):
        return Decision(verdict=Verdict.IMPLICIT_DENY,
                        reasons=(f"a {caller.kind.value} caller has no identity permissions",))
    approx: list[Approximation] = []
    denies: list[Statement] = []

    id_allows, d, a = _statements(caller.identity_policies, caller, action, resource, context)
    denies += d
    approx += a
    boundary_allows: list[Statement] | None = None
    if caller.boundary is not None:
        boundary_allows, d, a = _statements((caller.boundary,), caller, action, resource, context)
        denies += d
        approx += a
    session_allows: list[Statement] | None = None
    if caller.kind is CallerKind.ROLE_SESSION and caller.session_policies:
        session_allows, d, a = _statements(caller.session_policies, caller, action, resource, context)
        denies += d
        approx += a
    scp_allows: list[list[Statement]] = []
    if scps_apply(caller):
        assert caller.scp_levels is not None
        for level in caller.scp_levels:
            allows, d, a = _statements(level, caller, action, resource, context)
            denies += d
            approx += a
            scp_allows.append(allows)
    if rcp_levels is not None and rcps_apply(caller, action):
        for level in rcp_levels:
            _, d, a = _statements(level, caller, action, resource, context)
            denies += d
            approx += a
    approx = list(dict.fromkeys(approx))
    if denies:
        unique = tuple(dict.fromkeys(denies))
        return Decision(verdict=Verdict.EXPLICIT_DENY, statements=unique, approximations=tuple(approx))

    reasons: list[str] = []
    for i, allows in enumerate(scp_allows):
        assert caller.scp_levels is not None
        if not caller.scp_levels[i]:
            approx.append((f"no SCP loaded at level {i} above account {caller.account}: assumed to allow",
                           Location(caller.arn, "")))
        elif not allows:
            reasons.append(f"SCPs of account {caller.account} (level {i}) do not allow {action} on {resource}")
    if not id_allows:
        reasons.append(f"identity policies of {who} do not allow {action} on {resource}")
    if caller.boundary is None and caller.boundary_unresolved:
        approx.append((f"permissions boundary of {caller.arn} is not in the export: assumed to allow",
                       Location(caller.arn, "")))
    elif boundary_allows is not None and not boundary_allows:
        reasons.append(f"permissions boundary of {who} does not allow {action} on {resource}")
    if session_allows is not None and not session_allows:
        reasons.append(f"session policies of {who} do not allow {action} on {resource}")
    if reasons:
        return Decision(verdict=Verdict.IMPLICIT_DENY, reasons=tuple(reasons), approximations=tuple(approx))
    return Decision(verdict=Verdict.ALLOW, statements=tuple(dict.fromkeys(id_allows)),
                    approximations=tuple(approx))


def permission_context(
    caller: Caller,
    extra: Mapping[str, tuple[str, ...]] | None = None,
    *,
    now: str | datetime | None = None,
) -> dict[str, tuple[str, ...]]:
    """The context of a call by ``caller`` that chooses nothing: its principal keys and the standard request keys
    (aws:CurrentTime/EpochTime at ``now``, aws:SecureTransport true, aws:ViaAWSService false,
    aws:RequestedRegion us-east-1), then ``extra`` (lower-cased keys; an empty tuple removes a key)."""
    from trustgraph.model.values import parse_date
    from trustgraph.semantics.context import principal_context, request_time_text

    now_text = request_time_text(now)
    ctx = dict(principal_context(caller, now=now_text))
    ctx["aws:currenttime"] = (now_text,)
    ms = parse_date(now_text)
    if ms is not None:
        ctx["aws:epochtime"] = (str(ms // 1000),)
    ctx["aws:securetransport"] = ("true",)
    ctx["aws:viaawsservice"] = ("false",)
    ctx["aws:requestedregion"] = ("us-east-1",)
    for k, v in (extra or {}).items():
        if v:
            ctx[k.lower()] = tuple(v)
        else:
            ctx.pop(k.lower(), None)
    return ctx


__all__ = ["RCP_SERVICES", "evaluate_permission", "permission_context", "rcps_apply", "scps_apply"]
