"""Deciding a conjunction of named z3 assertions (:func:`check_tracked`) and finding a minimal
unsat core (:func:`core_by_deletion`): the only code that runs z3 solvers (with :mod:`trustgraph.smt.strings`, which
it asks first when the ``string_cells`` fast path is on)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from trustgraph.smt.z3lazy import z3

if TYPE_CHECKING:
    from trustgraph.smt.cache import SolvedFormulas

#: z3 resource units the preprocessing solver may spend on one question before the incremental solver takes over (a
#: deterministic budget, unlike a wall-clock one: the same question takes the same path on every machine). Questions
#: that preprocessing settles cost a few hundred units; 100,000 is tens of milliseconds of a hard regex search.
PREPROCESS_RLIMIT = 100_000


#: glibc ``mallopt`` parameters (``M_TRIM_THRESHOLD``, ``M_MMAP_THRESHOLD``) and the values :func:`fresh_context`
#: sets once per process: see :func:`_keep_heap`.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
TRIM_THRESHOLD = 64 << 20
MMAP_THRESHOLD = 32 << 20
#: the switch (tests turn it off in a process of their own to compare: the thresholds cannot be unset)
keep_heap = True
_heap_kept = False


def _keep_heap() -> None:
    """Keep freed heap for the next z3 context instead of giving it back to the kernel (glibc only; elsewhere a no-op).

    A z3 context allocates some 30 MB and frees it when dropped. Once the process has freed a large block, glibc's
    dynamic thresholds serve such allocations from the heap and trim the heap's top back to the kernel on free, so
    every context faulted its pages in again: about 10 ms of CPU per context in a scan (2 ms in a fresh process).
    Fixed thresholds (heap up to 32 MB a block, trimmed only beyond 64 MB free at the top) let each context reuse
    the pages of the last. Where memory comes from changes no answer: z3 numbers terms by their own ids, not by
    addresses (``tests/smt/test_decide_determinism.py`` runs the same questions with and without it)."""
    global _heap_kept
    if _heap_kept or not keep_heap:
        return
    _heap_kept = True
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def fresh_context() -> Any:
    """A z3 context of its own for one question, dropped with it.

    z3's answers are functions of the question *and of the context's history*: every term lives in a context that
    numbers it when it is first made (equal terms share the number while one is alive, a freed number is reused), and
    the solvers and tactics order their case splits and pick model values by those numbers. In a context that
    outlived earlier questions, the same question could get another model depending on which questions came before
    and on when the garbage collector freed their terms: a witness then depended on the order the roles were checked
    in, on ``--jobs`` and on the collector's thresholds. In a fresh context the numbers are given by the question's own
    terms, in the order :func:`check_tracked` copies them in, so every run, process and order gets the same model
    (``tests/smt/test_decide_determinism.py``). A context takes about 2 ms of CPU to make (with the heap kept:
    :func:`_keep_heap`), against the milliseconds to seconds of the question it decides; most hops never reach z3 (a
    whole scan of vendor-heavy-2k makes 50)."""
    _keep_heap()
    return z3.Context()


def _preprocessing_solver(ctx: Any, timeout: int) -> Any:
    """A solver that simplifies, propagates values and eliminates variables defined by equations before the SMT
    core runs. Every tracked assertion of a hop is asserted as a fact here, so an equation such as
    ``v|token...:sub = "repo:org/app:ref:refs/heads/main"`` (a StringEquals condition) substitutes the literal into
    the regular-expression memberships of the other conditions, which then fold to constants: questions that take
    the incremental solver (assertions tracked by assumption literals, which block this preprocessing) hundreds of
    milliseconds take about one here."""
    solver = z3.Then("simplify", "propagate-values", "solve-eqs", "smt", ctx=ctx).solver()
    solver.set("timeout", timeout)
    solver.set("rlimit", PREPROCESS_RLIMIT)
    return solver


def check_tracked(assertions: Sequence[tuple[str, Any]], timeout: int, *, core: bool = False,
                  strings: bool = False, solved: SolvedFormulas | None = None
                  ) -> tuple[Any, Any, list[str] | None, str]:
    """Decide the conjunction of named z3 assertions.

    Returns ``(result, model, core, reason)``: the z3 result (sat, unsat or unknown), a model when sat (in z3's main
    context, where the assertions were built), the names of an unsat core when unsat (a minimal one: no assertion of
    it can be left out), and the reason when unknown. Unless ``core`` is True the minimal core is not computed when it
    would cost more solver runs: the core is then None (:func:`core_by_deletion` computes it later, from the same
    assertions).

    Every solver runs in a context made for this call (:func:`fresh_context`), into which the assertions are copied
    in their order: the answer, model included, is a function of the assertions alone.

    The conjunction is decided by a preprocessing solver (:func:`_preprocessing_solver`); the core is found by
    deletion with the same solver (each assertion is dropped in turn and kept out when the rest is still unsat; an
    undecided trial keeps it in, so the core is always unsat). When the preprocessing solver cannot decide within
    :data:`PREPROCESS_RLIMIT`, the incremental solver with assumption-tracked assertions answers instead, with the
    whole timeout; its unsat core is found by deletion too (z3's own core of the tracked assertions is not minimal,
    and an answer's reasons must not depend on which solver decided it).

    ``strings`` (the ``string_cells`` fast path): when the preprocessing solver cannot decide, the string variables
    that only meet regular expressions are decided by :func:`trustgraph.smt.strings.decide` (our automata, z3 on the
    Boolean abstraction) before the incremental solver is tried; when it does not apply or cannot decide, the
    incremental solver answers as without it.

    ``solved`` (the ``solved_formulas`` fast path): a conjunction of the same formulas, in the same order and with the
    same settings, decided before without reading the assertions' names (not by the incremental solver) is answered
    from there: the same result, a copy of the same model, the core's names at the same positions. The answer is
    kept there when it did not read the names.
    """
    key = _formulas_key(assertions, timeout, core, strings) if solved is not None else None
    if key is not None:
        assert solved is not None
        hit = solved.get(key)
        if hit is not None:
            _, res, model, positions = hit
            if res == z3.sat:
                return z3.sat, model.translate(z3.main_ctx()), [], ""
            return z3.unsat, None, None if positions is None else [assertions[i][0] for i in positions], ""
    out, by_name = _check_tracked(assertions, timeout, core=core, strings=strings)
    if key is not None and not by_name and out[0] in (z3.sat, z3.unsat):
        assert solved is not None
        res, model, names, _ = out
        kept = model.translate(z3.main_ctx()) if res == z3.sat else None  # a copy no reader of ``out`` touches
        at = {name: i for i, (name, _) in enumerate(assertions)}
        positions = None if res == z3.sat or names is None else tuple(at[n] for n in names)
        solved.put(key, (tuple(f for _, f in assertions), res, kept, positions))
    return out


def _formulas_key(assertions: Sequence[tuple[str, Any]], timeout: int, core: bool, strings: bool
                  ) -> tuple[Any, ...] | None:
    """The key of a conjunction in :class:`~trustgraph.smt.cache.SolvedFormulas`: its formulas' ids (z3 shares
    equal terms) with the call's settings; None when a formula is not in z3's main context or two assertions share
    a name (a core's names would not give back its positions)."""
    main = z3.main_ctx()
    if any(f.ctx is not main for _, f in assertions) or len({n for n, _ in assertions}) != len(assertions):
        return None
    return (tuple(f.get_id() for _, f in assertions), timeout, core, strings)


def _check_tracked(assertions: Sequence[tuple[str, Any]], timeout: int, *, core: bool, strings: bool
                   ) -> tuple[tuple[Any, Any, list[str] | None, str], bool]:
    """:func:`check_tracked` without the store, and whether the answer read the assertions' names (the incremental
    solver tracks each assertion by a literal of its name)."""
    from trustgraph.smt.strings import decide as decide_strings  # with z3 only (trustgraph.smt.z3lazy)

    ctx = fresh_context()
    moved = [f.translate(ctx) for _, f in assertions]
    fast = _preprocessing_solver(ctx, timeout)
    fast.add(moved)
    res = fast.check()
    if res == z3.sat:
        return (z3.sat, fast.model().translate(z3.main_ctx()), [], ""), False
    if res == z3.unsat:
        if not core:
            return (z3.unsat, None, None, ""), False
        return (z3.unsat, None, _deletion_core(ctx, [(n, f) for (n, _), f in zip(assertions, moved, strict=True)],
                                               timeout), ""), False
    if strings:
        decided = decide_strings([f for _, f in assertions], timeout, into=ctx, moved=moved)
        if decided is not None:
            res, model = decided
            if res == z3.sat:
                return (z3.sat, model.translate(z3.main_ctx()), [], ""), False
            return (z3.unsat, None, core_by_deletion(assertions, timeout, strings=True) if core else None, ""), False
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout)
    for (name, _), f in zip(assertions, moved, strict=True):
        solver.assert_and_track(f, z3.Bool(name, ctx))
    res = solver.check()
    if res == z3.sat:
        return (res, solver.model().translate(z3.main_ctx()), [], ""), True
    if res == z3.unsat:
        return (res, None, core_by_deletion(assertions, timeout, strings=strings) if core else None, ""), True
    return (res, None, [], solver.reason_unknown()), True


def core_by_deletion(assertions: Sequence[tuple[str, Any]], timeout: int, *, strings: bool = False,
                     solved: SolvedFormulas | None = None, guided: bool = False) -> list[str]:
    """A minimal unsat core of named assertions whose conjunction is known to be unsat (see :func:`check_tracked`;
    ``strings``: each trial is decided through :func:`trustgraph.smt.strings.decide` first), in a context of its own
    (:func:`fresh_context`).

    ``solved`` (the ``solved_cores`` fast path): the core of a conjunction of the same formulas, in the same order and
    with the same settings, found before in the session is answered from there, as the names of this call's
    assertions at the same positions. The deletion reads the formulas alone, never the names (each trial is a new
    solver over the formulas kept so far, in a context made for the call), so the positions it keeps are a function
    of the formulas and settings: roles alike whose dead statements differ only in where they are (or in an account
    id no formula holds) ask for the same core, one deletion pass (one z3 run per assertion) for all of them.

    ``guided`` (the ``guided_cores`` fast path): the same deletion, in the same order, with the trials whose answer an
    unsat core z3 already proved gives skipped (:func:`_guided_deletion`)."""
    key = _formulas_key(assertions, timeout, True, strings) if solved is not None else None
    if key is not None:
        assert solved is not None
        key = ("core", *key)
        hit = solved.get(key)
        if hit is not None:
            return [assertions[i][0] for i in hit[1]]
    names = _core_by_deletion(assertions, timeout, strings=strings, guided=guided)
    if key is not None:
        assert solved is not None
        at = {name: i for i, (name, _) in enumerate(assertions)}
        solved.put(key, (tuple(f for _, f in assertions), tuple(at[n] for n in names)))
    return names


def _core_by_deletion(assertions: Sequence[tuple[str, Any]], timeout: int, *, strings: bool,
                      guided: bool = False) -> list[str]:
    """:func:`core_by_deletion` without the store."""
    from trustgraph.smt.strings import decide as decide_strings

    ctx = fresh_context()
    moved = [(n, f.translate(ctx)) for n, f in assertions]
    if strings:
        def unsat(trial: list[int]) -> bool:
            still = _preprocessing_solver(ctx, timeout)
            still.add([moved[j][1] for j in trial])
            res = still.check()
            if res == z3.unknown:
                decided = decide_strings([assertions[j][1] for j in trial], timeout, into=ctx,
                                         moved=[moved[j][1] for j in trial])
                res = decided[0] if decided is not None else z3.unknown
            return bool(res == z3.unsat)

        keep = (_guided_deletion(ctx, [f for _, f in moved], timeout, unsat) if guided
                else _deletion(len(assertions), unsat))
        return [assertions[j][0] for j in keep]
    return _deletion_core(ctx, moved, timeout, guided=guided)


def _deletion(n: int, unsat: Callable[[list[int]], bool]) -> list[int]:
    """The positions a deletion pass over ``n`` assertions keeps: each in turn is left out when the rest kept so far is
    still unsat (``unsat``: a z3 run; an undecided trial keeps the assertion in, so the core is always unsat)."""
    keep = list(range(n))
    for i in range(n):
        trial = [j for j in keep if j != i]
        if unsat(trial):
            keep = trial
    return keep


def _guided_deletion(ctx: Any, formulas: Sequence[Any], timeout: int, unsat: Callable[[list[int]], bool]
                     ) -> list[int]:
    """:func:`_deletion` with fewer z3 runs: the positions it keeps, the same trials in the same order.

    A hint is kept: positions whose conjunction z3 proved unsat (:func:`_assumed_core`, an incremental solver's own
    unsat core, found for the whole conjunction and again after each trial that drops an assertion). While the hint
    lies within the positions kept, the trial leaving out an assertion outside it keeps the hint, so it is unsat (a
    conjunction with an unsat part is unsat) and the assertion is dropped without a run; only an assertion of the hint
    is tried with ``unsat``, the reference's own trial, whose answer is the reference's. A deletion pass keeps every
    assertion it cannot drop (a core of k of n assertions: k trials that stay sat), so it takes some k + 1 trials
    and k + 1 incremental runs instead of n trials.

    The one case where the positions differ: a skipped trial that ``unsat`` would have left undecided (its
    resource limit or timeout reached on a conjunction that is unsat), whose assertion the reference keeps; here it
    is dropped, and the core is still unsat. When z3 cannot find a hint within :data:`PREPROCESS_RLIMIT` the trials
    run as in the reference until the next one that drops an assertion."""
    keep = list(range(len(formulas)))
    hint = _assumed_core(ctx, formulas, keep, timeout)
    for i in range(len(formulas)):
        trial = [j for j in keep if j != i]
        if hint is not None and i not in hint:
            keep = trial  # the hint lies within the trial: unsat
            continue
        if unsat(trial):
            keep = trial
            hint = _assumed_core(ctx, formulas, trial, timeout)
    return keep


def _assumed_core(ctx: Any, formulas: Sequence[Any], positions: list[int], timeout: int) -> frozenset[int] | None:
    """Positions among ``positions`` whose conjunction z3 proves unsat: the unsat core of an incremental solver that
    tracks each formula by an assumption literal, within :data:`PREPROCESS_RLIMIT` (not minimal; None when z3 does
    not answer unsat within the limit)."""
    solver = z3.Solver(ctx=ctx)
    solver.set("timeout", timeout)
    solver.set("rlimit", PREPROCESS_RLIMIT)
    literals = [z3.Bool(f"core|assumed|{j}", ctx) for j in positions]
    for literal, j in zip(literals, positions, strict=True):
        solver.add(z3.Implies(literal, formulas[j]))
    if solver.check(*literals) != z3.unsat:
        return None
    at = {literal.get_id(): j for literal, j in zip(literals, positions, strict=True)}
    return frozenset(at[b.get_id()] for b in solver.unsat_core())


def _deletion_core(ctx: Any, assertions: Sequence[tuple[str, Any]], timeout: int, *, guided: bool = False
                   ) -> list[str]:
    def unsat(trial: list[int]) -> bool:
        solver = _preprocessing_solver(ctx, timeout)
        solver.add([assertions[j][1] for j in trial])
        return bool(solver.check() == z3.unsat)

    keep = (_guided_deletion(ctx, [f for _, f in assertions], timeout, unsat) if guided
            else _deletion(len(assertions), unsat))
    return [assertions[j][0] for j in keep]


__all__ = ["PREPROCESS_RLIMIT", "check_tracked", "core_by_deletion", "fresh_context"]
