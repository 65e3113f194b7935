"""The check protocol, the metadata every check carries, and helpers shared by the checks.

A check is a small object with a stable ``id``, a ``title``, a base ``severity`` and its ``severity_rule``, a
``rationale`` and a ``remediation`` that a reviewer can paste into a ticket, and ``run(ctx) -> Iterable[Finding]``
over the roles of a :class:`~trustgraph.checks.context.ScanContext`, and optionally ``prepare(ctx)`` for work every
role shares. Checks decide through the solver (graph queries or single hops), except where the evaluator's own rules
settle a question from the policy text (:mod:`trustgraph.checks.exact`, held to the solver's answers by tests); the
helpers here build the questions (a trust policy reduced to one statement, an added Deny statement that excludes what
the question must not count) and turn answers into findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeGuard, cast, runtime_checkable

from trustgraph.checks.finding import CheckInfo, Finding, FindingKind, Severity
from trustgraph.model.location import Location
from trustgraph.model.policy import Effect, Statement
from trustgraph.model.principal import Principal, PrincipalKind
from trustgraph.queries.results import HopWitness, Reach, ReachResult
from trustgraph.semantics.request import Action, CallerKind

if TYPE_CHECKING:
    from trustgraph.checks.context import ScanContext
    from trustgraph.checks.ondemand import FlatAnswer
    from trustgraph.semantics.request import Caller, Target
    from trustgraph.smt.solve import Sat, Unknown


@runtime_checkable
class Check(Protocol):
    """What the runner needs of a check."""

    id: str
    title: str
    severity: Severity
    severity_rule: str
    rationale: str
    remediation: str

    def run(self, ctx: ScanContext) -> Iterable[Finding]:
        """The findings on ``ctx.roles``."""
        ...


class BaseCheck:
    """Metadata as class attributes, and finding builders. Subclasses set the attributes and define ``run``."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.LOW
    severity_rule: ClassVar[str] = ""
    rationale: ClassVar[str] = ""
    remediation: ClassVar[str] = ""

    def run(self, ctx: ScanContext) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    #: Checks with shared work prepare in ascending rank: a search under fewer constraints first, so that the hop
    #: answers it leaves in the engine's memo answer the more constrained searches' hops (queries.engine.decide).
    prepare_rank: ClassVar[int] = 0

    def prepare(self, ctx: ScanContext) -> None:
        """Work shared by every role, done once before this check sees its first role (in the process that runs the
        check on all roles). The default has none."""

    # Shared work in parts. A check whose shared work ends with independent pieces (external-path-to-admin: one
    # search per federated provider outside the zone) names them (:meth:`parts`): with worker processes, any process
    # may compute a part (:meth:`part`), a worker sending its value back as plain values (:meth:`part_to_plain`), and
    # the scan process joins them in order (:meth:`join_parts`) after the rest of its shared work
    # (:meth:`prepare_head`), so that a worker that has run out of local tasks shares the search instead of idling
    # (:mod:`trustgraph.checks.parallel`). A part's value must not depend on what the process computed before it
    # (``tests/checks/test_split.py`` holds the findings equal for any split). :meth:`prepare` is the whole shared work
    # in one process, used where no worker takes parts: the head, then the parts' work as the check does it best in
    # one process (external-path-to-admin: one search for every provider), with the findings of head, parts, join.

    def parts(self, ctx: ScanContext) -> tuple[str, ...]:
        """The names of the parts of this check's shared work, in order (default: none). Known before any shared
        work is done (it is asked before the worker processes are forked)."""
        return ()

    def prepare_head(self, ctx: ScanContext) -> None:
        """The shared work but its parts (default: all of it, :meth:`prepare`)."""
        self.prepare(ctx)

    def part(self, ctx: ScanContext, name: str) -> Any:
        """The value of one part of the shared work (computed in the process that claimed it)."""
        raise NotImplementedError

    def part_to_plain(self, value: Any, memo: dict[int, Any]) -> Any:
        """A part's value as picklable plain values (default: as it is). The values of the parts a worker computed are
        pickled together, once it has no part left to claim; ``memo`` is shared by their calls (for values that share
        objects, to share their plain values, which ``pickle`` then writes once)."""
        return value

    def part_from_plain(self, plain: Any, memo: dict[int, Any]) -> Any:
        """The inverse of :meth:`part_to_plain` (``memo`` shared by the calls on values unpickled together)."""
        return plain

    def join_parts(self, ctx: ScanContext, values: list[Any]) -> None:
        """Keep the values of every part (in the order of :meth:`parts`) for the roles to read."""

    def grouped(self, ctx: ScanContext, conditions: Callable[[Location], int]) -> list[Finding]:
        """The findings on ``ctx.roles`` merged per role (:func:`~trustgraph.checks.grouping.group_findings`), as the
        runner keeps them; a check may make them more cheaply, with the same result
        (:func:`~trustgraph.checks.grouping.grouped_findings`)."""
        from trustgraph.checks.grouping import group_findings

        return group_findings(self.run(ctx), conditions)

    def info(self) -> CheckInfo:
        """The report's view of this check."""
        return CheckInfo(id=self.id, title=self.title, severity=self.severity, severity_rule=self.severity_rule,
                         rationale=self.rationale, remediation=self.remediation)

    def finding(
        self,
        *,
        role: str,
        source: str,
        message: str,
        severity: Severity | None = None,
        path: tuple[HopWitness, ...] = (),
        statements: Iterable[Location] = (),
        approximations: Iterable[str] = (),
        kind: FindingKind = FindingKind.FINDING,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this check; ``statements`` default to those along the path."""
        locs = tuple(dict.fromkeys(statements)) or tuple(dict.fromkeys(loc for h in path for loc in h.statements))
        approx = tuple(dict.fromkeys([*approximations, *(a for h in path for a in h.approximations)]))
        return Finding(
            check_id=self.id,
            severity=severity or self.severity,
            role=role,
            source=source,
            message=message,
            remediation=remediation or self.remediation,
            title=self.title,
            path=path,
            statements=locs,
            approximate=bool(approx),
            approximations=approx,
            kind=kind,
        )

    def unknown(self, *, role: str, source: str, reason: str, severity: Severity | None = None,
                statements: Iterable[Location] = ()) -> Finding:
        """An UNKNOWN finding: the solver could not decide the question; never read as safe."""
        return self.finding(role=role, source=source, severity=severity, statements=statements,
                            message=f"Unknown: the solver could not decide whether this role is affected ({reason}).",
                            kind=FindingKind.UNKNOWN)

    def reach_finding(self, result: ReachResult, *, role: str, message: str,
                      severity: Severity | None = None, source: str | None = None) -> Finding:
        """A finding (REACHABLE) or an UNKNOWN finding from a query result."""
        src = source or result.source
        if result.verdict is Reach.UNKNOWN:
            return self.unknown(role=role, source=src, reason=result.reason or "undecided hop",
                                severity=severity)
        return self.finding(role=role, source=src, message=message, severity=severity, path=result.hops,
                            approximations=result.approximations)


# -------------------------------------------------------------------------------------------- hop answers
def is_sat(result: Any) -> TypeGuard[Sat]:
    """True for a Sat solver answer."""
    from trustgraph.smt.solve import Sat

    return isinstance(result, Sat)


def is_unknown(result: Any) -> TypeGuard[Unknown]:
    """True for an Unknown solver answer."""
    from trustgraph.smt.solve import Unknown

    return isinstance(result, Unknown)


def unknown_reason(result: Any) -> str:
    """The reason of an Unknown answer."""
    return str(getattr(result, "reason", "unknown"))


def in_edges_by_source(G: Any, role: str) -> list[tuple[str, dict[str, Any]]]:
    """The in-edges of ``role`` as (source, edge data), sources in sorted order, each source's edges in key order:
    ``sorted(G.in_edges(role, data=True), key=source)`` without the edges' view (the per-role checks read it for
    every role; ``tests/checks/test_in_edges.py`` holds the two equal)."""
    pred = G.pred[role]
    return [(source, data) for source in sorted(pred) for data in pred[source].values()]


def hop_path(ctx: ScanContext, source: str, role: str, action: Action, result: Any) -> tuple[HopWitness, ...]:
    """A one-hop path from a Sat answer."""
    return (ctx.witness(source, role, action, result),)


# ------------------------------------------------------------------------------------- reach questions
def outside_sources(ctx: ScanContext, role: str, options: Any, targets: frozenset[str] | None = None
                    ) -> list[ReachResult]:
    """Every answer to "does an AWS principal outside the zone reach ``role``" under ``options``, most specific
    first: each ``account:ID`` node that reaches it (its shortest path; fewest hops, then id), then the ``external``
    class (any AWS principal outside the zone: its shortest path) when no named account reaches the role or when its
    witness is a principal of an account no trust policy names (so strangers get in too, e.g. through ``"*"``); else
    the unknown answer; empty when unreachable.

    An outside account's answer may carry light witnesses (:mod:`trustgraph.checks.ondemand`: no request context,
    caller or evidence); :func:`~trustgraph.checks.grouping.merge` builds the full witnesses of the finding it keeps
    (:func:`~trustgraph.checks.ondemand.with_full_path`).

    ``targets`` (default: every role) are the roles the check asks this about under ``options``, ``role`` among
    them (the same set for every role and in :func:`prepare_most_specific`): answers are built for those only.
    """
    return cast(list[ReachResult], outside_answers(ctx, role, options, targets))


def outside_answers(ctx: ScanContext, role: str, options: Any, targets: frozenset[str] | None = None,
                    conditions: Callable[[Location], int] | None = None) -> list[ReachResult | FlatAnswer]:
    """:func:`outside_sources`; with ``conditions`` (:meth:`ScanContext.condition_counter`), the answers of the
    outside accounts' searches kept as their hops left them (:data:`~trustgraph.checks.ondemand.Flat`) are given as
    :class:`~trustgraph.checks.ondemand.FlatAnswer` (what a merged finding reads of them, no witness or answer
    built; :mod:`trustgraph.checks.leansources`), in the same order."""
    # answers come from one search per source over the whole graph (ScanContext.reach_known): no per-role ancestor
    # set is needed to skip sources that cannot reach the role (computing one per role is quadratic at scale)
    general = list(ctx.reach_known("external", role, options, members=("external",), targets=targets))
    reachable = [r for r in general if r.verdict is Reach.REACHABLE]
    unknown = [r for r in general if r.verdict is Reach.UNKNOWN]
    if not reachable and not unknown:
        return []
    specific: list[ReachResult | FlatAnswer] = []
    if ctx.per_pair:  # the reference: one look-up per (outside account, role)
        for node in ctx.outside_account_nodes:
            found = [r for r in ctx.reach_known(node, role, options)
                     if r.verdict is Reach.REACHABLE and r.target == role]
            if found:
                specific.append(min(found, key=lambda r: len(r.hops)))
    else:  # the accounts' searches read once, inverted per role
        from trustgraph.checks.ondemand import LightMemo, answers_for, flat_answers

        index, failed = ctx.reached_by(ctx.outside_account_nodes, options, targets=targets)
        memo = ctx.once(("light-memo",), LightMemo) if LightMemo.enabled else None  # hops read by role after role
        kept = index.get(role, ())
        if conditions is None:  # light witnesses: grouping builds the first's
            specific = list(answers_for(ctx.engine, role, kept, memo))
        else:
            specific = list(flat_answers(ctx.engine, role, kept, memo, conditions))
        for node in failed:  # a search that did not replay: answered per target (reach_known)
            found = [r for r in ctx.reach_known(node, role, options)
                     if r.verdict is Reach.REACHABLE and r.target == role]
            if found:
                specific.append(min(found, key=lambda r: len(r.hops)))
    if specific:
        ordered = sorted(specific, key=_length_and_source)
        if reachable:
            anyone = min(reachable, key=lambda r: len(r.hops))
            named: frozenset[str] = ctx.once(("outside-account-ids",), lambda: frozenset(
                node.split(":", 1)[1] for node in ctx.outside_account_nodes))  # once per scan, not per role
            first = anyone.hops[0].context.get("aws:PrincipalAccount", ()) if anyone.hops else ()
            if first and not set(first) & named:  # the replayed witness is a stranger's principal
                ordered.append(anyone)
        return ordered
    if reachable:
        return [min(reachable, key=lambda r: len(r.hops))]
    return [*unknown[:1]]


def _length_and_source(r: ReachResult | FlatAnswer) -> tuple[int, str]:
    return (len(r.hops) if isinstance(r, ReachResult) else r.length, r.source)


def most_specific(ctx: ScanContext, role: str, options: Any) -> ReachResult | None:
    """The first of :func:`outside_sources` (the most specific source that reaches the role, with its full
    witnesses), or None."""
    from trustgraph.checks.ondemand import materialized

    found = outside_sources(ctx, role, options)
    return replace(found[0], hops=materialized(found[0].hops)) if found else None


def prepare_most_specific(ctx: ScanContext, options: Any, roles: Iterable[str] | None = None,
                          targets: frozenset[str] | None = None) -> None:
    """Run the searches :func:`outside_sources` reads, once: from ``external``, and, when one of ``roles`` (default:
    those of ``ctx``) is reachable or undecided from it, from every outside account node; ``targets`` as
    :func:`outside_sources` is given them."""
    from trustgraph.graph.nodes import EXTERNAL

    ctx.reach_known(EXTERNAL, "", options, members=(EXTERNAL,), targets=targets)
    if any(ctx.reach_known(EXTERNAL, role, options, members=(EXTERNAL,), targets=targets)
           for role in (ctx.roles if roles is None else roles)):
        if not ctx.per_pair:
            ctx.reached_by(ctx.outside_account_nodes, options, targets=targets)
            return
        for node in ctx.outside_account_nodes:
            ctx.reach_known(node, "", options)


def path_text(result: ReachResult) -> str:
    """``acct 444455556666 -> VendorIntegrationRole -> DeployRole`` for messages."""
    return hops_text(result.source, result.hops)


def hops_text(source: str, hops: Iterable[HopWitness]) -> str:
    """:func:`path_text` of a path given as its source and hops."""
    from trustgraph.graph.nodes import short_label

    nodes = [source] + [h.target for h in hops]
    return " -> ".join(short_label(n) for n in nodes)


# ------------------------------------------------------------------------------- statement-level questions
AWS_PRINCIPAL_KINDS = frozenset({
    PrincipalKind.ANY, PrincipalKind.ACCOUNT, PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE,
    PrincipalKind.UNIQUE_ID,
})


@dataclass(frozen=True, slots=True)
class CallerClass:
    """A class of callers a trust statement names, as the solver's caller and the action it calls."""

    label: str
    caller: Any  # Caller | SymbolicCaller
    action: Action


def statement_classes(ctx: ScanContext, st: Statement) -> tuple[list[CallerClass], bool]:
    """The caller classes a statement's principals name (symbolic callers; a concrete caller for a unique id that
    resolves to an exported principal), each with the assume action of that class the statement's Action allows.

    Returns the classes and whether every principal was understood (False: some principal's class is not one this
    module can ask about, e.g. ``"*"`` with only federated actions; callers then do not conclude "dead").
    """
    from trustgraph.graph.build import action_may_match
    from trustgraph.smt.symbolic import SymbolicCaller, allow_all_policy

    def allows(action: Action) -> bool:
        return action_may_match(st.actions, st.not_actions, action.value)

    out: dict[str, CallerClass] = {}
    complete = True
    principals: tuple[Principal, ...] = st.principals or ()
    for p in principals:
        kind = p.kind
        if kind in AWS_PRINCIPAL_KINDS:
            if kind is PrincipalKind.UNIQUE_ID:
                entity = ctx.estate.role_by_id.get(p.text) or ctx.estate.user_by_id.get(p.text)
                if entity is not None:
                    caller = cast("Caller", ctx.engine.caller(entity.arn, False))
                    caller = replace(caller, identity_policies=(allow_all_policy(),), boundary=None,
                                     boundary_unresolved=False, scp_levels=None)
                    if allows(Action.ASSUME_ROLE):
                        out[entity.arn] = CallerClass(entity.arn, caller, Action.ASSUME_ROLE)
                    continue
            if allows(Action.ASSUME_ROLE):
                out.setdefault("aws", CallerClass("aws", SymbolicCaller(kind=CallerKind.ROLE_SESSION),
                                                  Action.ASSUME_ROLE))
            elif kind is PrincipalKind.ANY:
                complete = False
        elif kind is PrincipalKind.SERVICE:
            if allows(Action.ASSUME_ROLE):
                out[f"service:{p.text}"] = CallerClass(f"service:{p.text}",
                                                       SymbolicCaller(kind=CallerKind.SERVICE, provider=p.text),
                                                       Action.ASSUME_ROLE)
        elif kind is PrincipalKind.SAML_PROVIDER:
            if allows(Action.ASSUME_ROLE_WITH_SAML):
                out[f"federated:{p.text}"] = CallerClass(f"federated:{p.text}",
                                                         SymbolicCaller(kind=CallerKind.SAML, provider=p.text),
                                                         Action.ASSUME_ROLE_WITH_SAML)
        elif kind in (PrincipalKind.OIDC_PROVIDER, PrincipalKind.WEB_IDENTITY):
            if allows(Action.ASSUME_ROLE_WITH_WEB_IDENTITY):
                out[f"federated:{p.text}"] = CallerClass(
                    f"federated:{p.text}", SymbolicCaller(kind=CallerKind.WEB_IDENTITY, provider=p.text),
                    Action.ASSUME_ROLE_WITH_WEB_IDENTITY)
        # INVALID, CANONICAL_USER, FEDERATED_USER: match no caller of an assume action
    return list(out.values()), complete


def statement_alone(ctx: ScanContext, role: str, index: int,
                    st: Statement) -> tuple[list[tuple[CallerClass, Any]], bool]:
    """Each caller class trust statement ``index`` of ``role`` names, with the solver's answer to "does a request of
    that class get in under this statement alone"; and whether every principal was understood
    (:func:`statement_classes`). Several checks ask this; the answers are kept on the view for the role."""
    key = ("statement-alone", role, index)
    cached = ctx.local.get(key)
    if cached is None:
        classes, complete = statement_classes(ctx, st)
        only = target_with(ctx, role, (st,))
        cached = ([(c, _alone_answer(ctx, st, c, only)) for c in classes], complete)
        ctx.local[key] = cached
    return cached


class ArnWitnesses:
    """The switch of the witness guesses for an outsider renamed after a trust statement's ``aws:PrincipalArn``
    patterns (``smt.solve.answer``'s ``arn_guesses``) on the questions whose Sat witnesses a finding prints: the
    statement's own question (:func:`statement_alone`, whose witness vacuous-condition's every-value findings print)
    and vacuous-condition's question 1 (its "absent" findings); vacuous-condition's question 3, whose verdict alone
    is read, is asked the same way to spare z3 runs. Held here, with the question every check shares,
    so that all of them ask it the same way. Off: z3 finds the witness when the plain concrete-first guesses fail
    (the reference; tests/checks/test_vacuous_witnesses.py compares the verdicts both ways and replays both
    witnesses; tests/checks/test_vacuous_q3_guesses.py counts question 3's z3 runs both ways)."""

    #: False: no renamed guesses (set on the class)
    enabled: ClassVar[bool] = True


def _alone_answer(ctx: ScanContext, st: Statement, c: CallerClass, only: Target) -> Any:
    """ The answer of :func:`statement_alone` for class ``c`` (``only``: the role with ``st`` alone as its trust
    policy): the solver's, or for a GitHub Actions class whose claims disagree (:func:`claims_disagree`, switch
    ``SolverOptions.refuted_claims``) the Unsat answer z3 would give, proved by the rule; its core, when read
    (dead-trust-statement's message), is the solver's (:func:`trustgraph.smt.solve.proved_unsat`). On
    condition-heavy-2k, 26 such questions (vacuous-condition's and dead-trust-statement's encodings 265 -> 239); z3
    itself ran once less in the scan (204 -> 203): roles alike ask the same formulas, which the session's store of
    solved formulas answers, so what is saved is the encoding, ~9 ms of CPU each."""
    if ctx.engine.session.options.refuted_claims and claims_disagree(st, c):
        from trustgraph.smt.question import HopQuestion
        from trustgraph.smt.solve import proved_unsat

        return proved_unsat(HopQuestion(c.caller, only, c.action, (), False, ctx.engine.now_ms,
                                        timeout_ms=ctx.timeout_ms), ctx.engine.session)
    return ctx.solve_hop(c.caller, only, c.action, arn_guesses=ArnWitnesses.enabled)


def statement_witnesses(ctx: ScanContext, role: str, index: int, st: Statement) -> list[tuple[CallerClass, Any]]:
    """Each caller class trust statement ``index`` of ``role`` names (:func:`statement_classes`), with an
    evaluator-confirmed request of a member of the class that gets in under the statement alone when the
    statement's conditions are all on keys the caller chooses (:func:`trustgraph.checks.exact.conditioned_admits`),
    else None. A witness means the solver's answer of :func:`statement_alone` is Sat, at the cost of an evaluation;
    kept on the view for the role."""
    from trustgraph.checks.exact import conditioned_admits

    key = ("statement-witnesses", role, index)
    cached: list[tuple[CallerClass, Any]] | None = ctx.local.get(key)
    if cached is None:
        classes, _ = statement_classes(ctx, st)
        only = target_with(ctx, role, (st,))
        now = ctx.now_text()
        cached = [(c, conditioned_admits(st, c.label, c.caller, c.action, only, fresh_account=ctx.fresh_account,
                                         now=now)) for c in classes]
        ctx.local[key] = cached
    return cached


def alone_key(ctx: ScanContext, role: str, st: Statement) -> tuple[Any, ...]:
    """Everything a question on trust statement ``st`` of ``role`` alone (:func:`target_with`) depends on, as data:
    the statement's content, its policy's Version and Id, and the facts of the role the question reads (its
    partition, or its whole ARN when the statement has a Resource or NotResource element; account, maximum session
    duration, service-linked, tags, organization). The callers, actions and constraints such questions use are
    functions of the statement and of the scan. It is the result store's key (``smt.sharing.cache_key``) for those
    questions with the account always kept: two roles with equal keys get the same verdicts, so a check may share a
    verdict that produces no finding between them (a finding is always computed for its own role)."""
    target = ctx.engine.target(role)
    r = target.role
    named = st.resources is not None or st.not_resources is not None
    return (st, r.trust_policy.version, r.trust_policy.id, r.arn if named else r.arn.split(":")[1], r.account,
            r.max_session_duration, r.service_linked, r.tags, target.org_known, target.org_id, target.org_paths)


def is_assume_grant(st: Statement) -> bool:
    """An Allow statement whose Action can match one of the three assume actions (companion-only statements such
    as sts:TagSession are not grants)."""
    from trustgraph.graph.build import action_may_match
    from trustgraph.semantics.request import ASSUME_ACTIONS

    return st.effect is Effect.ALLOW and any(action_may_match(st.actions, st.not_actions, a.value)
                                             for a in ASSUME_ACTIONS)


def target_with(ctx: ScanContext, role_arn: str, statements: Iterable[Statement]) -> Target:
    """The role as a solver target with its trust policy replaced by ``statements`` (RCPs left out: the question
    is about the trust policy itself)."""
    target = ctx.engine.target(role_arn)
    role = target.role
    policy = replace(role.trust_policy, statements=tuple(statements))
    return replace(target, role=replace(role, trust_policy=policy), rcp_levels=None)


#: the most Condition blocks :func:`deny_like`'s ``parsed`` store keeps (condition-heavy-2k asks 267)
DENY_BLOCKS_KEPT = 4096


def deny_like(st: Statement, conditions: dict[str, dict[str, list[Any]]], tag: str, *,
              parsed: dict[tuple[str, str], Any] | None = None) -> Statement:
    """A Deny statement with the principals and actions of ``st`` and the given Condition block (JSON form: the
    question's own words, parsed here), for excluding requests from a question (the Deny applies exactly when its
    conditions hold). ``st`` itself is reused as model values (a NotPrincipal becomes the Principal).

    ``parsed``: the parsed Condition blocks of earlier calls, by ``tag`` and the block's text (``repr``, which tells
    ``"1"`` from ``1``), read and added to here. The parse is a function of the two alone (the location is the
    tag's, policy variables are always read), and Conditions are immutable: a block parsed once serves every
    statement (``checks.vacuous_condition._Targets``; None: parsed every time). At most :data:`DENY_BLOCKS_KEPT`
    blocks are kept (blocks naming a value of each role, such as an external id, would grow with the estate)."""
    from trustgraph.ingest.policy_json import conditions_from_json

    loc = Location("<trustgraph-question>", f"/{tag}")
    principals = st.principals if st.principals is not None else st.not_principals
    if parsed is None:
        block = conditions_from_json(conditions, loc.child("Condition"), variables=True)
    else:
        key = (tag, repr(conditions))
        known = parsed.get(key)
        if known is None:
            known = conditions_from_json(conditions, loc.child("Condition"), variables=True)
            if len(parsed) < DENY_BLOCKS_KEPT:
                parsed[key] = known
        block = known
    return replace(st, sid=None, effect=Effect.DENY, principals=principals, not_principals=None,
                   conditions=block, location=loc, flags=())


def without_condition(st: Statement, index: int) -> Statement:
    """``st`` without its ``index``-th condition."""
    return replace(st, conditions=st.conditions[:index] + st.conditions[index + 1:])


def claims_disagree(st: Statement, c: CallerClass) -> bool:
    """True when ``st`` admits no GitHub Actions token of class ``c`` (web identity from a GitHub provider): a plain
    ``StringEquals`` on the provider's ``repository`` claim and a plain ``StringEquals``/``StringLike`` on its ``sub``
    whose every pattern starts with ``repo:`` and matches no subject ``repo:R:...`` for any repository ``R`` the first
    lists (:func:`trustgraph.smt.claims_gate.disagreeing_claims`); the token's claims agree (``semantics.claims.
    token_problem``, ``smt.presence.claim_couplings``: a ``repo:`` subject names its repository), so none satisfies
    both. :meth:`~trustgraph.checks.vacuous_condition.VacuousCondition._decide_lazily` then asks the statement's own
    question before question 1 (switch ``SolverOptions.dead_claims``), and :func:`statement_alone` answers that
    question Unsat without z3 (switch ``SolverOptions.refuted_claims``)."""
    from trustgraph.semantics.request import CallerKind
    from trustgraph.smt.claims_gate import disagreeing_claims
    from trustgraph.smt.symbolic import SymbolicCaller, provider_host

    caller = c.caller
    if (not isinstance(caller, SymbolicCaller) or caller.kind is not CallerKind.WEB_IDENTITY
            or caller.provider is None):
        return False
    return disagreeing_claims(st, provider_host(caller.provider))


def trust_statements(ctx: ScanContext, role: str) -> Iterator[tuple[int, Statement]]:
    """The statements of a role's trust policy with their indexes."""
    yield from enumerate(ctx.estate.role_by_arn[role].trust_policy.statements)


__all__ = [
    "ArnWitnesses", "BaseCheck", "CallerClass", "Check", "alone_key", "claims_disagree", "deny_like", "hop_path",
    "hops_text", "is_assume_grant", "is_sat",
    "is_unknown", "most_specific", "outside_answers", "outside_sources", "path_text", "prepare_most_specific",
    "statement_alone",
    "statement_classes", "statement_witnesses", "target_with", "trust_statements", "unknown_reason",
    "without_condition",
]
