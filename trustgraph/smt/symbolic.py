"""Symbolic callers: principals outside the zone that the analysis does not know, as finitely many candidates.

A :class:`SymbolicCaller` stands for every principal of a kind (any IAM user or role session of any account but the
zone's, every holder of a token from a provider, a service). The trust policy names finitely many principals, so
the caller is split into candidates (docs/semantics.md §6.1): each principal the policy names
(compatible with the caller's kind and accounts), a generic principal of each account the policy names, and a
generic principal of a fresh account distinct from all of those. Within a candidate the principal matching is fixed,
which is what lets the concrete evaluator decide the policy structure, and everything the outsider controls stays
symbolic: its account (fresh candidate), principal name and path, session name, unique id, organization membership
and id, principal tags and source identity. MFA is split too (with and without). Its identity policy allows
everything and foreign SCPs are unknown, hence permissive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any

from trustgraph.model.arn import parse_arn, partition_of
from trustgraph.model.location import Location
from trustgraph.model.pattern import Star
from trustgraph.model.policy import VERSION_2012, Effect, Glob, Policy, Statement
from trustgraph.model.principal import Principal, PrincipalKind
from trustgraph.semantics.context import DEFAULT_SESSION_NAME
from trustgraph.semantics.request import Action, Caller, CallerKind, Target
from trustgraph.smt.env import Env, KeyVar, Kind, z3_string
from trustgraph.smt.presence import catalog_facts, char_class_re
from trustgraph.smt.terms import and_, iff, implies
from trustgraph.smt.z3lazy import z3

AWS_KINDS = frozenset({CallerKind.IAM_USER, CallerKind.ROLE_SESSION})
SYNTH = Location("<synthesized-caller>", "")


@dataclass(frozen=True)
class SymbolicCaller:
    """Every principal of a kind outside the zone (see the module docstring).

    Attributes
    ----------
    kind
        IAM_USER or ROLE_SESSION (AWS callers; ``aws_kinds`` says which are considered, both by default), SAML,
        WEB_IDENTITY or SERVICE.
    provider
        Federated callers: provider ARN or built-in IdP name; services: the service principal name.
    account
        A fixed account id, or None for any account.
    excluded_accounts, excluded_orgs
        The caller's account is none of these; its aws:PrincipalOrgID (when it has one) is none of these.
    aws_kinds
        For AWS callers, the kinds tried.
    arn, session_name
        One named principal whose identity side is unknown (docs/semantics.md §4.2): a user ARN, or a role ARN with
        its session name pinned (``session_name``) or free. Its account is the ARN's.
    identity_unknown
        Set (to the reason) for a principal inside the zone that no export describes: its identity policies are
        taken to allow, and every Sat answer is marked approximate with this text.
    """

    kind: CallerKind
    provider: str | None = None
    account: str | None = None
    excluded_accounts: frozenset[str] = frozenset()
    excluded_orgs: frozenset[str] = frozenset()
    aws_kinds: frozenset[CallerKind] = AWS_KINDS
    arn: str | None = None
    session_name: str | None = None
    identity_unknown: str | None = None


#: a symbolic principal key's builder: called with the environment (the one the candidate's ``setup`` was given) and
#: the key. Builders read that environment from their argument and never capture it: the environment holds them
#: (through its resolver, :func:`~trustgraph.smt.presence.resolver`), and one that captured it made each environment a
#: reference cycle, with its z3 terms, that only the cyclic collector freed. The shared searches run with the
#: collector off and freeze what survives them (:func:`~trustgraph.model.bulk.built_frozen`), so such environments
#: stayed for the rest of the scan (condition-heavy, 20,000 roles: 1,764 environments, ~110,000 objects in cycles
#: after the shared work, ~137,000 allocated blocks); acyclic, reference counting frees each one when its question
#: is answered
Builder = Callable[[Env, str], KeyVar]


@dataclass
class Candidate:
    """One concrete shape of the caller: a template for the structure, symbolic principal keys, a decoder."""

    label: str
    template: Caller
    symbolic: bool = False
    provider_host: str | None = None
    setup: Callable[[Env], dict[str, Builder]] | None = None
    decode: Callable[[z3.ModelRef, Env], Caller] | None = None
    slot_bounds: dict[str, int] = field(default_factory=dict)
    #: An outsider that may belong to an organization: the organizations it cannot belong to (None: the candidate
    #: has no organization choice). Concrete-first guesses try the template in an organization a condition names.
    excluded_orgs: frozenset[str] | None = None


@lru_cache(maxsize=1)
def allow_all_policy() -> Policy:
    """The identity policy an outsider gives itself: Allow * on * (built as model values; nothing is parsed)."""
    everything = (Glob(text="*", pattern=(Star(),)),)
    statement = Statement(effect=Effect.ALLOW, actions=everything, resources=everything,
                          location=Location(SYNTH.file, "/Statement/0"))
    return Policy(version=VERSION_2012, statements=(statement,), location=SYNTH)


# The shapes of outsiders' names, as z3 regular expressions: each built on first use, not at import, so that a scan
# whose hops all fold before z3 never imports z3 (trustgraph.smt.z3lazy).


@cache
def _name_char() -> z3.ReRef:
    return char_class_re(r"\w+=,.@-")


@cache
def _name() -> z3.ReRef:
    return z3.Plus(_name_char())  # IAM allows 64; an unbounded loop keeps z3's automata small


@cache
def _session() -> z3.ReRef:
    return z3.Concat(_name_char(), z3.Plus(_name_char()))  # 2-64 in IAM; unbounded keeps automata small


@cache
def _path() -> z3.ReRef:
    return z3.Star(z3.Concat(z3.Plus(_name_char()), z3.Re("/")))


@cache
def _account() -> z3.ReRef:
    return z3.Loop(z3.Range("0", "9"), 12, 12)


@cache
def _id_tail() -> z3.ReRef:
    """IAM unique ids (UserId, RoleId) are 16-128 word characters (IAM API reference, RoleId/UserId: "[\\w]+",
    length 16-128), of which the first four are the AIDA/AROA prefix; real ones are 21 characters (IAM User Guide,
    "Unique identifiers": AIDAJQABLZS4A3QDU576Q). The upper bound is left open: it keeps z3's automata small and
    admits no request the evaluator would refuse."""
    return z3.Concat(z3.Loop(char_class_re(r"\w"), 12, 12), z3.Star(char_class_re(r"\w")))


@cache
def _org() -> z3.ReRef:
    """Real organization ids are o-[a-z0-9]{10,32}; the evaluator does not check, so neither do we beyond the
    shape."""
    return z3.Concat(z3.Re("o-"), z3.Plus(z3.Union(z3.Range("a", "z"), z3.Range("0", "9"), z3.Re("-"))))


@lru_cache(maxsize=16_384)
def _lit(text: str) -> z3.ReRef:
    """``z3.Re(text)``, memoised (z3 terms are immutable; outsiders' hops spell the same ARNs and accounts)."""
    return z3.Re(text)


def _union(res: list[z3.ReRef]) -> z3.ReRef:
    return res[0] if len(res) == 1 else z3.Union(*res)


def provider_host(provider: str) -> str:
    """The host prefix of an OIDC provider's claim keys (``token.actions.githubusercontent.com``)."""
    return provider.split(":oidc-provider/", 1)[1] if ":oidc-provider/" in provider else provider


def trust_principals(target: Target) -> list[Principal]:
    """Every principal the trust policy names (Allow and Deny statements)."""
    out: list[Principal] = []
    for st in target.role.trust_policy.statements:
        out.extend(st.principals or ())
        out.extend(st.not_principals or ())
    return out


# -- concrete callers ------------------------------------------------------------------------------------------


def concrete_candidates(caller: Caller, target: Target) -> list[Candidate]:
    """One candidate, or one per session name when a role session's name is free (``session_name`` None). The ages
    of the caller's MFA authentication and credentials stay symbolic (:func:`_with_ages`)."""
    return [_with_ages(c) for c in _concrete_candidates(caller, target)]


def _concrete_candidates(caller: Caller, target: Target) -> list[Candidate]:
    if caller.kind is CallerKind.WEB_IDENTITY:
        return [Candidate("caller", caller, provider_host=provider_host(caller.arn))]
    if caller.kind is not CallerKind.ROLE_SESSION or caller.session_name is not None:
        return [_with_org(Candidate("caller", caller))]
    role_name = caller.arn.rsplit("/", 1)[-1]
    named: list[str] = []
    for p in trust_principals(target):
        if p.kind is PrincipalKind.ASSUMED_ROLE and p.account == caller.account:
            _, rname, sname = p.text.split(":", 5)[5].split("/", 2)
            if rname == role_name and sname not in named:
                named.append(sname)
    out = [_with_org(Candidate(f"session {s}", replace(caller, session_name=s))) for s in named]
    # the generic name is the one a request names by default (sts:RoleSessionName): the hop that created the
    # session then agrees with it, and the path needs no second look (docs/semantics.md §4.3)
    generic = replace(caller, session_name=_fresh_name(DEFAULT_SESSION_NAME, named))

    def setup(env: Env) -> dict[str, Builder]:
        sess = z3.String(f"{env.prefix}caller|session-name")
        sess_re = _session()
        if named:
            sess_re = z3.Intersect(_session(), z3.Complement(_union([z3.Re(n) for n in named])))
        env.axiom("caller:session-name", z3.InRe(sess, sess_re))
        env.scratch["session"] = sess
        uid = z3.Concat(z3.StringVal(f"{caller.unique_id or 'AROAUNKNOWN'}:"), sess)
        return {"aws:userid": lambda e, k: KeyVar(k, Kind.STRING, False, True, val=uid)}

    def decode(model: z3.ModelRef, env: Env) -> Caller:
        return replace(caller, session_name=_string(model, env.scratch["session"]))

    out.append(_with_org(Candidate("session (any name)", generic, setup=setup, decode=decode)))
    return out


def org_builders(excluded: frozenset[str]) -> dict[str, Builder]:
    """aws:PrincipalOrgID / aws:PrincipalOrgPaths of a caller whose organization is not fixed by loaded data
    (docs/semantics.md §5): in no organization, or in any organization but ``excluded``; its paths start with its
    organization id and a root (the OU ids after it are free: OU ids are unique only within one organization).
    The organization's two z3 constants are made when a condition first reads one of the keys, not here: most
    candidates' questions are answered before anything is encoded, and then z3 is not even loaded
    (trustgraph.smt.z3lazy). Like every builder here, these read the environment they are called with (the one handed
    to the candidate's setup) rather than capturing one (see :data:`Builder`)."""
    def org_vars(e: Env) -> tuple[Any, Any]:
        made = e.scratch.get("org")
        if made is None:
            made = e.scratch["org"] = (z3.Bool(f"{e.prefix}caller|in-org"), z3.String(f"{e.prefix}caller|org-id"))
        return made

    def orgid(e: Env, k: str) -> KeyVar:
        org_p, org_v = org_vars(e)
        org_re = _org()
        if excluded:
            org_re = z3.Intersect(_org(), z3.Complement(_union([z3.Re(o) for o in sorted(excluded)])))
        e.axiom("caller:org", z3.InRe(org_v, org_re))
        return KeyVar(k, Kind.STRING, False, org_p, val=org_v)

    def orgpaths(e: Env, k: str) -> KeyVar:
        e.key("aws:principalorgid")
        kv = e.symbolic(k, catalog_facts(k))
        org_p, org_v = org_vars(e)
        e.axiom("caller:org-paths", iff(kv.pres, org_p))
        for i, (u, v) in enumerate(kv.members()):
            # a definitional concatenation, not PrefixOf: z3 decides it with a glob on the path at once
            rest = z3.String(f"{e.prefix}caller|org-path-rest{i}")
            e.axiom("caller:org-paths", implies(u, v == z3.Concat(org_v, z3.StringVal("/r-"), rest)))
        e.scratch["orgpaths"] = kv
        return kv

    return {"aws:principalorgid": orgid, "aws:principalorgpaths": orgpaths}


def decode_org(model: z3.ModelRef, env: Env) -> tuple[str | None, tuple[str, ...]]:
    """The organization id and paths a model chose through :func:`org_builders` (None, () for no organization)."""
    s = env.scratch
    if "aws:principalorgid" not in env.vars:
        return None, ()
    org_p, org_v = s["org"]  # made by the key's builder (org_builders)
    if not z3.is_true(model.eval(org_p, model_completion=True)):
        return None, ()
    kv = s.get("orgpaths")
    paths: tuple[str, ...] = ()
    if kv is not None:
        paths = tuple(_string(model, v) for u, v in kv.members() if z3.is_true(model.eval(u, True)))
    return _string(model, org_v), paths


def _with_org(cand: Candidate) -> Candidate:
    """``cand`` with a symbolic organization when no loaded data fixes its caller's (``Caller.org_unknown``)."""
    unknown = cand.template.org_unknown
    if unknown is None or cand.template.kind not in AWS_KINDS:
        return cand
    inner_setup, inner_decode, template = cand.setup, cand.decode, cand.template

    def setup(env: Env) -> dict[str, Builder]:
        builders = dict(inner_setup(env)) if inner_setup is not None else {}
        builders.update(org_builders(unknown.excluded))
        return builders

    def decode(model: z3.ModelRef, env: Env) -> Caller:
        caller = inner_decode(model, env) if inner_decode is not None else template
        org_id, paths = decode_org(model, env)
        return replace(caller, org_id=org_id, org_paths=paths)

    return replace(cand, setup=setup, decode=decode, excluded_orgs=unknown.excluded,
                   slot_bounds={**cand.slot_bounds, "aws:principalorgpaths": 1})


def age_builders(template: Caller, env: Env) -> dict[str, Builder]:
    """aws:MultiFactorAuthAge (with MFA) and aws:TokenIssueTime (role sessions) of a caller as symbolic values: any
    whole number of seconds from 0 to :func:`~trustgraph.semantics.context.credential_lifetime`, as the evaluator's
    ``caller.mfa_age`` / ``caller.token_age`` (decoded by :func:`decode_ages`). ``env.scratch["now_ms"]`` is the
    pinned time the issue time counts back from."""
    from trustgraph.semantics.context import credential_lifetime

    limit = credential_lifetime(template)
    out: dict[str, Builder] = {}

    def age(e: Env, name: str) -> z3.ArithRef:
        if name not in e.scratch:
            var = z3.Int(f"{e.prefix}caller|{name}")
            e.axiom(f"caller:{name}", z3.And(var >= 0, var <= limit))
            e.scratch[name] = var
        return e.scratch[name]

    if template.mfa and template.kind in AWS_KINDS:
        out["aws:multifactorauthage"] = lambda e, k: KeyVar(k, Kind.NUMERIC, False, True,
                                                            val=z3.ToReal(age(e, "mfa-age")))
    if template.kind is CallerKind.ROLE_SESSION and env.scratch.get("now_ms") is not None:
        now_ms = env.scratch["now_ms"]
        out["aws:tokenissuetime"] = lambda e, k: KeyVar(k, Kind.DATE, False, True,
                                                        val=now_ms - age(e, "token-age") * 1000)
    return out


def decode_ages(model: z3.ModelRef, env: Env, caller: Caller) -> Caller:
    """The caller with the ages the model chose (those no condition read stay 0)."""
    changes: dict[str, int] = {}
    for name, field_name in (("mfa-age", "mfa_age"), ("token-age", "token_age")):
        var = env.scratch.get(name)
        if var is not None:
            changes[field_name] = model.eval(var, model_completion=True).as_long()
    return replace(caller, **changes) if changes else caller  # type: ignore[arg-type]


def _with_ages(cand: Candidate) -> Candidate:
    """``cand`` with :func:`age_builders` added to its symbolic principal keys (when its caller has an age)."""
    template = cand.template
    if not (template.kind is CallerKind.ROLE_SESSION or (template.mfa and template.kind in AWS_KINDS)):
        return cand
    setup0, decode0 = cand.setup, cand.decode

    def setup(env: Env) -> dict[str, Builder]:
        builders = setup0(env) if setup0 is not None else {}
        return {**age_builders(template, env), **builders}

    def decode(model: z3.ModelRef, env: Env) -> Caller:
        return decode_ages(model, env, decode0(model, env) if decode0 is not None else template)

    return replace(cand, setup=setup, decode=decode)


# -- symbolic callers ------------------------------------------------------------------------------------------


def symbolic_candidates(sc: SymbolicCaller, target: Target, action: Action) -> list[Candidate]:
    """The candidates of a symbolic caller for ``action`` (empty when the kind cannot call it)."""
    if sc.kind in AWS_KINDS:
        if action is not Action.ASSUME_ROLE:
            return []
        return [_with_ages(c) for c in _aws_candidates(sc, target)]
    if sc.provider is None:
        raise ValueError(f"a symbolic {sc.kind.value} caller needs a provider")
    if sc.kind is CallerKind.SAML and action is Action.ASSUME_ROLE_WITH_SAML:
        return [Candidate("saml", Caller(kind=CallerKind.SAML, arn=sc.provider), symbolic=True)]
    if sc.kind is CallerKind.WEB_IDENTITY and action is Action.ASSUME_ROLE_WITH_WEB_IDENTITY:
        return [Candidate("web-identity", Caller(kind=CallerKind.WEB_IDENTITY, arn=sc.provider), symbolic=True,
                          provider_host=provider_host(sc.provider))]
    if sc.kind is CallerKind.SERVICE and action is Action.ASSUME_ROLE:
        return [Candidate("service", Caller(kind=CallerKind.SERVICE, arn=sc.provider), symbolic=True)]
    return []


def _allowed(sc: SymbolicCaller, account: str | None) -> bool:
    return account is not None and account not in sc.excluded_accounts and (sc.account in (None, account))


def _aws_candidates(sc: SymbolicCaller, target: Target) -> list[Candidate]:
    # an outsider is a principal of the role's partition: no other can assume it (docs/semantics.md §1.3.1)
    partition = partition_of(target.role.arn) or "aws"
    principals = [p for p in trust_principals(target) if p.partition in (None, partition)]
    named_accounts = {p.account for p in principals if p.account} | {target.role.account}
    if sc.account is not None:
        named_accounts.add(sc.account)
    named_users = [p.text for p in principals if p.kind is PrincipalKind.USER]
    named_roles = [p.text for p in principals if p.kind is PrincipalKind.ROLE]
    named_sessions = [p.text for p in principals if p.kind is PrincipalKind.ASSUMED_ROLE]
    named_ids = [p.text for p in principals if p.kind is PrincipalKind.UNIQUE_ID]
    names = _Named(named_users, named_roles, named_sessions, named_ids, sorted(named_accounts), partition)
    out: list[Candidate] = []
    if sc.arn is not None:
        return _named_candidates(sc, target, principals, names)
    kinds = [k for k in (CallerKind.IAM_USER, CallerKind.ROLE_SESSION) if k in sc.aws_kinds]
    for mfa in (False, True):
        for kind in kinds:
            # principals the trust policy names
            for p in principals:
                if not _allowed(sc, p.account):
                    continue
                if kind is CallerKind.IAM_USER and p.kind is PrincipalKind.USER:
                    out.append(_generic(sc, kind, p.account, names, mfa, fixed_arn=p.text))
                elif kind is CallerKind.ROLE_SESSION and p.kind is PrincipalKind.ROLE:
                    out.append(_generic(sc, kind, p.account, names, mfa, fixed_arn=p.text))
                elif kind is CallerKind.ROLE_SESSION and p.kind is PrincipalKind.ASSUMED_ROLE:
                    rest = p.text.split(":", 5)[5].split("/", 2)
                    out.append(_generic(sc, kind, p.account, names, mfa,
                                        fixed_arn=f"arn:{partition}:iam::{p.account}:role/{rest[1]}",
                                        fixed_session=rest[2]))
            # a generic principal of each named account, and of a fresh account
            for acct in sorted(named_accounts):
                if _allowed(sc, acct):
                    out.append(_generic(sc, kind, acct, names, mfa))
            if sc.account is None:
                out.append(_generic(sc, kind, None, names, mfa))
    return out


def _named_candidates(sc: SymbolicCaller, target: Target, principals: list[Principal], names: _Named
                      ) -> list[Candidate]:
    """The candidates of one named principal with an unknown identity side: the principal itself (a user, or a role
    whose session name is pinned, or free and then also each session of it the trust policy names)."""
    assert sc.arn is not None
    arn = parse_arn(sc.arn)
    if arn is None or arn.partition != names.partition:
        return []  # another partition than the role's: no hop (docs/semantics.md §1.3.1)
    is_user = arn.resource.startswith("user/")
    kind = CallerKind.IAM_USER if is_user else CallerKind.ROLE_SESSION
    sessions: list[str | None] = [sc.session_name]
    if not is_user and sc.session_name is None:
        role_name = arn.resource.rsplit("/", 1)[-1]
        for p in principals:
            if p.kind is PrincipalKind.ASSUMED_ROLE and p.account == arn.account:
                _, rname, sname = p.text.split(":", 5)[5].split("/", 2)
                if rname == role_name and sname not in sessions:
                    sessions.append(sname)
    return [_generic(sc, kind, arn.account, names, mfa, fixed_arn=sc.arn, fixed_session=session)
            for mfa in (False, True) for session in sessions]


@dataclass(frozen=True)
class _Named:
    """What the trust policy names of the outsider's kind (users, roles, sessions, unique ids, accounts), which the
    generic outsider must not be; a docstring of its own also spares ``dataclass`` the ``inspect.signature`` it would
    otherwise make one from at import."""

    users: list[str]
    roles: list[str]
    sessions: list[str]
    ids: list[str]
    accounts: list[str]
    partition: str = "aws"


def _fresh_name(base: str, taken: list[str]) -> str:
    name, i = base, 0
    while name in taken:
        i += 1
        name = f"{base}{i}"
    return name


def _fresh_account(sc: SymbolicCaller, names: _Named) -> str:
    taken = set(names.accounts) | set(sc.excluded_accounts)
    n = 999_999_999_999
    while f"{n:012d}" in taken:
        n -= 1
    return f"{n:012d}"


_FRESH_ACCOUNT_RE: dict[tuple[str, ...], Any] = {}


def _fresh_account_re(taken: tuple[str, ...]) -> Any:
    """An account id that is none of ``taken``, as a regular expression; memoised, since every hop of an outsider
    excludes the same (often hundreds of) accounts of the zone and z3 terms are immutable and shareable."""
    cached = _FRESH_ACCOUNT_RE.get(taken)
    if cached is None:
        cached = _account()
        if taken:
            cached = z3.Intersect(cached, z3.Complement(_union([z3.Re(a) for a in taken])))
        if len(_FRESH_ACCOUNT_RE) > 1_000:
            _FRESH_ACCOUNT_RE.clear()
        _FRESH_ACCOUNT_RE[taken] = cached
    return cached


def _generic(sc: SymbolicCaller, kind: CallerKind, account: str | None, names: _Named, mfa: bool, *,
             fixed_arn: str | None = None, fixed_session: str | None = None) -> Candidate:
    """A candidate for a principal of ``kind`` in ``account`` (None: a fresh account), optionally a named one."""
    is_user = kind is CallerKind.IAM_USER
    placeholder_acct = account or _fresh_account(sc, names)
    iam = f"arn:{names.partition}:iam::"
    if fixed_arn is not None:
        arn = fixed_arn
    elif is_user:
        taken = [a.rsplit("/", 1)[-1] for a in names.users]
        arn = f"{iam}{placeholder_acct}:user/{_fresh_name('tg-user', taken)}"
    else:
        taken = [a.rsplit("/", 1)[-1] for a in names.roles]
        arn = f"{iam}{placeholder_acct}:role/{_fresh_name('tg-role', taken)}"
    uid = ("AIDA" if is_user else "AROA") + "TRUSTGRAPHSYNTH1"
    template = Caller(kind=kind, arn=arn, account=placeholder_acct, unique_id=uid,
                      session_name=None if is_user else (fixed_session or "tg-session"),
                      user_name=arn.rsplit("/", 1)[-1] if is_user else None,
                      identity_policies=(allow_all_policy(),), mfa=mfa)
    where = fixed_arn or (f"of {account}" if account else "of a fresh account")
    label = f"{'user' if is_user else 'role session'} {where}"
    label += " with MFA" if mfa else ""

    named_arns = names.users if is_user else names.roles

    def arn_regex() -> z3.ReRef:
        """The ARNs this candidate may have (built only when a condition reads a key derived from it)."""
        if account is not None:
            acct_re = _lit(account)
        else:  # exclusions inside the regular expression: z3 decides regex membership fast, disequalities slowly
            acct_re = _fresh_account_re(tuple(sorted(set(names.accounts) | set(sc.excluded_accounts))))
        if is_user:
            arn_re = z3.Concat(_lit(iam), acct_re, _lit(":user/"), _name())
        else:
            arn_re = z3.Concat(_lit(iam), acct_re, _lit(":role/"), _path(), _name())
        if named_arns:
            arn_re = z3.Intersect(arn_re, z3.Complement(_union([_lit(a) for a in named_arns])))
        return arn_re

    def setup(env: Env) -> dict[str, Builder]:
        """Lazily built principal keys: one free string per key, tied to the others only when both are used
        (regular-expression membership is cheap for z3, word equations between variables are not)."""

        def arn_var(e: Env) -> z3.ExprRef:
            s = e.scratch
            if "arn" not in s:
                if fixed_arn is not None:
                    s["arn"] = z3.StringVal(fixed_arn)
                else:
                    arn_t = z3.String(f"{e.prefix}caller|arn")
                    e.axiom("caller:arn", z3.InRe(arn_t, arn_regex()))
                    s["arn"] = arn_t
            return s["arn"]

        def acct_var(e: Env) -> z3.ExprRef:
            if account is not None:
                return z3.StringVal(account)
            return z3.SubString(arn_var(e), len(iam), 12)

        def uid_var(e: Env) -> z3.ExprRef:
            s = e.scratch
            if "uid" not in s:
                uid_t = z3.String(f"{e.prefix}caller|userid")
                ids = [z3.Re(i) for i in names.ids]
                if is_user:
                    uid_re = z3.Concat(z3.Re("AIDA"), _id_tail())
                    if ids:
                        uid_re = z3.Intersect(uid_re, z3.Complement(_union(ids)))
                    e.axiom("caller:unique-id", z3.InRe(uid_t, uid_re))
                else:
                    sess_re = z3.Re(fixed_session) if fixed_session is not None else _session()
                    role_id = z3.Concat(z3.Re("AROA"), _id_tail())
                    if ids:
                        role_id = z3.Intersect(role_id, z3.Complement(_union(ids)))
                    e.axiom("caller:unique-id", z3.InRe(uid_t, z3.Concat(role_id, z3.Re(":"), sess_re)))
                    if fixed_session is None:
                        for sarn in names.sessions:
                            sacct, rest = sarn.split(":", 5)[4], sarn.split(":", 5)[5].split("/", 2)
                            same_role = z3.InRe(arn_var(e), z3.Concat(z3.Re(f"{iam}{sacct}:role/"), _path(),
                                                                      z3.Re(rest[1])))
                            e.axiom("caller:session-name", z3.Not(z3.And(
                                same_role, z3.SuffixOf(z3.StringVal(":" + rest[2]), uid_t))))
                s["uid"] = uid_t
            return s["uid"]

        def single(term_fn: Callable[[Env], z3.ExprRef]) -> Builder:
            return lambda e, k: KeyVar(k, Kind.STRING, False, True, val=term_fn(e))

        b: dict[str, Builder] = {
            "aws:principalaccount": single(acct_var),
            "aws:principalarn": single(arn_var),
            "aws:userid": single(uid_var),
        }
        if is_user:
            def uname(e: Env) -> z3.ExprRef:
                if fixed_arn is not None:
                    return z3.StringVal(fixed_arn.rsplit("/", 1)[-1])
                a = arn_var(e)
                start = len(iam) + 12 + len(":user/")
                return z3.SubString(a, start, z3.Length(a) - start)

            b["aws:username"] = single(uname)
        # organization: the outsider may be in an organization (never an excluded one) or in none
        b.update(org_builders(sc.excluded_orgs))
        if not is_user:
            def srcid(e: Env, k: str) -> KeyVar:
                kv = e.symbolic(k, catalog_facts(k))
                sts = e.key("sts:sourceidentity")
                e.axiom("caller:source-identity", implies(kv.pres, and_(sts.pres, sts.val == kv.val)))
                e.scratch["srcid"] = kv
                return kv

            b["aws:sourceidentity"] = srcid
        return b

    def decode(model: z3.ModelRef, env: Env) -> Caller:
        s = env.scratch
        arn_v = _string(model, s["arn"]) if "arn" in s else template.arn
        acct_v = arn_v.split(":")[4]
        uid_v = template.unique_id
        session_v = template.session_name
        if "uid" in s:
            full = _string(model, s["uid"])
            if is_user:
                uid_v = full
            else:
                uid_v, session_v = full.split(":", 1)
        elif not is_user and fixed_session is None:
            session_v = _fresh_name("tg-session", [a.rsplit("/", 1)[-1] for a in names.sessions])
        org_id, paths = decode_org(model, env)
        tags = []
        for k, kv in env.vars.items():
            if k.startswith("aws:principaltag/") and not kv.ground and z3.is_true(model.eval(kv.pres, True)):
                tags.append((k[len("aws:principaltag/"):], _string(model, kv.val)))
        srcid = None
        skv = s.get("srcid")
        if skv is not None and z3.is_true(model.eval(skv.pres, True)):
            srcid = _string(model, skv.val)
        return replace(template, arn=arn_v, account=acct_v, unique_id=uid_v,
                       session_name=None if is_user else session_v,
                       user_name=arn_v.rsplit("/", 1)[-1] if is_user else None,
                       org_id=org_id, org_paths=paths, tags=tuple(tags), source_identity=srcid)

    return Candidate(label, template, symbolic=True, setup=setup, decode=decode, excluded_orgs=sc.excluded_orgs,
                     slot_bounds={"aws:principalorgpaths": 1})


def symbolic_principal_tag(env: Env, key: str) -> KeyVar:
    """aws:PrincipalTag/k of an outsider: any value, or absent."""
    return env.symbolic(key, catalog_facts(key))


def _string(model: z3.ModelRef, term: z3.ExprRef) -> str:
    return z3_string(model.eval(term, model_completion=True))


__all__ = ["AWS_KINDS", "Candidate", "SymbolicCaller", "concrete_candidates", "decode_org", "org_builders",
           "provider_host", "symbolic_candidates"]
