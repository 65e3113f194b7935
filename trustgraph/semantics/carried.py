"""What a role session carries into the calls it makes next, and the decision of a whole chain of calls
(docs/semantics.md §1.6, §8.7).

A session obtained by AssumeRole* keeps two facts of its history that the next AssumeRole cannot change:

- its **source identity**: once set it stays on every later session of the chain; the next call carries it as
  ``sts:SourceIdentity`` and, being made by a session that has one, as ``aws:SourceIdentity``; the next role's trust
  policy and the caller's identity policies must allow ``sts:SetSourceIdentity`` (IAM User Guide, "Monitor and
  control actions taken with assumed roles", *Role chaining and cross-account requirements*);
- its **transitive session tags**: tags passed with their keys in ``TransitiveTagKeys`` pass to every later session
  and stay transitive there; they are principal tags of the session (``aws:PrincipalTag/KEY``, overriding a role tag
  of the same key) and a later call cannot pass a session tag with a different value for their key (IAM User Guide,
  "Pass session tags in AWS STS", *Chaining roles with session tags*).

:class:`Carried` is that pair in a canonical form (tags sorted by lower-cased key, one per key), small and
hashable, so that the reachability search can keep it in its states and merge equal ones. :func:`carried_after` says
what the session created by an allowed call carries; :func:`evaluate_chain` decides a path call by call, each
caller the session the previous call created: the specification the search's answers for chains are tested against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from trustgraph.model.account import Tags
from trustgraph.semantics.request import Caller, CallerKind, Decision, Request, Target


def canonical_tags(tags: Tags) -> Tags:
    """One tag per key (compared without case: the last one given wins), sorted by lower-cased key.

    >>> canonical_tags((("Team", "red"), ("a", "1"), ("team", "blue")))
    (('a', '1'), ('team', 'blue'))
    """
    by_key: dict[str, tuple[str, str]] = {}
    for key, value in tags:
        by_key[key.lower()] = (key, value)
    return tuple(by_key[k] for k in sorted(by_key))


@dataclass(frozen=True, slots=True)
class Carried:
    """What a session carries along a chain: its source identity (None: none set) and its transitive session tags
    (canonical: :func:`canonical_tags`). ``Carried()`` is a session that carries nothing."""

    source_identity: str | None = None
    transitive_tags: Tags = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitive_tags", canonical_tags(self.transitive_tags))

    def __bool__(self) -> bool:
        return self.source_identity is not None or bool(self.transitive_tags)

    def describe(self) -> str:
        """In words, for witnesses and messages (``source identity 'alice', transitive tags team=blue``)."""
        parts = []
        if self.source_identity is not None:
            parts.append(f"source identity {self.source_identity!r}")
        if self.transitive_tags:
            parts.append("transitive tags " + ", ".join(f"{k}={v}" for k, v in self.transitive_tags))
        return ", ".join(parts) or "nothing"


NOTHING = Carried()


def carried_by(caller: Caller) -> Carried:
    """What ``caller`` carries (a role session's source identity and inherited transitive tags; nothing for other
    kinds of caller, whose next call starts a chain)."""
    if caller.kind is not CallerKind.ROLE_SESSION:
        return NOTHING
    return Carried(caller.source_identity, caller.transitive_tags)


def carried_after(caller: Caller, request: Request) -> Carried:
    """What the session created by the allowed call ``request`` of ``caller`` carries: the source identity the call
    carried or set (``sts:SourceIdentity``), and the caller's transitive tags plus the tags the call passed with their
    keys in ``sts:TransitiveTagKeys`` (an inherited tag keeps its value: a call cannot change it).

    >>> from trustgraph.semantics.request import Action
    >>> c = Caller(kind=CallerKind.IAM_USER, arn="arn:aws:iam::111111111111:user/u")
    >>> r = Request(action=Action.ASSUME_ROLE, context={"sts:sourceidentity": ("alice",),
    ...     "aws:requesttag/Team": ("blue",), "aws:requesttag/cost": ("1",), "sts:transitivetagkeys": ("team",)})
    >>> carried_after(c, r)
    Carried(source_identity='alice', transitive_tags=(('team', 'blue'),))
    """
    before = carried_by(caller)
    values = request.get("sts:sourceidentity")
    source_identity = values[0] if values else before.source_identity
    passed = {k.split("/", 1)[1].lower(): (k.split("/", 1)[1], v[0])
              for k, v in request.context.items() if k.startswith("aws:requesttag/") and v}
    # the context keys are lower-cased; the spelling of a tag key is the one TransitiveTagKeys gives, else lower case
    spelled = {t.lower(): t for t in request.get("sts:transitivetagkeys") or ()}
    new = [(spelled.get(k, k), passed[k][1]) for k in spelled if k in passed]
    inherited = {k.lower() for k, _ in before.transitive_tags}
    tags = (*(t for t in new if t[0].lower() not in inherited), *before.transitive_tags)
    return Carried(source_identity, tags)


def tag_problem(caller: Caller, who: str, request: Request) -> str | None:
    """Why STS refuses ``request`` of ``caller`` (named ``who``) for the session tags it passes, or None: a role
    session passing a session tag with another value for the key of a transitive tag it carries, or a
    ``sts:TransitiveTagKeys`` value that is not the key of a session tag the request itself passes (the tags the
    caller inherited do not count: :meth:`Request.untagged_transitive_key`)."""
    if caller.kind is CallerKind.ROLE_SESSION:
        for key, value in caller.transitive_tags:
            passed = request.get(f"aws:requesttag/{key}")
            if passed is not None and passed != (value,):
                return (f"{who} carries the transitive session tag {key}={value}: a chained call cannot "
                        f"pass {key}={passed[0] if passed else ''} (docs/semantics.md §1.6)")
    untagged = request.untagged_transitive_key
    if untagged is not None:
        return (f"STS rejects the request: TransitiveTagKeys names {untagged!r}, the key of no session tag it passes "
                f"(docs/semantics.md §1.1)")
    return None


def session_caller(template: Caller, carried: Carried) -> Caller:
    """``template`` (a session of a role, as :func:`trustgraph.semantics.callers.caller_for_role_session` builds it
    without history) as the session that carries ``carried``: its source identity, and its transitive tags as
    principal tags overriding the role's tags of the same key."""
    if not carried:
        return template
    inherited = {k.lower() for k, _ in carried.transitive_tags}
    tags = (*(t for t in template.tags if t[0].lower() not in inherited), *carried.transitive_tags)
    return replace(template, source_identity=carried.source_identity, transitive_tags=carried.transitive_tags,
                   tags=tags)


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One call of a chain and its decision; ``carried`` is what the session it created carries."""

    caller: Caller
    target: Target
    request: Request
    decision: Decision
    carried: Carried


def evaluate_chain(
    first: Caller,
    calls: Sequence[tuple[Target, Callable[[Caller], Request]]],
    session_of: Callable[[Target], Caller],
) -> tuple[ChainStep, ...]:
    """Decide a chain call by call: ``first`` makes the first call; each later call is made by the session the
    previous call created (``session_of(target)``, a session of that role without history, given what it carries by
    :func:`session_caller`). ``calls`` pairs each role with a function building the request from its caller (so that
    carried keys come from the caller, as :func:`trustgraph.semantics.context.build_request` puts them). The steps
    stop after the first call that is not allowed."""
    from trustgraph.semantics.evaluate import evaluate_hop

    steps: list[ChainStep] = []
    caller = first
    for target, make in calls:
        request = make(caller)
        decision = evaluate_hop(caller, target, request)
        carried = carried_after(caller, request) if decision.allowed else carried_by(caller)
        steps.append(ChainStep(caller, target, request, decision, carried))
        if not decision.allowed:
            break
        caller = session_caller(session_of(target), carried)
    return tuple(steps)


__all__ = ["NOTHING", "Carried", "ChainStep", "canonical_tags", "carried_after", "carried_by", "evaluate_chain",
           "session_caller", "tag_problem"]
