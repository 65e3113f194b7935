"""Methods of an engine handed to its helpers without the helpers owning the engine.

:class:`~trustgraph.queries.engine.ReachabilityEngine` owns helpers that call back into it: the candidate lists
(:class:`~trustgraph.queries.candidates.HopCandidates`) read a member's caller, the witness maker
(:class:`~trustgraph.queries.witnesses.WitnessMaker`) a role's target. A bound method owns its instance, so handing
them ``engine.caller`` made engine -> helper -> method -> engine a reference cycle: a dropped
:class:`~trustgraph.api.TrustGraph` left its engine, graph and estate (tens of MB at 2,000 roles) to a full garbage
collection, which is rare in a process with millions of long-lived objects (a notebook that loads repeatedly, the
bench's cold engines). :func:`unowned` is the method's function with a weak reference to its instance: the helper
calls the engine while the engine lives, and the engine dies by reference counting.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any


def unowned(method: Callable[..., Any]) -> Callable[..., Any]:
    """A callable that calls the bound ``method`` without keeping its instance alive; called after the instance died
    it raises :class:`ReferenceError` (a helper used without its engine).

    Examples
    --------
    >>> class Engine:
    ...     def double(self, x: int) -> int:
    ...         return 2 * x
    >>> engine = Engine()
    >>> double = unowned(engine.double)
    >>> double(21)
    42
    >>> del engine
    >>> double(1)
    Traceback (most recent call last):
    ...
    ReferenceError: the engine of this helper was freed
    """
    function = method.__func__  # type: ignore[attr-defined]
    instance = weakref.ref(method.__self__)  # type: ignore[attr-defined]

    def call(*args: Any) -> Any:
        owner = instance()
        if owner is None:
            raise ReferenceError("the engine of this helper was freed")
        return function(owner, *args)

    call.__qualname__ = call.__name__ = f"unowned({function.__qualname__})"
    call.__doc__ = function.__doc__
    return call


__all__ = ["unowned"]
