"""``privilege-escalation``: a principal of the zone whose permissions do not allow everything can obtain
administrator power by a path that uses a privilege-escalation method before it reaches any other principal with
that power (an admin-equivalent principal is reported for its own method; a principal that reaches administrator
power by role assumption alone is the reach checks' subject).

For each user and role of the zone whose permissions do not already allow everything, the question
``GraphQueries.query(principal, "admin", via="all")``: assume-role chains mixed with the escalation methods of
:mod:`trustgraph.graph.methods`, each call decided on the caller's effective permissions with a replayed witness.
The runner checks one role at a time, so a role's finding is its own, and the users of an account are checked with
the first (sorted) role of that account inside the zone. Service-linked roles are not reviewed (AWS owns them). A
principal whose administrator question the solver could not decide (``admin_undecided``: counted as an administrator
elsewhere, the sound side for severity) is reported as Unknown, never skipped.
Only principals that may lead to an administrator over trust and escalation edges are searched (a backward
closure); every other principal has no path. Escalation edges are computed once per principal, most without a
solver call, and each principal's assume-role reach is searched once per scan process.

A principal that obtains administrator power in one hop (an escalation edge to its account's administrator or to
an admin-equivalent principal, or one assume hop into an admin-equivalent role) is answered from its escalation edges
and its first hops into admin-equivalent roles alone, without a search (:class:`~trustgraph.queries.escalate.
LengthOne`; ``PrivilegeEscalation(length_one=False)`` asks every query: random profile, 2,000 roles, 701 of 1,774
queries answered so, the run's hop decisions 5,817 -> 2,128). The queries asked read each length's administrator
offers first and the rest of a length only when none is there (``AssumeReaches.admin_first``,
:mod:`trustgraph.queries.peek`: the 91 queries answered at length 2 asked 1,165 hop decisions, now 426).

Cost: escalation edges per principal (O(P * M * T) calls for P principals, M methods and T targets, most decided
without the solver, a target matched like an earlier one answered from it: :mod:`trustgraph.graph.escalation`), one
backward closure over trust and escalation edges (O(V + E')), then a mixed search per principal that may lead to
administrator power, stopped once its shortest administrator answer is settled: O(K * P log P) for K such principals,
plus what they read of each principal's assume-role search, kept once per process and read only as deep as a search
goes (a search stopped at length A reads A - L hops of a principal obtained at length L), replayed from shared moves
(hops decided once, O(V + E'); the replays O(P * (V + E')) in the worst case, every principal reaching every other
and no administrator on the way: :mod:`trustgraph.queries.escalate`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from trustgraph.checks.base import BaseCheck, path_text
from trustgraph.checks.context import ScanContext
from trustgraph.checks.finding import Finding, Severity
from trustgraph.queries.results import Reach, ReachResult

if TYPE_CHECKING:
    from trustgraph.queries.escalate import LengthOne


class PrivilegeEscalation(BaseCheck):
    """Asks, for every non-admin principal of the zone, whether it can become an administrator."""

    id = "privilege-escalation"
    title = "A principal of the zone can make itself an administrator"
    severity = Severity.CRITICAL
    severity_rule = "Critical."
    rationale = (
        "Assuming a role is only one way to obtain power. A principal that may rewrite its own policies (or a "
        "group's, or a managed policy it holds), pass a powerful role to a service it can run code in, create "
        "access keys for an administrator, or rewrite an administrator role's trust policy holds an "
        "administrator's power in all but name: whoever obtains its credentials does too."
    )
    remediation = (
        "Remove the escalation permission named on the path, or scope it: iam:PassRole to the roles the workload "
        "needs with iam:PassedToService; IAM write actions (Put*/Attach*/CreatePolicyVersion/CreateAccessKey/"
        "UpdateAssumeRolePolicy) to resources the principal cannot turn against an administrator. A permissions "
        "boundary that denies these actions, or an SCP, closes the path for every principal at once."
    )

    #: after the reach checks' searches, so that they run as before
    prepare_rank = 3

    def __init__(self, *, length_one: bool = True) -> None:
        #: True: a principal that obtains administrator power in one hop is answered from its escalation edges and
        #: the first hops into admin-equivalent roles alone (:class:`~trustgraph.queries.escalate.LengthOne`);
        #: False: every principal's query is asked (the reference, ``tests/checks/test_priv_length_one.py``)
        self.length_one = length_one

    def prepare(self, ctx: ScanContext) -> None:
        """The escalation edges and the closure of the principals that may lead to administrator power
        (:func:`_candidates`), once per scan: as shared work, the worker processes forked after it inherit them
        instead of each computing its own (20,000 roles, mix: 290 of 553 profile samples of this check in a worker
        process)."""
        _candidates(ctx)

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        G = ctx.graph
        options = ctx.options(via="all")
        quick = _length_one(ctx) if self.length_one else None
        from trustgraph.queries.escalate import BY_ASSUMING

        for role in ctx.roles:
            subjects = [role]
            account = G.nodes[role].get("account")
            if role == _first_role(ctx, account):
                subjects += _users(ctx, account)
            candidates = _candidates(ctx)
            for subject in subjects:
                data = G.nodes[subject]
                if data.get("service_linked"):
                    continue
                if data.get("admin_undecided"):
                    yield self.undecided_admin(subject, data)
                    continue
                if data.get("admin_kind") == "admin" or subject not in candidates:
                    continue
                known = quick.result(subject, options) if quick is not None else None
                if known == BY_ASSUMING:
                    continue  # administrator power by one assume hop: the reach checks' subject (as below)
                result = known if isinstance(known, ReachResult) else ctx.tg.query(subject, "admin", options)[0]
                if result.verdict is Reach.UNREACHABLE:
                    continue
                first = next((h for h in result.hops if h.method), None)
                if result.verdict is Reach.REACHABLE and (
                        first is None or (first.source != subject and G.nodes[first.source].get("admin"))):
                    continue  # administrator power by role assumption alone: the reach checks' subject
                if result.verdict is Reach.UNKNOWN:
                    yield self.reach_finding(result, role=subject, message="")
                    continue
                methods = ", ".join(dict.fromkeys(h.method for h in result.hops if h.method)) or "assume-role"
                message = (f"`{subject}` can become an administrator of {result.target.split(':', 1)[1]} "
                           f"({methods}): {path_text(result)}.")
                holder = result.hops[-1].target if result.hops else ""
                if holder in G and G.nodes[holder].get("admin_undecided"):
                    note = (f"`{holder}` is counted as an administrator although the solver could not decide it "
                            f"({G.nodes[holder].get('admin_reason', '')})")
                    yield self.finding(role=subject, source=result.source, message=message, path=result.hops,
                                       approximations=(*result.approximations, note))
                    continue
                yield self.reach_finding(result, role=subject, message=message)

    def undecided_admin(self, subject: str, data: dict[str, object]) -> Finding:
        """The Unknown finding for a principal whose "is it already an administrator?" question the solver could not
        decide: the graph counts it as one (the sound side for the reach checks' severity), so whether it can make
        itself one was not asked; said out loud rather than skipped as an administrator."""
        return self.unknown(role=subject, source=subject,
                            reason=f"whether `{subject}` already holds administrator power is undecided "
                                   f"({data.get('admin_reason', '')}); whether it can obtain that power by an "
                                   "escalation method was therefore not asked")


def _candidates(ctx: ScanContext) -> frozenset[str]:
    """The principals that may obtain administrator power by a path with an escalation method: a backward closure,
    over the trust graph's edges and the escalation edges (both read as "may lead to": trust edges are not solved
    here) that goes no further back than a principal with that power, from the principals whose escalation edges
    lead to it. Every other principal has no such path, without a search."""

    def compute() -> frozenset[str]:
        from collections import deque

        G = ctx.graph
        escalations = ctx.tg.escalations()
        back: dict[str, list[str]] = {}
        powerful = {n for n, d in G.nodes(data=True) if d.get("admin")}
        seeds: list[str] = []
        for n, d in G.nodes(data=True):
            if d["kind"] not in ("user", "role") or d.get("admin_kind") == "admin":
                continue
            for edge in escalations.edges_from(n):
                back.setdefault(edge.target, []).append(n)
                if edge.target.startswith("admin:") or edge.target in powerful:
                    seeds.append(n)
        seen = set(seeds)
        queue = deque(seeds)
        while queue:
            x = queue.popleft()
            if x in powerful:
                continue  # whoever reaches it by role assumption has administrator power without escalating
            preds = list(G.predecessors(x)) if x in G else []
            for p in (*preds, *back.get(x, ())):
                if p not in seen and p not in powerful:
                    seen.add(p)
                    queue.append(p)
        return frozenset(n for n in seen if n in G and G.nodes[n]["kind"] in ("user", "role"))

    result: frozenset[str] = ctx.once(("privilege-escalation", "candidates"), compute)
    return result


def _length_one(ctx: ScanContext) -> LengthOne:
    """The answers found without a search (:class:`~trustgraph.queries.escalate.LengthOne`), one per scan process."""
    from trustgraph.queries.escalate import LengthOne

    def make() -> LengthOne:
        return LengthOne(ctx.tg.engine, ctx.tg.escalations())

    made: LengthOne = ctx.once(("privilege-escalation", "length-one"), make)
    return made


def _users(ctx: ScanContext, account: str | None) -> list[str]:
    """The IAM users of the zone in ``account``, sorted (grouped once per scan: once per account would read every
    node of the graph per account)."""

    def compute() -> dict[str, list[str]]:
        users: dict[str, list[str]] = {}
        for n, d in sorted(ctx.graph.nodes(data=True)):
            if d["kind"] == "user" and d["inside"]:
                users.setdefault(d["account"], []).append(n)
        return users

    table: dict[str, list[str]] = ctx.once(("privilege-escalation", "users"), compute)
    return list(table.get(account or "", ()))


def _first_role(ctx: ScanContext, account: str | None) -> str | None:
    def compute() -> dict[str, str]:
        first: dict[str, str] = {}
        for n, d in sorted(ctx.graph.nodes(data=True)):
            if d["kind"] == "role" and d["inside"] and d["account"] not in first:
                first[d["account"]] = n
        return first

    table: dict[str, str] = ctx.once(("privilege-escalation", "first-role"), compute)
    return table.get(account or "")


CHECK = PrivilegeEscalation()
