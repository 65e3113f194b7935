"""Values unknown until apply over-approximate: whatever a masked part of a trust policy turns out to be, the
stand-in document allows every request the real one allows (or marks it undecided, counted as allowing), and denies
only requests the real one denies.

Random documents (every spelling the loader accepts), random parts replaced by :class:`Unknown` (a leaf, a list
element, a whole element, block or statement), random callers and request contexts, decided by the evaluator.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.properties.strategies import conditions, contexts
from tests.strategies_policy import policy_document
from trustgraph.errors import IngestError
from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.ingest.unknowns import Unknown, policy_with_unknowns
from trustgraph.model.location import Location
from trustgraph.semantics.evaluate import evaluate_policy
from trustgraph.semantics.request import Caller, CallerKind

HERE = Location("aws_iam_role.x", "/assume_role_policy")

CALLERS = [
    Caller(kind=CallerKind.IAM_USER, arn="arn:aws:iam::111122223333:user/u", account="111122223333",
           unique_id="AIDAUUUUUUUUUUUU1", user_name="u"),
    Caller(kind=CallerKind.ROLE_SESSION, arn="arn:aws:iam::444455556666:role/path/R", account="444455556666",
           unique_id="AROAEXAMPLEEXAMPLE01", session_name="s"),
    Caller(kind=CallerKind.SERVICE, arn="ec2.amazonaws.com"),
    Caller(kind=CallerKind.WEB_IDENTITY, arn="accounts.google.com"),
]
ACTIONS = {CallerKind.WEB_IDENTITY: "sts:AssumeRoleWithWebIdentity"}


def mask(value: Any, draw: st.DrawFn, where: str = "", top: bool = True) -> Any:
    """``value`` with random parts replaced by :class:`Unknown` (never the document itself or its Version)."""
    if not top and draw(st.integers(0, 5)) == 0:
        return Unknown(HERE.child(where), "a part")
    if isinstance(value, dict):
        return {k: v if (top and k == "Version") else mask(v, draw, f"{where}/{k}", False) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v, draw, f"{where}/{i}", False) for i, v in enumerate(value)]
    return value


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=policy_document(trust=True), data=st.data(), caller=st.sampled_from(CALLERS), context=contexts())
def test_a_stand_in_allows_at_least_what_the_document_allows(doc: dict[str, Any], data: st.DataObject,
                                                               caller: Caller,
                                                               context: dict[str, tuple[str, ...]]) -> None:
    try:
        real = policy_from_json(doc, HERE, kind="trust")
    except IngestError:
        return
    stand_in = policy_with_unknowns(data.draw(st.composite(lambda draw: mask(doc, draw))()), HERE, kind="trust")
    action = ACTIONS.get(caller.kind, "sts:AssumeRole")
    resource = "arn:aws:iam::111122223333:role/x"

    def decide(policy: Any) -> Any:
        return evaluate_policy(policy, caller=caller, action=action, resource=resource, context=context,
                               principal_required=True)

    before, after = decide(real), decide(stand_in)
    if before.allows:
        assert after.allows, (doc, stand_in)
    if after.denies:
        assert before.denies, (doc, stand_in)


def _raw_block(conds: list[Any]) -> dict[str, dict[str, list[Any]]]:
    block: dict[str, dict[str, list[Any]]] = {}
    for c in conds:
        block.setdefault(c.operator_text, {})[c.key_text] = list(c.values)
    return block


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conds=st.lists(conditions(), min_size=1, max_size=3), effect=st.sampled_from(["Allow", "Deny"]),
       data=st.data(), context=contexts())
def test_a_condition_with_unknown_values_implies_no_more_than_it_says(conds: list[Any], effect: str,
                                                                      data: st.DataObject,
                                                                      context: dict[str, tuple[str, ...]]) -> None:
    """Conditions drawn to collide with the contexts, so that the original often holds: masking values must never
    turn an applying Allow into a non-applying one, nor a non-applying Deny into an applying one."""
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Principal": "*", "Action": "sts:AssumeRole",
                                                    "Condition": _raw_block(conds)}]}
    real = policy_from_json(doc, HERE, kind="trust")
    stand_in = policy_with_unknowns(data.draw(st.composite(lambda draw: mask(doc, draw))()), HERE, kind="trust")

    def decide(policy: Any) -> Any:
        return evaluate_policy(policy, caller=CALLERS[0], action="sts:AssumeRole",
                               resource="arn:aws:iam::111122223333:role/x", context=context, principal_required=True)

    before, after = decide(real), decide(stand_in)
    if before.allows:
        assert after.allows, (doc, stand_in)
    if after.denies:
        assert before.denies, (doc, stand_in)
