"""The engine's memos of decided hops, kept nested so that a hop costs no key of its own.

The engine memoises each hop's answer under ``(state, role, action, options, extra)`` (its memo, its derived answers)
and files the decided answers under ``(state, role, action, closed)``. A flat dictionary keeps one such tuple per
hop: at 20,000 roles of the vendor-heavy profile ~440,000 memo keys and ~190,000 filed-answer keys, 72-80 bytes
each (~48 MB with their entries), although a scan asks its hops under a handful of (options, extra) and its states
are a few thousand. :class:`HopMemo` keeps the same mapping as ``rest -> state -> (role, action) -> value``, where
``rest`` is what follows the action (``(options, extra)``, ``(closed,)``): one inner dictionary per (rest, state),
one ``(role, action)`` tuple per pair for every state (:attr:`HopMemo.pairs`, shared by the engine's memos), so a hop
costs its inner entry only; the tuples a caller builds to look a hop up are dropped after the lookup.

It reads and writes as the flat dictionary does (``get``, ``in``, ``[]``, ``len``, ``items``, iteration yields the
flat keys), so every reader is unchanged; the order of iteration is per rest, then per state, then per pair, each
in the order first stored (the flat dictionary's order is the order stored). Switch:
``ReachabilityEngine.nested_memos`` (False: plain dictionaries, the reference); ``tests/queries/test_hop_memo.py``
compares the memos and the searches with it on and off.

Cost: a lookup is three dictionary lookups and a slice instead of one; memory per hop: one entry of a state's
dictionary (a pair tuple per (role, action) for the whole engine, a dictionary per (rest, state)).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class HopMemo:
    """A mapping from hop keys ``(state, role, action, *rest)`` to values, nested per rest and state (see the module
    docstring)."""

    __slots__ = ("_groups", "pairs")

    def __init__(self, pairs: dict[tuple[Any, Any], tuple[Any, Any]] | None = None) -> None:
        #: rest -> state -> (role, action) -> value
        self._groups: dict[tuple[Any, ...], dict[Any, dict[tuple[Any, Any], Any]]] = {}
        #: (role, action) -> that tuple, one per pair (shared by the memos of one engine)
        self.pairs: dict[tuple[Any, Any], tuple[Any, Any]] = {} if pairs is None else pairs

    def get(self, key: tuple[Any, ...], default: Any = None) -> Any:
        """The value of ``key``, else ``default``."""
        group = self._groups.get(key[3:])
        if group is None:
            return default
        per_state = group.get(key[0])
        if per_state is None:
            return default
        return per_state.get((key[1], key[2]), default)

    def row(self, rest: tuple[Any, ...], state: Any) -> dict[tuple[Any, Any], Any] | None:
        """The live row of ``state`` under ``rest`` (``(role, action) -> value``; None: not made yet, it holds nothing).
        A caller that reads many hops of one state reads the row once (``queries/memorows.py``)."""
        group = self._groups.get(rest)
        return None if group is None else group.get(state)

    def __contains__(self, key: object) -> bool:
        assert isinstance(key, tuple)
        group = self._groups.get(key[3:])
        if group is None:
            return False
        per_state = group.get(key[0])
        return per_state is not None and (key[1], key[2]) in per_state

    def __getitem__(self, key: tuple[Any, ...]) -> Any:
        group = self._groups.get(key[3:])
        per_state = None if group is None else group.get(key[0])
        if per_state is None:
            raise KeyError(key)
        return per_state[(key[1], key[2])]

    def __setitem__(self, key: tuple[Any, ...], value: Any) -> None:
        rest = key[3:]
        group = self._groups.get(rest)
        if group is None:
            group = self._groups[rest] = {}
        state = key[0]
        per_state = group.get(state)
        if per_state is None:
            per_state = group[state] = {}
        pair = (key[1], key[2])
        per_state[self.pairs.setdefault(pair, pair)] = value

    def __len__(self) -> int:
        return sum(len(per_state) for group in self._groups.values() for per_state in group.values())

    def __bool__(self) -> bool:
        return any(per_state for group in self._groups.values() for per_state in group.values())

    def items(self) -> Iterator[tuple[tuple[Any, ...], Any]]:
        """The (flat key, value) pairs (see the module docstring for their order)."""
        for rest, group in self._groups.items():
            for state, per_state in group.items():
                for (role, action), value in per_state.items():
                    yield (state, role, action, *rest), value

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return (key for key, _ in self.items())

    def keys(self) -> Iterator[tuple[Any, ...]]:
        """The flat keys."""
        return iter(self)

    def values(self) -> Iterator[Any]:
        """The values."""
        return (value for _, value in self.items())

    def clear(self) -> None:
        """Forget every hop."""
        self._groups.clear()


__all__ = ["HopMemo"]
