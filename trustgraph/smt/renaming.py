"""One outsider's hop answer shared by roles whose trust policies differ only in the values they name: the external
id they expect and the outside account (or role) they trust.

On an organization with many vendor integrations every vendor role's trust policy is the same text but for its
own ``sts:ExternalId`` value and its vendor's principal, so the result store's key (:mod:`trustgraph.smt.sharing`,
the whole canonical trust policy) never repeats and each hop of an outsider into a vendor role is solved on its own.
Here such a question gets a second key, its **renamed form**: the trust policy's canonical form with those values
replaced by placeholders numbered in order of first appearance.

The argument: let the question for role R name values v1..vn (principal accounts, names of roles named by a plain
ARN, external ids) where the question for R' names v1'..vn' in the same places, and let sigma be the bijection of
strings swapping each vi with vi' (accounts also as the account field of an ARN; principal ARNs whole). The renamed
form is taken only when (:func:`renamed_form`)

- the caller is a symbolic outsider of an AWS account (any account it is not excluded from, no fixed account or
  ARN) calling ``sts:AssumeRole``, and no value is one of its excluded accounts;
- the abstracted places are: a principal ``arn:aws:iam::ACCOUNT:root``, a bare account id, or
  ``arn:aws:iam::ACCOUNT:role/NAME`` without a path; the values of ``StringEquals``/``StringNotEquals``
  (``IfExists``, qualifiers kept in the text) on ``sts:ExternalId``, each a plain literal of the AWS external id
  alphabet;
- no value occurs anywhere else in the question, case-insensitively and as any substring: not in the rest of the
  trust policy, the RCPs, the constraints, the role's ARN, tags or organization, the pinned time; nor in another
  value of the question (no value is a prefix or part of another);
- every condition compares strings, ARNs, Booleans or presence (or the pinned clock as a date), every pattern and
  principal with a wildcard is ``*`` alone, and nothing names a policy variable: no condition can see a value other
  than by equality with a literal, and no literal is a renamed value;
- the order of the accounts the question names (the candidates are made in sorted order of account,
  :mod:`trustgraph.smt.symbolic`) and the fresh account the candidates use are recorded in the key.

Then sigma maps every request of the question for R one to one onto the requests of the question for R' and each
condition gives the same verdict on a request and its image (equality with a literal is preserved by a bijection that
moves no literal; principal matching compares a named principal with the caller's ARN or account, both moved), the
candidates come in the same order with images of the same templates, and the concrete-first guesses, which choose
among the literals of the policies in the order they appear, propose images of the same requests in the same order.
So the first witness found for R' is the image of the one found for R. Only witnesses the guesses found (no z3 run:
a model z3 chose need not be the image of the other's) are shared, and the image is **replayed** with the concrete
evaluator before it is returned; when the replay does not allow it the hop is solved as before.

Switch: ``SolverOptions.renamed_values`` (off in ``SolverOptions.reference()``);
``tests/smt/test_renaming.py`` compares answers and scans with it on and off.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from trustgraph.model.condition import Family, Operator
from trustgraph.model.principal import PrincipalKind
from trustgraph.model.values import format_date
from trustgraph.semantics.request import Action, Request
from trustgraph.smt.results import Sat
from trustgraph.smt.symbolic import AWS_KINDS, SymbolicCaller

if TYPE_CHECKING:
    from trustgraph.model.policy import Policy, Statement
    from trustgraph.semantics.request import Target
    from trustgraph.smt.facts import FactsTable
    from trustgraph.smt.question import HopQuestion

_ROOT = re.compile(r"^arn:aws:iam::(\d{12}):root$")
_ACCOUNT = re.compile(r"^\d{12}$")
_ROLE = re.compile(r"^arn:aws:iam::(\d{12}):role/([\w+=,.@-]+)$")
#: the characters AWS allows in an external id
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]+$")
_EQUALITY = (Operator.STRING_EQUALS, Operator.STRING_NOT_EQUALS)
_FAMILIES = (Family.STRING, Family.ARN, Family.BOOL, Family.NULL)
_CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
_PLACEHOLDER = "\x00"


@dataclass(frozen=True)
class Renamed:
    """A question's renamed form: the store key, and the values in placeholder order (accounts, names, external ids
    share one numbering) with the kind of each (``account``, ``name``, ``external-id``) and the role's account."""

    key: Any
    values: tuple[str, ...]
    kinds: tuple[str, ...]
    role_account: str
    #: the question's pinned clock as request text (a renamed form exists only for a question whose clock is pinned)
    now_text: str


class _Abstracter:
    """Numbers the values of one question in order of first appearance; gives up (``ok`` False) on a value that is
    not of the AWS forms it knows."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.values: list[str] = []
        self.kinds: list[str] = []
        self.ok = True

    def place(self, value: str, kind: str) -> str:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.values)
            self.values.append(value)
            self.kinds.append(kind)
        elif self.kinds[i] != kind:
            self.ok = False
        return f"{_PLACEHOLDER}{i}"

    def principal(self, text: str, kind: PrincipalKind) -> str:
        if kind is PrincipalKind.ACCOUNT:
            m = _ROOT.match(text)
            if m is not None:
                return f"root:{self.place(m.group(1), 'account')}"
            if _ACCOUNT.match(text):
                return f"id:{self.place(text, 'account')}"
        if kind is PrincipalKind.ROLE:
            m = _ROLE.match(text)
            if m is not None and not m.group(2).lower().startswith("tg-"):
                return f"role:{self.place(m.group(1), 'account')}:{self.place(m.group(2), 'name')}"
        return text

    def statement(self, st: Statement) -> list[Any]:
        def globs(g: Any) -> Any:
            return None if g is None else [x.text for x in g]

        principals = None if st.principals is None else [
            [p.element.value, self.principal(p.text, p.kind)] for p in st.principals]
        conditions = []
        for c in st.conditions:
            family = c.operator.family
            if family not in _FAMILIES and not (family is Family.DATE and c.key in _CLOCK_KEYS):
                self.ok = False
            texts: list[Any] = [[type(v).__name__, v] for v in c.values]
            if c.key == "sts:externalid" and c.operator in _EQUALITY:
                for i, v in enumerate(c.values):
                    if isinstance(v, str) and _EXTERNAL_ID.match(v):
                        texts[i] = ["str", self.place(v, "external-id")]
            conditions.append([c.operator_text, c.key_text, texts])
        return [st.sid, st.effect.value, principals,
                None if st.not_principals is None else [[p.element.value, p.text] for p in st.not_principals],
                globs(st.actions), globs(st.not_actions), globs(st.resources), globs(st.not_resources), conditions]


def _wildcards_plain(policy: Policy) -> bool:
    """No wildcard pattern other than ``*`` alone and no policy variable in ``policy``."""
    for st in policy.statements:
        texts = [p.text for p in (*(st.principals or ()), *(st.not_principals or ()))]
        texts += [g.text for g in (*(st.actions or ()), *(st.not_actions or ()))
                  if "$" in g.text]
        texts += [g.text for g in (*(st.resources or ()), *(st.not_resources or ()))]
        texts += [v for c in st.conditions for v in c.texts]
        if any(("*" in t or "?" in t or "$" in t) and t != "*" for t in texts):
            return False
    return True


def fresh_account(taken: set[str]) -> str:
    """The account :mod:`trustgraph.smt.symbolic` gives a principal of a fresh account when ``taken`` are named or
    excluded (the largest id not taken)."""
    n = 999_999_999_999
    while f"{n:012d}" in taken:
        n -= 1
    return f"{n:012d}"


def renamed_form(question: HopQuestion, store_key: Any, facts: FactsTable) -> Renamed | None:
    """The renamed form of ``question`` (see the module docstring), whose result-store key is ``store_key``; None
    when the question is not of the kind the argument covers or names no value."""
    caller, target = question.caller, question.target
    if (not isinstance(caller, SymbolicCaller) or caller.kind not in AWS_KINDS or caller.arn is not None
            or caller.account is not None or caller.provider is not None or caller.identity_unknown is not None
            or question.action is not Action.ASSUME_ROLE or question.now_ms is None):
        return None
    role = target.role
    trust = role.trust_policy
    rcps = tuple(p for lv in target.rcp_levels or () for p in lv)
    if not all(_wildcards_plain(p) for p in (trust, *rcps)):
        return None
    ab = _Abstracter()
    form = json.dumps([trust.version, trust.id, [ab.statement(st) for st in trust.statements]],
                      separators=(",", ":"))
    if not ab.ok or not ab.values:
        return None
    for p in rcps:  # RCPs keep their text, but must meet the same rules (no value may appear there)
        for st in p.statements:
            ab.statement(st)
    if not ab.ok:
        return None
    values = tuple(ab.values)
    lowered = [v.lower() for v in values]
    policy_text = " ".join((form.lower(), *(p.canonical_text().lower() for p in rcps)))
    # the role's tags are in its requests (aws:ResourceTag/...); when no policy reads them their values do not
    # change an answer, and the replay gives the role its own
    tags_read = "aws:resourcetag" in policy_text
    tags: Any = role.tags if tags_read else tuple(k for k, _ in role.tags)
    elsewhere = " ".join((
        policy_text, *(text.lower() for c in question.constraints for text in (c.key, *c.values)),
        # the role's ARN reaches a request only as its account, and the policies only when they name resources
        # (the store key then holds the ARN)
        role.account, role.arn.lower() if store_key[3] is not None else "",
        *(t.lower() for tag in role.tags for t in (tag if tags_read else tag[:1])),
        str(target.org_id), str(target.org_paths),
        str(question.now_ms), str(question.duration_seconds), str(role.max_session_duration),
        *caller.excluded_orgs))
    for i, v in enumerate(lowered):
        if v in elsewhere or any(i != j and v in w for j, w in enumerate(lowered)):
            return None
        if v in caller.excluded_accounts:
            return None
    # the candidates' order (sorted accounts) and their fresh account, as data about the abstracted question
    principals = [p for st in trust.statements for p in (*(st.principals or ()), *(st.not_principals or ()))]
    named = {p.account for p in principals if p.account} | {role.account}
    fresh = fresh_account(named | set(caller.excluded_accounts))
    if fresh in values:
        return None
    order = tuple(f"{_PLACEHOLDER}{ab.index[a]}" if a in ab.index else ("role" if a == role.account else a)
                  for a in sorted(named))
    rest = list(store_key[2:])
    rest[3] = tags  # the key's role.tags (smt.sharing.cache_key)
    if "aws:resourceorgpaths" not in policy_text:  # read by no policy: the replay gives the role its own
        rest[4] = (target.org_known, target.org_id)
    key = ("renamed/v1", form, tuple(rest), order, fresh)
    return Renamed(key, values, tuple(ab.kinds), role.account, format_date(question.now_ms))


def storable(renamed: Renamed, result: Sat) -> Any:
    """What the store keeps of a Sat answer under its renamed key."""
    return (result.caller, result.request, renamed)


def replayed(entry: Any, renamed: Renamed, target: Target) -> Sat | None:
    """The stored witness moved to this question's values (sigma of the module docstring) and replayed with the
    concrete evaluator: the Sat answer when it allows without approximation, else None (solve the hop)."""
    from trustgraph.semantics.context import principal_context
    from trustgraph.semantics.evaluate import evaluate_hop
    from trustgraph.smt.sharing import moved_value

    old_caller, old_request, old = entry
    if old.kinds != renamed.kinds:
        return None
    whole: dict[str, str] = dict(zip(old.values, renamed.values, strict=True))
    accounts = {o: n for o, n, k in zip(old.values, renamed.values, renamed.kinds, strict=True) if k == "account"}
    if old.role_account != renamed.role_account:
        if old.role_account in whole or renamed.role_account in renamed.values:
            return None
        accounts[old.role_account] = renamed.role_account

    def rename(value: str) -> str:
        out = whole.get(value)
        if out is not None:
            return out
        for o, n in accounts.items():
            moved = moved_value(value, o, n)
            if moved != value:
                return moved
        return value

    role_name = _ROLE.match(old_caller.arn)
    if role_name is not None and role_name.group(2) in whole:
        new_arn = f"arn:aws:iam::{rename(role_name.group(1))}:role/{whole[role_name.group(2)]}"
    else:
        new_arn = rename(old_caller.arn)
    new_caller = replace(old_caller, arn=new_arn,
                         account=None if old_caller.account is None else rename(old_caller.account))
    old_principal = principal_context(old_caller, now=renamed.now_text)
    new_principal = principal_context(new_caller, now=renamed.now_text)
    if old_principal.keys() != new_principal.keys():
        return None
    own_tags = {f"aws:resourcetag/{k.lower()}": (v,) for k, v in target.role.tags}
    ctx = {k: new_principal[k] if k in new_principal else own_tags[k] if k in own_tags
           else tuple(rename(v) for v in vs) for k, vs in old_request.context.items()}
    ctx["aws:resourceaccount"] = (target.role.account,)
    ctx.update(target.resource_org_context())
    request = Request(action=old_request.action, context=ctx, duration_seconds=old_request.duration_seconds)
    decision = evaluate_hop(new_caller, target, request)
    if not decision.allowed or decision.approximations:
        return None
    return Sat(new_caller, request, decision, ())


__all__ = ["Renamed", "fresh_account", "renamed_form", "replayed", "storable"]
