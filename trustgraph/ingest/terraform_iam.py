"""The AWS provider's IAM and Organizations resources in a Terraform plan, as overlay changes.

One method per resource type (arguments as in the Terraform Registry's AWS provider documentation). For each
resource change: a ``delete`` removes what ``before`` describes; a ``create`` adds what ``after`` describes; an
``update`` sets the entity's attributes from ``after`` and, for relations (attachments, memberships), removes the
``before`` side and adds the ``after`` side; a ``replace`` does both, and gives a replaced user, group or role a new
unique id. ``inline_policy`` and ``managed_policy_arns`` of ``aws_iam_role`` are exclusive only when the configuration
sets them (the provider then removes any other); otherwise they only reflect what other resources manage.
``aws_iam_policy_attachment`` is exclusive across the account for its policy; detaching the policy from entities it
does not list is not applied (that can only remove access, so leaving it out over-approximates) and is noted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from trustgraph.errors import IngestError
from trustgraph.ingest.overlay import (
    Attach,
    Change,
    Delete,
    Detach,
    Membership,
    OrgAttachment,
    Owner,
    OwnerKind,
    PutGroup,
    PutInlinePolicy,
    PutManagedPolicy,
    PutOrgPolicy,
    PutProvider,
    PutRole,
    PutUser,
    RemoveInlinePolicy,
    SetAttached,
    SetGroupMembers,
    SetInlinePolicies,
)
from trustgraph.ingest.policy_json import PolicyKind
from trustgraph.ingest.terraform_documents import rebuild_policy_document
from trustgraph.ingest.terraform_values import PlanIndex, ResourceChange
from trustgraph.ingest.unknowns import Unknown, contains_unknown, policy_with_unknowns, stand_in_name
from trustgraph.model.account import Tags
from trustgraph.model.organization import IdentityProvider, OrgPolicyType, ProviderType
from trustgraph.model.policy import Policy

_ENTITY = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}
_Target = dict[str, tuple[OwnerKind, str]]  # resource type -> (kind of the owner, argument naming it)
_INLINE: _Target = {"aws_iam_role_policy": ("role", "role"), "aws_iam_user_policy": ("user", "user"),
                    "aws_iam_group_policy": ("group", "group")}
_ATTACHMENT: _Target = {"aws_iam_role_policy_attachment": ("role", "role"),
                        "aws_iam_user_policy_attachment": ("user", "user"),
                        "aws_iam_group_policy_attachment": ("group", "group")}
_EXCLUSIVE_INLINE: _Target = {"aws_iam_role_policies_exclusive": ("role", "role_name"),
                              "aws_iam_user_policies_exclusive": ("user", "user_name"),
                              "aws_iam_group_policies_exclusive": ("group", "group_name")}
_EXCLUSIVE_ATTACHED: _Target = {"aws_iam_role_policy_attachments_exclusive": ("role", "role_name"),
                                "aws_iam_user_policy_attachments_exclusive": ("user", "user_name"),
                                "aws_iam_group_policy_attachments_exclusive": ("group", "group_name")}
_OTHERS = ("aws_iam_policy", "aws_iam_policy_attachment", "aws_iam_group_membership", "aws_iam_user_group_membership",
           "aws_iam_openid_connect_provider", "aws_iam_saml_provider", "aws_organizations_policy",
           "aws_organizations_policy_attachment")

#: The resource types a plan's changes are applied for; others are counted in a note.
SUPPORTED = frozenset((*_ENTITY, *_INLINE, *_ATTACHMENT, *_EXCLUSIVE_INLINE, *_EXCLUSIVE_ATTACHED, *_OTHERS))

#: Types whose name, ARN or id the plan lets trustgraph derive (for references to entities not created yet).
_IDENTIFIED = frozenset({"aws_iam_role", "aws_iam_user", "aws_iam_group", "aws_iam_policy",
                         "aws_iam_openid_connect_provider", "aws_iam_saml_provider", "aws_organizations_policy"})

_ORG_TYPES = {"SERVICE_CONTROL_POLICY": OrgPolicyType.SCP, "RESOURCE_CONTROL_POLICY": OrgPolicyType.RCP}


class ChangeBuilder:
    """Collects the overlay changes, notes and unknowns of one plan's resource changes."""

    def __init__(self, index: PlanIndex, account: str, partition: str) -> None:
        self.index = index
        self.account = account
        self.partition = partition
        self.changes: list[Change] = []
        self.notes: list[str] = []
        self.unknowns: list[Unknown] = []

    # -- identities of planned entities -----------------------------------------------------------------------------
    def identity(self, rc: ResourceChange, side: str = "after") -> dict[str, str]:
        """Name, path, ARN and id of the entity a resource change describes on one side (stand-ins for what is
        unknown until apply, the same for every reference)."""
        values: Mapping[str, Any] = rc.before if side == "before" else rc.after

        def get(key: str) -> Any:
            return values.get(key) if side == "before" else rc.value(key)

        name = get("name")
        if not isinstance(name, str):
            prefix = get("name_prefix")
            name = stand_in_name(prefix if isinstance(prefix, str) else "terraform-", rc.location)
        path = get("path")
        path = path if isinstance(path, str) and path else "/"
        out = {"name": name, "path": path}
        kind = {"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group",
                "aws_iam_policy": "policy"}.get(rc.type)
        arn = get("arn")
        if rc.type == "aws_iam_openid_connect_provider":
            url = get("url")
            host = url.split("://", 1)[-1] if isinstance(url, str) else stand_in_name("oidc-", rc.location)
            out["arn"] = arn if isinstance(arn, str) else self.arn(f"oidc-provider/{host}")
        elif rc.type == "aws_iam_saml_provider":
            out["arn"] = arn if isinstance(arn, str) else self.arn(f"saml-provider/{name}")
        elif rc.type == "aws_organizations_policy":
            pid = get("id")
            digest = hashlib.sha256(rc.address.encode()).hexdigest()[:12]
            out["id"] = pid if isinstance(pid, str) else f"p-unknownuntilapply{digest}"
            return out
        elif kind is not None:
            out["arn"] = arn if isinstance(arn, str) else self.arn(f"{kind}{path}{name}")
        out["id"] = out["arn"] if rc.type in ("aws_iam_policy", "aws_iam_openid_connect_provider",
                                              "aws_iam_saml_provider") else name
        out["unique_id"] = ""
        return out

    def arn(self, resource: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:{resource}"

    def resolve(self, rc: ResourceChange, expression: object, value: Unknown) -> object:
        """An unknown value whose configuration expression is exactly one planned entity's name, id or ARN."""
        targets: dict[str, tuple[ResourceChange, str | None]] = {}
        for ref in self.index.references(expression):
            target, attr = self.index.referenced(rc, ref)
            if target is None:
                return value  # a variable, a local, a data source: not resolved
            targets.setdefault(target.address, (target, attr))
        attrs = [(t, a) for t, a in targets.values() if a is not None]
        if len(targets) != 1 or len(attrs) != 1:
            return value
        target, attr = attrs[0]
        if target.type not in _IDENTIFIED:
            return value  # a random password, an S3 bucket, ...: its value is not derived here
        known = self.identity(target).get(attr or "")
        return known if known else value

    def attribute(self, rc: ResourceChange, key: str) -> Any:
        """``after[key]``, an unknown one resolved through the configuration when it names a planned entity."""
        value = rc.value(key)
        if isinstance(value, Unknown):
            return self.resolve(rc, self.index.expressions(rc).get(key), value)
        if isinstance(value, list) and sum(isinstance(v, Unknown) for v in value) == 1:
            expression = self.index.expressions(rc).get(key)
            return [self.resolve(rc, expression, v) if isinstance(v, Unknown) else v for v in value]
        return value

    # -- documents --------------------------------------------------------------------------------------------------
    def document(self, rc: ResourceChange, key: str, kind: PolicyKind, raw: object = None,
                 path: tuple[str | int, ...] = ()) -> Policy:
        """A policy document attribute of ``after`` (or ``raw`` found at ``path`` below it): parsed, rebuilt from a
        deferred data source, or unknown."""
        value = rc.value(key) if raw is None else raw
        loc = rc.location.child(key, *path)
        if isinstance(value, Unknown):
            value = self._rebuilt(rc, key) or value
        if contains_unknown(value):
            self.unknowns.append(value if isinstance(value, Unknown) else Unknown(loc, f"parts of {rc.address}.{key}"))
        if isinstance(value, str) and not value.strip():
            value = {"Version": "2012-10-17", "Statement": []}
        try:
            return policy_with_unknowns(value, loc, kind=kind)
        except IngestError as exc:
            raise IngestError(self.index.source, rc.pointer.child("change", "after", key, *path).pointer,
                              f"{rc.address}.{key}: {exc.message} (at {exc.pointer or '/'} in the document)") from None

    def _rebuilt(self, rc: ResourceChange, key: str) -> object:
        for ref in self.index.references(self.index.expressions(rc).get(key)):
            data, prior = self.index.data_source(rc, ref)
            if data is not None and data.type == "aws_iam_policy_document":
                return rebuild_policy_document(self.index, data, self.resolve)
            if prior is not None and isinstance(prior.get("json"), str):
                return prior["json"]
        return None

    # -- dispatch ---------------------------------------------------------------------------------------------------
    def add(self, rc: ResourceChange) -> None:
        """The changes of one resource change of a supported type."""
        if rc.type in _ENTITY:
            self._entity(rc, _ENTITY[rc.type])
        elif rc.type in _INLINE:
            self._inline(rc, *_INLINE[rc.type])
        elif rc.type in _ATTACHMENT:
            self._attachment(rc, *_ATTACHMENT[rc.type])
        elif rc.type in _EXCLUSIVE_INLINE or rc.type in _EXCLUSIVE_ATTACHED:
            self._exclusive(rc)
        else:
            getattr(self, "_" + rc.type.removeprefix("aws_"))(rc)

    def _removing(self, rc: ResourceChange) -> bool:
        return rc.action in ("delete", "update", "replace")

    def _adding(self, rc: ResourceChange) -> bool:
        return rc.action in ("create", "update", "replace")

    def _tags(self, rc: ResourceChange) -> Tags:
        """``tags_all`` when known (it adds the provider's default tags), else ``tags``; tags unknown until apply are
        left out and noted (only conditions on the entity's own ``aws:ResourceTag`` read them)."""
        for key in ("tags_all", "tags"):
            tags = rc.value(key)
            if isinstance(tags, Mapping) and not contains_unknown(tags):
                return tuple(sorted((str(k), str(v)) for k, v in tags.items()))
            if tags is None and key == "tags":
                return ()
        self.unknowns.append(Unknown(rc.location.child("tags"), f"tags of {rc.address}"))
        self.notes.append(f"{rc.address}: tags unknown until apply are left out (conditions on aws:ResourceTag of "
                          f"the entity may read them)")
        return ()

    def _entity(self, rc: ResourceChange, kind: str) -> None:
        before = self.identity(rc, "before") if rc.before else None
        if rc.action == "delete" or (rc.action == "replace" and before and before["name"] != self.identity(rc)["name"]):
            assert before is not None
            self.changes.append(Delete(kind=kind, key=before["name"], location=rc.location))  # type: ignore[arg-type]
        if not self._adding(rc):
            return
        me = self.identity(rc)
        replacing = rc.action == "replace"
        boundary = self._boundary(rc)
        if kind == "role":
            self.changes.append(PutRole(
                name=me["name"], path=me["path"], trust_policy=self.document(rc, "assume_role_policy", "trust"),
                boundary=boundary, tags=self._tags(rc), replace=replacing, location=rc.location,
                max_session_duration=rc.after.get("max_session_duration") if isinstance(
                    rc.after.get("max_session_duration"), int) else None))
            owner = Owner("role", me["name"])
            if self.index.configured(rc, "inline_policy"):
                self._role_inline(rc, owner)
            if self.index.configured(rc, "managed_policy_arns"):
                arns = self.attribute(rc, "managed_policy_arns")
                listed = arns if isinstance(arns, list) else [arns]
                self.changes.append(SetAttached(owner=owner, policies=tuple(
                    a if isinstance(a, (str, Unknown)) else Unknown(rc.location.child("managed_policy_arns"))
                    for a in listed), location=rc.location))
        elif kind == "user":
            self.changes.append(PutUser(name=me["name"], path=me["path"], boundary=boundary, tags=self._tags(rc),
                                        replace=replacing, location=rc.location))
        else:
            self.changes.append(PutGroup(name=me["name"], path=me["path"], replace=replacing, location=rc.location))

    def _boundary(self, rc: ResourceChange) -> str | Unknown | None:
        value = self.attribute(rc, "permissions_boundary")
        if isinstance(value, Unknown):
            self.unknowns.append(value)
            return value
        return value if isinstance(value, str) and value else None

    def _role_inline(self, rc: ResourceChange, owner: Owner) -> None:
        blocks = rc.value("inline_policy")
        if isinstance(blocks, Unknown):
            self.unknowns.append(blocks)
            self.changes.append(SetInlinePolicies(owner=owner, policies=(
                ("unknown-until-apply", self.document(rc, "inline_policy", "identity")),),
                location=rc.location))
            return
        policies: list[tuple[str, Policy]] = []
        for i, block in enumerate(blocks or []):
            if not isinstance(block, Mapping):
                continue
            name = block.get("name")
            doc = block.get("policy")
            if not name and not doc:
                continue  # an empty inline_policy block: remove every inline policy
            label = name if isinstance(name, str) else stand_in_name("inline-", rc.location.child("inline_policy", i))
            policies.append((label, self.document(rc, "inline_policy", "identity", doc, (i, "policy"))))
        self.changes.append(SetInlinePolicies(owner=owner, policies=tuple(policies), location=rc.location))

    def _owner_name(self, rc: ResourceChange, key: str, side: str) -> str | None:
        if side == "before":
            value = rc.before.get(key)
            return value if isinstance(value, str) else None
        value = self.attribute(rc, key)
        if isinstance(value, str):
            return value
        self.notes.append(f"{rc.address}: the {key} it applies to is unknown until apply and names no entity of "
                          f"the plan: not applied")
        self.unknowns.append(value if isinstance(value, Unknown) else Unknown(rc.location.child(key)))
        return None

    def _inline(self, rc: ResourceChange, kind: OwnerKind, key: str) -> None:
        if self._removing(rc) and rc.action != "update":
            owner, name = self._owner_name(rc, key, "before"), rc.before.get("name")
            if owner and isinstance(name, str):
                self.changes.append(RemoveInlinePolicy(owner=Owner(kind, owner), policy_name=name,
                                                       location=rc.location))
        if self._adding(rc):
            owner = self._owner_name(rc, key, "after")
            if owner is None:
                return
            name = rc.value("name")
            if not isinstance(name, str):
                prefix = rc.value("name_prefix")
                name = stand_in_name(prefix if isinstance(prefix, str) else "terraform-", rc.location)
            self.changes.append(PutInlinePolicy(owner=Owner(kind, owner), policy_name=name,
                                                document=self.document(rc, "policy", "identity"),
                                                location=rc.location))

    def _policy_arn(self, rc: ResourceChange, key: str = "policy_arn") -> str | Unknown:
        value = self.attribute(rc, key)
        if isinstance(value, (str, Unknown)):
            if isinstance(value, Unknown):
                self.unknowns.append(value)
            return value
        return Unknown(rc.location.child(key), f"{rc.address}.{key}")

    def _attachment(self, rc: ResourceChange, kind: OwnerKind, key: str) -> None:
        if self._removing(rc):
            owner, arn = rc.before.get(key), rc.before.get("policy_arn")
            if isinstance(owner, str) and isinstance(arn, str):
                self.changes.append(Detach(owner=Owner(kind, owner), policy=arn, location=rc.location))
        if self._adding(rc):
            owner = self._owner_name(rc, key, "after")
            if owner is not None:
                self.changes.append(Attach(owner=Owner(kind, owner), policy=self._policy_arn(rc),
                                           location=rc.location))

    def _exclusive(self, rc: ResourceChange) -> None:
        if not self._adding(rc):
            return  # deleting an exclusive resource stops managing the list; IAM keeps what it has
        inline = rc.type in _EXCLUSIVE_INLINE
        kind, key = (_EXCLUSIVE_INLINE if inline else _EXCLUSIVE_ATTACHED)[rc.type]
        owner = self._owner_name(rc, key, "after")
        if owner is None:
            return
        items = self.attribute(rc, "policy_names" if inline else "policy_arns")
        listed = items if isinstance(items, list) else [items]
        if inline:
            if any(not isinstance(n, str) for n in listed):
                self.notes.append(f"{rc.address}: policy_names unknown until apply: the inline policies of "
                                  f"{kind} {owner} are kept as they are")
                return
            self.changes.append(SetInlinePolicies(owner=Owner(kind, owner), names=tuple(listed),
                                                  location=rc.location))
        else:
            self.changes.append(SetAttached(owner=Owner(kind, owner), policies=tuple(
                a if isinstance(a, (str, Unknown)) else Unknown(rc.location.child("policy_arns")) for a in listed),
                location=rc.location))

    def _iam_policy(self, rc: ResourceChange) -> None:
        before = self.identity(rc, "before") if rc.before else None
        me = self.identity(rc) if self._adding(rc) else None
        if before is not None and (rc.action == "delete" or (me is not None and me["arn"] != before["arn"])):
            self.changes.append(Delete(kind="policy", key=before["arn"], location=rc.location))
        if me is not None:
            self.changes.append(PutManagedPolicy(arn=me["arn"], name=me["name"], path=me["path"],
                                                 document=self.document(rc, "policy", "identity"),
                                                 location=rc.location))

    def _iam_policy_attachment(self, rc: ResourceChange) -> None:
        groups = (("role", "roles"), ("user", "users"), ("group", "groups"))
        if self._removing(rc):
            arn = rc.before.get("policy_arn")
            for kind, key in groups:
                for name in rc.before.get(key) or ():
                    if isinstance(name, str) and isinstance(arn, str):
                        self.changes.append(Detach(owner=Owner(kind, name), policy=arn,  # type: ignore[arg-type]
                                                   location=rc.location))
        if self._adding(rc):
            arn = self._policy_arn(rc)
            for kind, key in groups:
                names = self.attribute(rc, key)
                for name in names if isinstance(names, list) else [names] if names else []:
                    if isinstance(name, str):
                        self.changes.append(Attach(owner=Owner(kind, name), policy=arn,  # type: ignore[arg-type]
                                                   location=rc.location))
                    else:
                        self.notes.append(f"{rc.address}: a {kind} name unknown until apply: that attachment is "
                                          f"not applied")
            self.notes.append(f"{rc.address}: aws_iam_policy_attachment is exclusive for its policy; detaching it "
                              f"from entities the resource does not list is not applied (over-approximation)")

    def _iam_group_membership(self, rc: ResourceChange) -> None:
        if rc.action == "delete" or (rc.action == "replace" and rc.before):
            group = rc.before.get("group")
            for user in rc.before.get("users") or ():
                if isinstance(user, str) and isinstance(group, str):
                    self.changes.append(Membership(user=user, group=group, add=False, location=rc.location))
        if self._adding(rc):
            group = self._owner_name(rc, "group", "after")
            users = self.attribute(rc, "users")
            listed = users if isinstance(users, list) else []
            if group is None:
                return
            known = tuple(u for u in listed if isinstance(u, str))
            if len(known) != len(listed) or not isinstance(users, list):
                self.notes.append(f"{rc.address}: member names unknown until apply: only the known ones are added")
                for u in known:
                    self.changes.append(Membership(user=u, group=group, location=rc.location))
                return
            self.changes.append(SetGroupMembers(group=group, users=known, location=rc.location))

    def _iam_user_group_membership(self, rc: ResourceChange) -> None:
        if self._removing(rc):
            user = rc.before.get("user")
            for group in rc.before.get("groups") or ():
                if isinstance(user, str) and isinstance(group, str):
                    self.changes.append(Membership(user=user, group=group, add=False, location=rc.location))
        if self._adding(rc):
            user = self._owner_name(rc, "user", "after")
            groups = self.attribute(rc, "groups")
            for group in groups if isinstance(groups, list) else []:
                if user is not None and isinstance(group, str):
                    self.changes.append(Membership(user=user, group=group, location=rc.location))
                elif user is not None:
                    self.notes.append(f"{rc.address}: a group name unknown until apply: that membership is not "
                                      f"applied")

    def _provider(self, rc: ResourceChange, kind: ProviderType) -> None:
        before = self.identity(rc, "before") if rc.before else None
        me = self.identity(rc) if self._adding(rc) else None
        if before is not None and (rc.action == "delete" or (me is not None and me["arn"] != before["arn"])):
            self.changes.append(Delete(kind="provider", key=before["arn"], location=rc.location))
        if me is None:
            return
        def strings(key: str) -> tuple[str, ...]:
            value = rc.value(key)
            return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
        url = rc.value("url")
        self.changes.append(PutProvider(provider=IdentityProvider(
            arn=me["arn"], type=kind, url=url if isinstance(url, str) else None,
            client_ids=strings("client_id_list"), thumbprints=strings("thumbprint_list"), location=rc.location),
            location=rc.location))

    def _iam_openid_connect_provider(self, rc: ResourceChange) -> None:
        self._provider(rc, ProviderType.OIDC)

    def _iam_saml_provider(self, rc: ResourceChange) -> None:
        self._provider(rc, ProviderType.SAML)

    def _organizations_policy(self, rc: ResourceChange) -> None:
        before = self.identity(rc, "before") if rc.before else None
        if rc.action == "delete" and before is not None:
            self.changes.append(Delete(kind="org-policy", key=before["id"], location=rc.location))
            return
        if not self._adding(rc):
            return
        policy_type = rc.value("type")
        policy_type = "SERVICE_CONTROL_POLICY" if policy_type is None else policy_type
        org_type = _ORG_TYPES.get(policy_type) if isinstance(policy_type, str) else None
        if org_type is None:
            if isinstance(policy_type, Unknown):
                self.notes.append(f"{rc.address}: policy type unknown until apply: not applied")
            return  # tag, backup and AI opt-out policies grant and deny nothing
        me = self.identity(rc)
        name = me["name"]
        kind: PolicyKind = "scp" if org_type is OrgPolicyType.SCP else "rcp"
        self.changes.append(PutOrgPolicy(policy_id=me["id"], name=name, type=org_type,
                                         document=self.document(rc, "content", kind), location=rc.location))

    def _organizations_policy_attachment(self, rc: ResourceChange) -> None:
        if self._removing(rc):
            pid, target = rc.before.get("policy_id"), rc.before.get("target_id")
            if isinstance(pid, str) and isinstance(target, str):
                self.changes.append(OrgAttachment(policy_id=pid, target=target, add=False, location=rc.location))
        if self._adding(rc):
            pid, target = self.attribute(rc, "policy_id"), self.attribute(rc, "target_id")
            if isinstance(pid, str) and isinstance(target, str):
                self.changes.append(OrgAttachment(policy_id=pid, target=target, location=rc.location))
            else:
                self.notes.append(f"{rc.address}: the policy or target is unknown until apply: not applied")


__all__ = ["SUPPORTED", "ChangeBuilder"]
