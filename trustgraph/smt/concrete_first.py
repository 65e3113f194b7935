"""The concrete-first fast path: before a hop is encoded, a few requests proposed by
:mod:`trustgraph.smt.guess` are assembled like a solver witness and replayed through the evaluator; the first one it
allows is the Sat answer. When none is, the caller asks the solver, so this path can only turn a solver Sat into an
evaluator-confirmed Sat with another witness (tests/smt/test_concrete_first.py holds it to the reference path)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from trustgraph.model.condition import Family
from trustgraph.model.pattern import AnyChar, Literal, Pattern, Star
from trustgraph.model.policy import Effect, Statement
from trustgraph.semantics.request import Action, Caller, CallerKind, Target
from trustgraph.smt.constraints import ground_satisfies
from trustgraph.smt.presence import HopView
from trustgraph.smt.results import KeyConstraint, Sat
from trustgraph.smt.structure import hop_policies
from trustgraph.smt.symbolic import AWS_KINDS, Candidate
from trustgraph.smt.witness import base_context, fix_tags, replay

if TYPE_CHECKING:
    from trustgraph.smt.cache import SolverStats
    from trustgraph.smt.facts import FactsTable


def try_concrete_first(cand: Candidate, target: Target, action: Action, constraints: tuple[KeyConstraint, ...],
                       view: HopView, now_text: str, duration: int | None, facts: FactsTable,
                       stats: SolverStats) -> Sat | None:
    """A Sat answer from a guessed request (``smt.guess``) that the evaluator allows, or None (ask the solver).

    The caller is the candidate's template (a concrete caller, or one concrete member of an outsider class); every
    guess respects the hop's presence rules and the constraints, and is replayed like a solver witness. ``facts``
    and ``stats`` are the session's policy table and counters."""
    from trustgraph.semantics.actions import statements_for_action
    from trustgraph.semantics.context import build_request
    from trustgraph.semantics.principals import statement_principal_match
    from trustgraph.smt.guess import guesses

    trust = target.role.trust_policy
    # an outsider of an AWS account chooses its own principal tags (the symbolic request leaves them free and the
    # candidate decodes them); other callers' tags are the template's
    own_tags = cand.symbolic and cand.template.kind in AWS_KINDS and cand.decode is not None
    for template in _templates(cand, target):
        trust_allows = [st for st in statements_for_action(trust, action.value)
                        if st.effect is Effect.ALLOW and statement_principal_match(st, template, action) is not None]
        if not trust_allows:
            return None
        built = build_request(template, action, {}, target=target, duration_seconds=duration, now=now_text)
        full = built.context
        if _principal_refused(trust_allows, full, trust.variables_enabled):
            continue  # no guess of this template can be allowed
        policies = [p for _, p in hop_policies(template, target)]
        clock = {k: full[k] for k in ("aws:currenttime", "aws:epochtime") if k in full}
        base = base_context(template, action, target, duration, now_text, view, built)
        denies = [st for p in policies for st in statements_for_action(p, action.value)
                  if st.effect is Effect.DENY and st.conditions
                  and (p is not trust or statement_principal_match(st, template, action) is not None)]
        for assignment in guesses(view, policies, trust_allows, trust.variables_enabled, constraints, base, clock,
                                  denies, facts=facts, principal_tags=own_tags):
            caller, ctx = template, dict(base)
            tags = {k: v for k, v in assignment.items() if k.startswith(_PRINCIPAL_TAG)}
            if tags:
                caller = replace(template, tags=tuple((k[len(_PRINCIPAL_TAG):], v[0])
                                                      for k, v in sorted(tags.items()) if v))
                ctx = base_context(caller, action, target, duration, now_text, view)
                assignment = {k: v for k, v in assignment.items() if k not in tags}
            for key, values in assignment.items():
                if values is None:
                    ctx.pop(key, None)
                else:
                    ctx[key] = values
            fix_tags(ctx, "aws:tagkeys" in assignment)
            if not all(ground_satisfies(c, ctx.get(c.key.lower())) for c in constraints):
                continue
            stats.count("guess_evaluations")
            request, decision, approx = replay(caller, target, action, ctx, duration, ())
            if decision.allowed:
                stats.count("guess_hits")
                stats.count("fast_path")  # decided without z3
                return Sat(caller, request, decision, tuple(approx))
    return None


def _principal_refused(trust_allows: list[Statement], principal: Mapping[str, tuple[str, ...]],
                       variables: bool) -> bool:
    """Whether every Allow statement in ``trust_allows`` has a condition reading only the principal keys of
    ``smt.principal_gate.PRINCIPAL_KEYS`` that the evaluator finds false on ``principal`` (the template's request:
    those keys are the caller's, and every guess of the template carries them unchanged, whatever else it sets).
    Then the evaluator denies every guess of the template (a role is assumed only through an Allow statement of its
    trust policy) and they are not made: the answer is the one the failed guesses lead to. On condition-heavy-2k
    ~330 outsider candidates (an IAM user against ``ArnLike aws:PrincipalArn ...:role/ops-*``) went through up to
    three guesses and their replays each for nothing."""
    from trustgraph.semantics.conditions import UndecidableCondition
    from trustgraph.semantics.evaluate import condition_evaluator
    from trustgraph.smt.encode import block_keys
    from trustgraph.smt.principal_gate import PRINCIPAL_KEYS

    evaluate = condition_evaluator()
    for st in trust_allows:
        refused = False
        for c in st.conditions:
            if not block_keys((c,)) <= PRINCIPAL_KEYS:
                continue
            try:
                if not evaluate(c, principal, variables=variables):
                    refused = True
                    break
            except UndecidableCondition:
                continue
        if not refused:
            return False
    return True


def arn_templates(cand: Candidate, target: Target, limit: int = 3) -> list[Caller]:
    """The candidate's template renamed after the trust policy's aws:PrincipalArn patterns, for the witness guesses
    of ``smt.solve`` (``arn_guesses``): at most ``limit`` callers, each the template with the role (for a role
    session) or user ARN a positive ``ArnLike``/``StringLike`` pattern of the key names, its wildcards filled with
    ``x`` and its account the template's. Only for an outsider whose principal keys the solver chooses
    (``cand.decode``): its name is free, so each is a member of the class the candidate stands for, and the
    evaluator's replay decides whether it gets in.

    Why: the concrete-first guesses never choose principal keys (the template's ``role/tg-role`` matches no
    ``arn:aws:iam::*:role/ops-*``), so on condition-heavy-2k all 177 Sat answers of vacuous-condition's question 1
    ("the statement holds with the key absent") and 56 of the statement's own question went to z3; with these
    callers the evaluator answers all 177 and 56 of 62 (233 z3 runs of some 290 fewer)."""
    t = cand.template
    if not cand.symbolic or cand.decode is None or t.account is None or t.kind not in AWS_KINDS:
        return []
    prefix = "role/" if t.kind is CallerKind.ROLE_SESSION else "user/"
    out: list[Caller] = []
    for st in target.role.trust_policy.statements:
        for c in st.conditions:
            if (c.key != "aws:principalarn" or c.operator.negated
                    or c.operator.family not in (Family.STRING, Family.ARN)):
                continue
            for p in c.patterns:
                parts = _fill(p, "x").split(":", 5)
                if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith(prefix):
                    continue
                name = parts[5][len(prefix):]
                if not all(_IAM_NAME.fullmatch(seg) for seg in name.split("/")):
                    continue
                arn = f"arn:aws:iam::{t.account}:{prefix}{name}"
                if arn != t.arn and all(o.arn != arn for o in out):
                    out.append(replace(t, arn=arn))
                if len(out) >= limit:
                    return out
    return out


_IAM_NAME = re.compile(r"[\w+=,.@-]+")
_ORG_ID = re.compile(r"o-[a-z0-9-]+")
_PRINCIPAL_TAG = "aws:principaltag/"


def _templates(cand: Candidate, target: Target) -> list[Caller]:
    """The callers a guess may be made for: the candidate's template, and for an outsider that may belong to an
    organization, the template in each organization (at most two) that an aws:PrincipalOrgID condition of the trust
    policy names or an aws:PrincipalOrgPaths pattern starts with, and in an organization none names (never an
    excluded one; only when a condition reads one of the two keys).

    An organization member carries aws:PrincipalOrgPaths (the symbolic request ties its presence to membership, and a
    constraint may read it even where no condition does), so the template gets paths of the shape the encoding gives
    an outsider's (``ORG/r-...``, ``smt.symbolic.org_builders``): each pattern of the conditions on the key with its
    wildcards filled (a path the condition matches), then one no pattern names (a path it does not)."""
    out = [cand.template]
    if cand.excluded_orgs is None:
        return out
    names: list[str] = []
    path_patterns: list[Pattern] = []
    read = False
    for st in target.role.trust_policy.statements:
        for c in st.conditions:
            if c.key == "aws:principalorgpaths":
                read = True
                if c.operator.family is Family.STRING:
                    path_patterns.extend(c.patterns)
                    names.extend(org for p in c.patterns if (org := _org_of_path(p)) is not None)
            if c.key == "aws:principalorgid":
                read = True
                if c.operator.family is Family.STRING:
                    names.extend(t for t in c.texts if _ORG_ID.fullmatch(t))
    if not read:
        return out
    fresh = next(f"o-trustgraph{i}" for i in range(len(names) + 1) if f"o-trustgraph{i}" not in names)
    orgs = [o for o in dict.fromkeys(names) if o not in cand.excluded_orgs][:2]
    if fresh not in cand.excluded_orgs:
        orgs.append(fresh)
    for org in orgs:
        prefix = f"{org}/r-"
        paths = [t for p in path_patterns if (t := _fill(p, "")).startswith(prefix) and len(t) > len(prefix)]
        paths.append(f"{prefix}trustgraph/")
        out.extend(replace(cand.template, org_id=org, org_paths=(path,)) for path in dict.fromkeys(paths))
    return out


def _org_of_path(p: Pattern) -> str | None:
    """The organization id a path pattern starts with (``o-x/r-y/*`` names ``o-x``), when it is literal."""
    if not p or not isinstance(p[0], Literal):
        return None
    head = p[0].text.split("/", 1)
    return head[0] if len(head) == 2 and _ORG_ID.fullmatch(head[0]) else None


def _fill(p: Pattern, filler: str) -> str:
    """The text of a variable-free pattern with every wildcard replaced by ``filler`` (``?`` by one character)."""
    parts: list[str] = []
    for el in p:
        if isinstance(el, Literal):
            parts.append(el.text)
        elif isinstance(el, Star):
            parts.append(filler)
        elif isinstance(el, AnyChar):
            parts.append(filler or "x")
        else:
            return ""
    return "".join(parts)


__all__ = ["arn_templates", "try_concrete_first"]
