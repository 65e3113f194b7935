"""Query options shared by the API and the CLI: constraints on every hop, closed world, first action, hop limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from trustgraph.semantics.request import Action

#: the edge kinds a query may use: only sts:AssumeRole* hops, or every escalation method too
VIA = ("assume", "all")


@dataclass(frozen=True, slots=True)
class QueryOptions:
    """How to ask.

    Attributes
    ----------
    without
        Keys absent from the request on every hop (``--without sts:ExternalId``).
    given
        Keys present with these values on every hop (``--given aws:SourceIp=203.0.113.5``).
    not_like
        Keys that, if present, match none of these globs on every hop (used for "no MFA": aws:MultiFactorAuthPresent
        not ``true``).
    closed
        Every key neither given nor derived from the caller is absent.
    action
        Restricts the first hop's action.
    max_hops
        Longest path considered (None: unbounded).
    timeout_ms
        Per-solver-call timeout (None: the solver's default).
    via
        ``assume`` (sts:AssumeRole* hops only) or ``all`` (also the privilege-escalation edges of
        :mod:`trustgraph.graph.escalation`; the key constraints apply to the assume hops).
    """

    without: tuple[str, ...] = ()
    given: tuple[tuple[str, tuple[str, ...]], ...] = ()
    not_like: tuple[tuple[str, tuple[str, ...]], ...] = ()
    closed: bool = False
    action: Action | None = None
    max_hops: int | None = None
    timeout_ms: int | None = None
    via: str = "assume"
    #: the hash of the fields, computed once: options are part of the key of every memo lookup of a search (a
    #: federation-heavy scan of 2,000 roles hashed them ~39,000 times, each time a tuple of eight fields)
    _hash: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.without, self.given, self.not_like, self.closed, self.action,
                                                self.max_hops, self.timeout_ms, self.via)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle support: made again from its fields (a hash of strings differs between processes)."""
        return (QueryOptions, (self.without, self.given, self.not_like, self.closed, self.action, self.max_hops,
                               self.timeout_ms, self.via))

    @staticmethod
    def make(
        *,
        without: Sequence[str] = (),
        given: Mapping[str, str | Sequence[str]] | None = None,
        not_like: Mapping[str, Sequence[str]] | None = None,
        closed: bool = False,
        action: Action | str | None = None,
        max_hops: int | None = None,
        timeout_ms: int | None = None,
        via: str = "assume",
    ) -> QueryOptions:
        """Options from plain Python values (strings or lists for ``given``).

        Raises
        ------
        ValueError
            When ``via`` is neither ``assume`` nor ``all``.
        """
        if via not in VIA:
            raise ValueError(f"via must be one of {', '.join(VIA)}, got {via!r}")
        given_items = tuple(
            sorted((k, (v,) if isinstance(v, str) else tuple(v)) for k, v in (given or {}).items())
        )
        not_like_items = tuple(sorted((k, tuple(v)) for k, v in (not_like or {}).items()))
        act = Action(action) if isinstance(action, str) else action
        return QueryOptions(
            without=tuple(sorted(set(without))), given=given_items, not_like=not_like_items, closed=closed,
            action=act, max_hops=max_hops, timeout_ms=timeout_ms, via=via,
        )

    def describe(self) -> dict[str, object]:
        """JSON-ready echo."""
        return {
            "without": list(self.without),
            "given": {k: (v[0] if len(v) == 1 else list(v)) for k, v in self.given},
            "closed": self.closed,
            "action": self.action.value if self.action else None,
            "max_hops": self.max_hops,
            **({"via": self.via} if self.via != "assume" else {}),
        }
