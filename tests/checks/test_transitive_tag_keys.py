"""Passing ``sts:TransitiveTagKeys`` is passing session tags (docs/semantics.md, ``sts:TagSession``; conformance row
117): a hop that meets a trust condition on it needs ``sts:TagSession`` on both sides, like ``aws:RequestTag/*``.

``tests/data/transitive-tag-keys``: account 999999999999 assumes ``entry`` (external id), whose session may call
sts:AssumeRole and sts:TagSession; ``admin`` and ``admin-tagged`` both require ``sts:TransitiveTagKeys`` to list
``team``, and only ``admin-tagged``'s trust allows sts:TagSession. Before the fix the scan reported both."""

from __future__ import annotations

from pathlib import Path

from tests.checks.helpers import findings_of, roles_of
from trustgraph.semantics.context import build_request
from trustgraph.semantics.evaluate import companion_actions
from trustgraph.semantics.request import Action, Caller, CallerKind

EXPORT = Path(__file__).resolve().parents[1] / "data" / "transitive-tag-keys"
ACCOUNT = "111111111111"


def test_only_the_role_allowing_tag_session_is_reached() -> None:
    found = findings_of(EXPORT, "external-path-to-admin", zone=(ACCOUNT,))
    assert roles_of(found) == {"admin-tagged"}
    (finding,) = found
    last = finding.path[-1]
    assert last.target.endswith(":role/admin-tagged")
    assert "team" in last.context["sts:TransitiveTagKeys"]  # the witness passes the key the trust condition reads


def test_transitive_tag_keys_alone_need_tag_session() -> None:
    caller = Caller(kind=CallerKind.IAM_USER, arn=f"arn:aws:iam::{ACCOUNT}:user/u", account=ACCOUNT,
                    unique_id="AIDAUUUUUUUUUUUU1", user_name="u")
    request = build_request(caller, Action.ASSUME_ROLE, {"sts:TransitiveTagKeys": ("team",)})
    assert request.tags_passed
    assert Action.TAG_SESSION in companion_actions(request, caller)
    assert not build_request(caller, Action.ASSUME_ROLE, {}).tags_passed
