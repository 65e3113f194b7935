"""The outsider's own identity policy is built as model values; it must be the policy its JSON parses to (the
solver's cache keys and the evaluator see no difference)."""

from __future__ import annotations

from trustgraph.ingest.policy_json import policy_from_json
from trustgraph.smt.cache import canonical_policy
from trustgraph.smt.symbolic import SYNTH, allow_all_policy


def test_allow_all_policy_is_the_parsed_document() -> None:
    parsed = policy_from_json({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                                       "Resource": "*"}]}, SYNTH, kind="identity")
    built = allow_all_policy()
    assert built == parsed
    assert canonical_policy(built) == canonical_policy(parsed)
    assert [st.location for st in built.statements] == [st.location for st in parsed.statements]
    for built_globs, parsed_globs in ((built.statements[0].actions, parsed.statements[0].actions),
                                      (built.statements[0].resources, parsed.statements[0].resources)):
        assert [g.pattern for g in built_globs or ()] == [g.pattern for g in parsed_globs or ()]
