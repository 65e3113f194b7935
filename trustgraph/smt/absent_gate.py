"""A candidate whose request can never carry a key a constraint requires: Unsat without the guesses and z3.

A search asks a Sat hop of a symbolic AWS source again for the other MFA outcome (:meth:`~trustgraph.queries.engine.
ReachabilityEngine.flip`: ``aws:MultiFactorAuthPresent`` equals ``true``). The outsider's candidates without MFA come
first in its order (:mod:`trustgraph.smt.symbolic`), and for an IAM user without MFA the key is absent from every
request: it is derived from the principal (``semantics.keys``), the candidate's ground context does not write it
(:func:`~trustgraph.semantics.context.principal_context`), and the reference's presence rule makes such a key absent
(:func:`~trustgraph.smt.presence.key_mode`: neither a builder of the candidate nor ground, principal-derived, not an
outsider's own principal tag). The reference then encodes the whole hop and asks z3, whose assertions hold the
constraint's term, False on an absent key (:func:`~trustgraph.smt.constraints.constraint_term`: an ``equals``
requires the key present), to learn Unsat: ~3 ms per question, once per vendor role at 2,000 roles of the
vendor-heavy profile, and because z3 ran, the Sat answer the next candidate's guesses find was not shared with the
other vendor roles (:mod:`trustgraph.smt.renaming` shares only answers found without z3).

:func:`absent_refuted` is the test. The reference's answer for such a candidate is Unsat whatever else the hop holds:
a constraint the caller's ground keys refute (``smt.reference.pin_constraints``) is Unsat, a hop formula that folds
to False is Unsat, and otherwise z3 is asked a conjunction holding False. The one other answer it can give, Unknown
for a hop with more statement groups than the structural expansion takes, is left to it: the test declines when the
hop's policies have more statements with conditions than :data:`~trustgraph.smt.structure.MAX_STRUCTURE_BITS` (the
groups are at most that many), as :func:`~trustgraph.smt.trust_gate.ground_refuted` does. Its answer is a
:class:`~trustgraph.smt.trust_gate.DeferredCore`: the reference's core for that candidate, computed when read.

Switch: ``SolverOptions.absent_gate``; tests: tests/smt/test_absent_gate.py (against the reference path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trustgraph.semantics.keys import key_info
from trustgraph.smt.structure import MAX_STRUCTURE_BITS, hop_policies

if TYPE_CHECKING:
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.reference import Clock
    from trustgraph.smt.symbolic import Candidate


def absent_refuted(cand: Candidate, q: HopQuestion, ground: dict[str, tuple[str, ...]], clock: Clock) -> bool:
    """Whether a constraint of ``q`` requires (``equals``) a principal-derived key that the reference makes absent in
    every request of ``cand`` (see the module docstring), so that the reference answers Unsat. ``ground`` is the
    candidate's ground context (``smt.solve._ground_context``, not changed here); ``clock`` the question's time."""
    required = [c.key.lower() for c in q.constraints if c.op == "equals"]
    wanted = [k for k in required if k not in ground and key_info(k).principal_derived]
    if not wanted:
        return False
    template, target, action = cand.template, q.target, q.action
    policies = hop_policies(template, target)
    if sum(1 for _, p in policies for st in p.statements if st.conditions) > MAX_STRUCTURE_BITS:
        return False  # the reference may answer Unknown: it decides
    builders: dict[str, Any] = {}
    if cand.setup is not None:  # the candidate's symbolic principal keys, as the reference's environment gets them
        from trustgraph.model.values import parse_date
        from trustgraph.smt.env import Env

        env = Env(slot_bound=dict(cand.slot_bounds))
        env.scratch["now_ms"] = clock.now_ms if clock.now_ms is not None else parse_date(clock.text)
        builders = cand.setup(env)
    from trustgraph.semantics.keys import origin_of
    from trustgraph.semantics.request import CallerKind
    from trustgraph.smt.presence import HopView, Mode, key_mode

    view = HopView(action=action, origin=origin_of(template.kind, action),
                   ground={k: v for k, v in ground.items() if k not in builders}, builders=builders,
                   closed=q.closed, given=frozenset(c.key.lower() for c in q.constraints),
                   provider_host=cand.provider_host, carried_source_identity=template.source_identity
                   if template.kind is CallerKind.ROLE_SESSION else None,
                   now_ms=clock.now_ms, target_tags=target.role.tags, symbolic_caller=cand.symbolic)
    return any(key_mode(view, k).mode is Mode.ABSENT for k in wanted)


__all__ = ["absent_refuted"]
