"""One hop question as a value (:class:`HopQuestion`) and what it is answered with (:data:`HopAnswer`).

A hop question is everything an answer depends on: who calls (a concrete :class:`~trustgraph.semantics.request.Caller`
or a :class:`~trustgraph.smt.symbolic.SymbolicCaller` class of outsiders), which role, which STS action, the extra
constraints on request keys, whether keys nobody mentions are absent (``closed``), the pinned analysis time and the
requested session duration. What a session carries from earlier hops (MFA, source identity, transitive tags) is part
of the caller. The solver timeout bounds how long the question may be worked on, not what is asked: it takes no part
in equality. Every function of the solve path takes the question whole instead of its parts one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from trustgraph.semantics.request import Action, Caller, Target
from trustgraph.smt.results import HopResult, KeyConstraint, Sat, Unknown, Unsat, default_timeout_ms

if TYPE_CHECKING:
    from trustgraph.smt.symbolic import SymbolicCaller

#: The answer to a :class:`HopQuestion`: :class:`Sat` with a witness request the evaluator replayed, :class:`Unsat`
#: with a core (what blocks, and where), or :class:`Unknown` with a reason (never "unreachable"). ``approximate`` on
#: each says whether the answer rests on an over-approximation.
HopAnswer = HopResult


@dataclass(frozen=True)
class HopQuestion:
    """Is there a request by ``caller`` for ``action`` on ``target`` that meets ``constraints`` and is allowed?

    Attributes
    ----------
    caller
        A concrete caller (its policies and facts fixed; its session name free when None) or a symbolic class of
        outsiders.
    target, action
        The role (with the RCPs and organization of its account) and the STS action.
    constraints
        Extra conditions on request keys (:class:`KeyConstraint`), in the order given.
    closed
        Every key neither constrained nor derived from the caller is absent.
    now_ms
        aws:CurrentTime in epoch milliseconds (the analysis time); free when None.
    duration_seconds
        The session duration the witness request asks for (None: the default).
    timeout_ms
        Per solver call (None: :func:`default_timeout_ms`); not part of the question's identity.
    """

    caller: Caller | SymbolicCaller
    target: Target
    action: Action
    constraints: tuple[KeyConstraint, ...] = ()
    closed: bool = False
    now_ms: int | None = None
    duration_seconds: int | None = None
    timeout_ms: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.constraints, tuple):
            object.__setattr__(self, "constraints", tuple(self.constraints))

    @property
    def timeout(self) -> int:
        """The solver timeout in milliseconds that applies to this question."""
        return self.timeout_ms if self.timeout_ms is not None else default_timeout_ms()

    def constrained(self, *extra: KeyConstraint) -> HopQuestion:
        """The same question with ``extra`` constraints added after its own."""
        return replace(self, constraints=(*self.constraints, *extra))


__all__ = ["HopAnswer", "HopQuestion", "KeyConstraint", "Sat", "Unknown", "Unsat"]
