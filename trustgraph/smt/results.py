"""What a hop question is answered with: :class:`Sat`, :class:`Unsat` or :class:`Unknown`, the
:class:`KeyConstraint` a question may carry, and the solver timeout."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from trustgraph.model.location import Location
from trustgraph.semantics.request import Caller, Decision, Request

DEFAULT_TIMEOUT_MS = 5000


TIMEOUT_ENV = "TRUSTGRAPH_SOLVER_TIMEOUT_MS"


def default_timeout_ms() -> int:
    """The solver timeout: ``TRUSTGRAPH_SOLVER_TIMEOUT_MS`` when set, else :data:`DEFAULT_TIMEOUT_MS`."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw:
        try:
            return max(1, int(raw))
        except ValueError:
            pass
    return DEFAULT_TIMEOUT_MS


@dataclass(frozen=True)
class KeyConstraint:
    """An extra condition on the request.

    ``absent``: the key is absent. ``equals``: the key is present with exactly these values (a multi-valued key:
    this list). ``not-like``: when present, the key matches none of these globs (e.g. trusted IdP subjects).

    Its hash is computed once, when made (the generated one's value, ``hash((key, op, values))``, so sets and dicts
    of constraints iterate as before; equality as generated): the engine's memos and the hop questions hash their
    constraints again and again (vendor-heavy: 8,678 hashes at 2,000 roles, 237,668 at 20,000). Pickled as its three
    fields (a hash of strings is per process).
    """

    key: str
    op: Literal["absent", "equals", "not-like"]
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.key, self.op, self.values)))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined, no-any-return]

    def __reduce__(self) -> tuple[Any, ...]:
        return (KeyConstraint, (self.key, self.op, self.values))

    def __str__(self) -> str:
        vals = ", ".join(repr(v) for v in self.values)
        return f"{self.key} {self.op}" + (f" [{vals}]" if self.values else "")


@dataclass(frozen=True, slots=True)
class Sat:
    """A request that gets through: the caller and request (replayed to ALLOW unless approximate) and the
    over-approximations the answer rests on (empty: exact). Slotted: a scan's engine keeps one per Sat hop
    (~180,000 at 20,000 roles of the vendor-heavy profile)."""

    caller: Caller
    request: Request
    decision: Decision
    approximations: tuple[str, ...] = ()

    @property
    def approximate(self) -> bool:
        """True when the answer rests on an over-approximation (``approximations`` says which)."""
        return bool(self.approximations)


class Unsat:
    """No request gets through. ``core`` names what blocks (conditions, constraints, caller facts); ``locations``
    are the policy places involved.

    The core may be computed lazily: a solver proof of unsatisfiability is cheap, a minimal core (one more solver
    run per assertion) is not, and most callers only ask whether a hop is open. ``explain`` is then a function
    returning ``(core, locations)``, run once, when the reason is asked for: :meth:`explained`, or reading ``core``
    or ``locations`` (both are explicit requests for the reason and may run the solver; a search never reads them),
    or pickling (an answer sent to another process takes its reason along). Comparing, hashing and printing never
    run it: an Unsat whose core is not computed yet equals only itself. Immutable like the other results.
    """

    __slots__ = ("_core", "_locations", "_explain")

    _core: tuple[str, ...] | None
    _locations: tuple[Location, ...] | None
    _explain: Callable[[], tuple[tuple[str, ...], tuple[Location, ...]]] | None

    def __init__(self, core: tuple[str, ...] = (), locations: tuple[Location, ...] = (), *,
                 explain: Callable[[], tuple[tuple[str, ...], tuple[Location, ...]]] | None = None) -> None:
        object.__setattr__(self, "_explain", explain)
        object.__setattr__(self, "_core", None if explain is not None else tuple(core))
        object.__setattr__(self, "_locations", None if explain is not None else tuple(locations))

    def _force(self) -> None:
        if self._explain is not None:
            core, locations = self._explain()
            object.__setattr__(self, "_core", tuple(core))
            object.__setattr__(self, "_locations", tuple(locations))
            object.__setattr__(self, "_explain", None)

    def explained(self) -> Unsat:
        """This answer with its core computed (runs the solver once when the core is lazy)."""
        self._force()
        return self

    @property
    def core(self) -> tuple[str, ...]:
        """What blocks, in words (computed on first read when lazy: may run the solver)."""
        self._force()
        assert self._core is not None
        return self._core

    @property
    def locations(self) -> tuple[Location, ...]:
        """The policy places involved (computed on first read when lazy)."""
        self._force()
        assert self._locations is not None
        return self._locations

    @property
    def approximate(self) -> bool:
        """Always False: an Unsat answer is a proof (an over-approximated hop can only be wrongly Sat)."""
        return False

    @property
    def core_computed(self) -> bool:
        """False while the core is still to be computed (it is computed on first read)."""
        return self._explain is None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Unsat is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Unsat):
            return NotImplemented
        if self is other:
            return True
        if self._explain is not None or other._explain is not None:
            return False  # a core not computed yet is not computed to compare (call explained() first)
        return (self._core, self._locations) == (other._core, other._locations)

    def __hash__(self) -> int:
        return hash(Unsat)  # consistent with __eq__ before and after the core is computed

    def __repr__(self) -> str:
        if self._explain is not None:
            return "Unsat(<core not computed yet>)"
        return f"Unsat(core={self._core!r}, locations={self._locations!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Unsat, (self.core, self.locations))


@dataclass(frozen=True)
class Unknown:
    """The solver could not decide (timeout, incompleteness, structure too large): never "unreachable"."""

    reason: str

    @property
    def approximate(self) -> bool:
        """Always False: an Unknown answer claims nothing."""
        return False


HopResult = Sat | Unsat | Unknown


__all__ = ["DEFAULT_TIMEOUT_MS", "HopResult", "KeyConstraint", "Sat", "TIMEOUT_ENV", "Unknown", "Unsat",
           "default_timeout_ms"]
