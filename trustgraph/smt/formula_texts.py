"""z3's text of formulas, kept per formula for a session (:class:`FormulaTexts`, the ``formula_texts`` fast path of
``smt.principal_gate.renamed_key``). A module of its own so that the session can hold one without importing the
gate (and z3 stays unloaded until a question needs it: ``smt.z3lazy``)."""

from __future__ import annotations

from typing import Any

from trustgraph.smt.z3lazy import z3


def sexpr(formula: Any) -> str:
    """z3's text of ``formula`` (the reference spelling of :func:`~trustgraph.smt.principal_gate.renamed_key`)."""
    return str(formula.sexpr())


class FormulaTexts:
    """z3's text of each formula a small problem of the principal gate spelled, by the formula's id in z3's main
    context (the ``formula_texts`` fast path, ``SolverOptions.formula_texts``).

    :func:`~trustgraph.smt.principal_gate.renamed_key` spells every assertion of a small problem, and the same few
    formulas (a candidate's own axioms, a condition's term) come back for every condition and candidate of the same
    shape: z3's printer took some 0.4 s of CPU for 1,100 spellings of 59 formulas on condition-heavy-2k. A formula's
    text is a function of the formula; its id names it while it is alive, and each entry keeps its formula alive, so
    an id here is never reused for another formula. A formula of another context is spelled afresh (its id numbers
    another context)."""

    __slots__ = ("_texts", "bound")

    def __init__(self, bound: int = 4096) -> None:
        #: the most texts kept (condition-heavy-2k spells 59 formulas); past it a new formula is spelled every time
        self.bound = bound
        self._texts: dict[int, tuple[Any, str]] = {}

    def text(self, formula: Any) -> str:
        """z3's text of ``formula`` (:func:`sexpr`), spelled once per formula of the main context."""
        if formula.ctx is not z3.main_ctx():
            return sexpr(formula)
        ident = formula.get_id()
        kept = self._texts.get(ident)
        if kept is None:
            kept = (formula, sexpr(formula))
            if len(self._texts) < self.bound:
                self._texts[ident] = kept
        return kept[1]

    def clear(self) -> None:
        """Forget every text (and let go of the formulas)."""
        self._texts.clear()

    def __len__(self) -> int:
        return len(self._texts)


__all__ = ["FormulaTexts", "sexpr"]
