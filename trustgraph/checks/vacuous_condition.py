"""``vacuous-condition``: a condition of an Allow trust statement that can never restrict who gets in.

Cost: at most three hop questions per condition of an Allow trust statement (one when the evaluator's absent-key rules
settle the others): O(C) for C conditions, asked once per distinct (statement, role facts) pair that restricts every
caller (:func:`trustgraph.checks.base.alone_key`: roles alike share the verdict; a finding is always computed for its
own role). Most statements cost no hop question at all: when every condition is a plain string condition on a key the
caller chooses (an external id, a token claim, a SAML attribute, aws:SourceAccount) or requires MFA, one evaluation
per caller class shows the statement live (:func:`trustgraph.checks.base.statement_witnesses`) and one evaluation per
condition and class shows the condition restricts (the witness with another value, or without MFA, gets in once the
condition is dropped); such a statement has no finding, so O(C x K) evaluations for K caller classes replace its
1 + C hop questions. Any other statement, and every statement with a finding, is asked as before (its witnesses are
the solver's). A statement's own question (question 2 for conditions false without their key) is one hop question
per caller class, shared with dead-trust-statement. For a condition false without its key, question 3 is first tried
on the solver's witness of question 2 changed in the condition's key alone (another value of a caller-chosen string,
Bool, Numeric or IP request key; for any AWS principal, another organization, MFA age or principal tag:
:mod:`trustgraph.checks.variants`): one evaluation instead of a hop question whose candidates (up to a dozen for an
AWS principal) the solver would otherwise encode, so on statements with many conditions of mixed kinds most
conditions cost O(1) evaluations and only the answers with a finding (or an Unsat) go to the solver. The statement's
own question is asked only when its answer is read (``SolverOptions.lazy_liveness``,
:meth:`VacuousCondition._statement_lazily`): the conditions that may hold without their key are asked first, and a
Sat answer of theirs shows the class live and starts question 3's tries; on condition-heavy-2k this leaves 465 of the
887 statement questions unasked (z3 runs per scan 507 -> 473). Question 3 of a condition that the statement's
other parts imply for any AWS principal (aws:PrincipalAccount of the accounts it names, aws:PrincipalOrgID of the
organization its aws:PrincipalOrgPaths patterns start with: :func:`implied_condition`, ``SolverOptions.
implied_conditions``) is Unsat without z3, and a GitHub Actions class whose repository and sub conditions name
different repositories (:func:`claims_disagree`, ``SolverOptions.dead_claims``) has the statement's own question
asked before question 1, whose Unsat answer ends it: z3 runs per scan 473 -> 434. The Sat answers whose witnesses
the findings print (question 1's for "absent" findings, the statement's own for "every value" ones) are first guessed
for an outsider renamed after the statement's aws:PrincipalArn patterns (``smt.concrete_first.arn_templates``, switch
:class:`~trustgraph.checks.base.ArnWitnesses`): the plain guesses keep the template's name, which such a pattern
rejects, so on condition-heavy-2k 233 of the 294 candidate encodings z3 solved were these; with them 61 remain (the
same verdicts, other witnesses: scan CPU 7.9-8.6 s -> 5.1-5.4 s; condition-heavy-20k 89 -> 54 s). Question 3 is
asked with the same guesses: only its verdict is read (a Sat answer means the condition restricts; its witness is
never printed), so nothing the report shows changes, and on condition-heavy-20k 60 of its 97 z3 runs (Sat, a role
session the statement's aws:PrincipalArn patterns name) are spared (2 of 6 at 2,000 roles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any

from trustgraph.checks.base import (
    ArnWitnesses,
    BaseCheck,
    CallerClass,
    alone_key,
    claims_disagree,
    deny_like,
    hop_path,
    is_assume_grant,
    is_sat,
    is_unknown,
    statement_alone,
    statement_witnesses,
    target_with,
    trust_statements,
    unknown_reason,
    without_condition,
)
from trustgraph.checks.context import ScanContext
from trustgraph.checks.exact import (
    false_when_absent,
    mfa_dropped_admitted,
    other_value_admitted,
    shortcuts_enabled,
    true_when_present,
)
from trustgraph.checks.finding import Finding, Severity
from trustgraph.checks.variants import variant_admitted
from trustgraph.model.condition import Operator
from trustgraph.model.policy import Statement

if TYPE_CHECKING:
    from trustgraph.semantics.request import Target

#: keys the caller cannot choose and the analysis pins to its own time
CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})


class Verdict(Enum):
    """The answer for one condition and one caller class."""

    ABSENT = "absent"  # holds with the key absent, and the caller may omit the key
    EVERY_VALUE = "every-value"  # holds for every value the caller can send (or is implied by the principal match)
    RESTRICTS = "restricts"
    UNKNOWN = "unknown"


class VacuousCondition(BaseCheck):
    """Per condition C on key k of an Allow trust statement S, per caller class S names (only classes for which S
    alone is satisfiable or undecided), three solver questions on a trust policy holding only S:

    1. S with k absent is satisfiable: C holds when k is absent and such callers may omit k (IfExists,
       ForAllValues, negated operators);
    2. S with k present is satisfiable, and
    3. no request with k present satisfies S without C while C is false (asked with S minus C plus two Deny
       statements with S's principals: one when C holds, one when k is absent). Unsat: C holds for every value k can
       take for those callers, which includes conditions implied by the principal match.

    Null conditions only ask for presence or absence and are never reported. When the evaluator makes C false for
    every request without k (:func:`trustgraph.checks.exact.false_when_absent`), every request S allows has k:
    question 1 is Unsat and question 2 is "S alone is satisfiable", already answered for the class, so only question 3
    goes to the solver; for a condition on a key the caller chooses (an external id, a token claim, a SAML attribute)
    it is first tried on the witness of question 2 with another value of the key
    (:func:`trustgraph.checks.exact.other_value_admitted`: allowed, the condition restricts); a ``StringLike "*"``
    condition holds for every value (:func:`trustgraph.checks.exact.true_when_present`: question 3 is Unsat).

    A class whose "S alone" answer is Unknown may be live, so it is not skipped (every "no" is a proof): questions 1
    and 2 decide as for any class (a Sat answer is a request that gets in; both Unsat, no request of the class does);
    for C false without k, question 2 is that Unknown answer, and question 3 is asked without a witness: Sat proves C
    restricts, anything else is an Unknown finding for C (one per condition, as the check's other Unknown answers;
    tests/checks/test_vacuous_unknown_alone.py)."""

    #: switch of :func:`_restricts_plainly` (off: every statement goes to :meth:`_restricts_by_evaluation`, then to
    #: the solver; tests/checks/test_statement_shortcuts.py compares the findings both ways)
    plain_rule = True
    #: switch of :class:`_Targets` keeping each question's target and Deny statements for every class of a statement
    #: (off: :meth:`_decide_lazily` makes them for each class and condition, as before; tests/checks/
    #: test_vacuous_targets.py compares the findings both ways)
    shared_targets = True

    id = "vacuous-condition"
    title = "A trust condition that never restricts who gets in"
    severity = Severity.MEDIUM
    severity_rule = "Medium."
    rationale = (
        "The condition looks like a guard but the solver proved it admits every caller the statement names: "
        "StringLike \"*\" on sts:ExternalId only asks for any id; ...IfExists on a key the caller chooses to omit "
        "(sts:ExternalId, aws:MultiFactorAuthPresent for long-term keys) is satisfied by omitting it; ForAllValues "
        "on a key that may be absent (aws:PrincipalOrgID of an account in no organization) is vacuously true; a "
        "condition implied by the principal (Principal B:root with aws:PrincipalAccount = B) adds nothing. The "
        "role is wider open than its author believes."
    )
    remediation = (
        "Use the strict form of the condition: StringEquals with the exact value (not StringLike \"*\"), no "
        "IfExists suffix on keys the caller controls, ForAnyValue or a plain operator for single-valued keys (or "
        "pair ForAllValues with \"Null\": {\"<key>\": \"false\"}); remove conditions the principal already implies, "
        "or replace them with the restriction that was intended."
    )

    def run(self, ctx: ScanContext) -> Iterator[Finding]:
        quiet: set[tuple[Any, ...]] = ctx.once(("vacuous-condition", "quiet"), set)
        for role in ctx.roles:
            for index, st in trust_statements(ctx, role):
                if not is_assume_grant(st) or not st.conditions:
                    continue
                key = alone_key(ctx, role, st) if shortcuts_enabled() else None
                if key is not None and key in quiet:
                    continue  # the same statement of a role alike restricts every caller: so does this one
                found = list(self._statement(ctx, role, index, st))
                if not found and key is not None:
                    quiet.add(key)
                yield from found

    def _statement(self, ctx: ScanContext, role: str, index: int, st: Statement) -> Iterator[Finding]:
        """The findings on trust statement ``index`` (``st``) of ``role``: per condition and live caller class,
        the verdict of :meth:`_decide`; none without a hop question when :meth:`_restricts_by_evaluation` shows
        every condition restricts."""
        if shortcuts_enabled() and ((self.plain_rule and _restricts_plainly(ctx, role, st))
                                    or self._restricts_by_evaluation(ctx, role, index, st)):
            return
        if ctx.engine.session.options.lazy_liveness:
            yield from self._statement_lazily(ctx, role, index, st)
            return
        answers, _ = statement_alone(ctx, role, index, st)
        alive = [(c, a) for c, a in answers if is_sat(a) or is_unknown(a)]  # Unknown: may be live (see _decide)
        for j, cond in enumerate(st.conditions):
            if cond.operator in (Operator.NULL, Operator.UNKNOWN) or cond.key in CLOCK_KEYS:
                continue  # a time bound restricts *when*, not who: true today, it still expires access
            for c, alone in alive:
                verdict, witness = self._decide(ctx, role, st, j, c, alone)
                if verdict is Verdict.RESTRICTS:
                    continue
                yield from self._report(ctx, role, st, cond, c, verdict, witness)
                break

    def _statement_lazily(self, ctx: ScanContext, role: str, index: int, st: Statement) -> Iterator[Finding]:
        """:meth:`_statement` with the statement's own question (:func:`statement_alone`) asked only when its answer
        is read (switch ``SolverOptions.lazy_liveness``): the findings are the same, in the same order.

        The reference asks it first for every class, and reads the answers twice: a class with an Unsat answer has no
        verdict (an Unknown one is decided by the other questions or reported Unknown: see the class docstring), and
        for a condition false without its key the Sat answer is question 2's (the witness an every-value finding
        renders, and the request :meth:`_decide`'s counterexample tries start from). Here a
        class is asked about a condition at once (:class:`_Liveness`): a Sat answer to its question 1 or 2 is a
        request that gets in under the statement alone, so the class is live (the statement's own question is Sat
        too: it is the same question with fewer requirements); an Unsat question 2 after an Unsat question 1 means
        no request of the class gets in (every request has the key or lacks it), the verdict the reference reaches
        for a class that is not live either way. Only an Unknown answer, a condition false without its key on a
        class with no Sat answer yet, and an every-value finding (which renders the solver's own answer) ask the
        statement's question, as the reference does. The counterexample tries of question 3 may start from another
        request that gets in (:func:`other_value_admitted` and :func:`variant_admitted` are evaluations: a request
        they show allowed makes question 3 Sat whichever request they start from); when they fail, question 3 goes
        to the solver, and only an answer other than Sat sends the reference's start request to them again (an
        Unknown statement answer there is the reference's Unknown finding). With the statement's answer Unknown and no
        other Sat answer, question 3 goes to the solver without tries, as the reference asks it. One difference
        remains, on Unknown answers only: a try from another request that shows the condition restricts is taken
        where the reference, with no such request, gets question 3's answer from the solver (Sat unless it too is
        Unknown)."""
        live = _Liveness(ctx, role, index, st)
        targets = _Targets(ctx, role, st) if self.shared_targets else None
        variables = ctx.estate.role_by_arn[role].trust_policy.variables_enabled
        asked = [j for j, cond in enumerate(st.conditions)
                 if cond.operator not in (Operator.NULL, Operator.UNKNOWN) and cond.key not in CLOCK_KEYS]
        # the conditions that may hold without their key first: their questions' Sat answers show classes live
        order = sorted(asked, key=lambda j: false_when_absent(st.conditions[j], variables=variables))
        found: dict[int, list[Finding]] = {}
        for j in order:
            cond = st.conditions[j]
            for i, c in enumerate(live.classes):
                if live.dead(i):
                    continue
                verdict, witness = self._decide_lazily(ctx, role, st, j, c, live, i, targets)
                if verdict is Verdict.RESTRICTS:
                    continue
                found[j] = list(self._report(ctx, role, st, cond, c, verdict, witness))
                break
        for j in asked:  # in the reference's order
            yield from found.get(j, ())

    def _report(self, ctx: ScanContext, role: str, st: Statement, cond: Any, c: CallerClass, verdict: Verdict,
                witness: object) -> Iterator[Finding]:
        """The finding of a verdict other than RESTRICTS: an Unknown, or the condition that never restricts."""
        if verdict is Verdict.UNKNOWN:
            yield self.unknown(role=role, source="-", reason=str(witness), statements=(cond.location, st.location))
            return
        why = (f"it holds when {cond.key_text} is absent, and {_who(c)} can omit {cond.key_text}"
               if verdict is Verdict.ABSENT else
               f"it holds for every value of {cond.key_text} that {_who(c)} can send")
        label = "*" if c.label == "aws" else c.label
        path = hop_path(ctx, label, role, c.action, witness) if witness is not None else ()
        yield self.finding(
            role=role, source="-", statements=(cond.location, st.location), path=path,
            message=f"Condition `{cond}` of trust statement {st.label} never restricts who gets "
                    f"in: {why}.")

    @staticmethod
    def _decide_lazily(ctx: ScanContext, role: str, st: Statement, j: int, c: CallerClass, live: _Liveness,
                       i: int, targets: _Targets | None = None) -> tuple[Verdict, object]:
        """:meth:`_decide` for class ``i`` whose liveness ``live`` may not know yet (see :meth:`_statement_lazily`);
        RESTRICTS also for a class found not live (no finding either way). ``targets``: the statement's question
        targets, made once for every class (:class:`_Targets`); None: made here."""
        from trustgraph.smt.solve import KeyConstraint

        cond = st.conditions[j]
        variables = ctx.estate.role_by_arn[role].trust_policy.variables_enabled
        present = targets.present(j) if targets is not None else deny_like(
            st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
        with_key: object
        if false_when_absent(cond, variables=variables):
            start = live.witness(i)
            if start is None and not is_unknown(live.alone(i)):
                return Verdict.RESTRICTS, None  # the statement's own answer is Unsat: no verdict
            if true_when_present(cond):
                own = live.alone(i)  # the reference renders the statement's own answer
                return (Verdict.UNKNOWN, unknown_reason(own)) if is_unknown(own) else (Verdict.EVERY_VALUE, own)
            with_key = start  # None: the statement's own answer is Unknown, question 3 alone may decide
        else:
            if ctx.engine.session.options.dead_claims and claims_disagree(st, c):
                own = live.alone(i)  # asked first: the statement's claims admit no token of the provider
                if not is_sat(own) and not is_unknown(own):
                    return Verdict.RESTRICTS, None  # Unsat: question 1 (more requirements) is Unsat or Unknown, and
                    # either way the class is not live (the reference's verdict)
            absent = ctx.solve_hop(c.caller, targets.alone() if targets is not None else target_with(ctx, role, (st,)),
                                   c.action, (KeyConstraint(cond.key, "absent"),),
                                   arn_guesses=ArnWitnesses.enabled)
            if is_sat(absent):
                live.found(i, absent)
                return Verdict.ABSENT, absent
            if not live.alive(i) and not is_unknown(live.alone(i)):
                return Verdict.RESTRICTS, None  # no Sat answer shows the class live, and the statement's is Unsat
            if is_unknown(absent):
                return Verdict.UNKNOWN, unknown_reason(absent)
            with_key = ctx.solve_hop(c.caller, targets.with_key(j) if targets is not None
                                     else target_with(ctx, role, (st, present)), c.action)
            if is_unknown(with_key):
                return Verdict.UNKNOWN, unknown_reason(with_key)
            if not is_sat(with_key):
                return Verdict.RESTRICTS, None  # the statement needs k absent, or no request gets in at all
            live.found(i, with_key)
            if true_when_present(cond):
                return Verdict.EVERY_VALUE, with_key
        if targets is not None:
            question = targets.question(j)
        else:
            negation = deny_like(st, {cond.operator_text: {cond.key_text: list(cond.values)}}, "condition-holds")
            question = target_with(ctx, role, (without_condition(st, j), negation, present))
        orgs: frozenset[str] = getattr(c.caller, "excluded_orgs", frozenset())
        multi = ctx.engine.session.options.multi_value_variants
        arns = ctx.engine.session.options.principal_arn_variants
        tags = ctx.engine.session.options.tag_key_variants

        def admitted(w: object) -> bool:
            return other_value_admitted(st, j, w, question, variables=variables, multi_values=multi) or (
                variant_admitted(st, j, c.label, w, question, variables=variables, excluded_orgs=orgs,
                                 outsider=c.caller, principal_arns=arns, tag_keys=tags))

        if with_key is not None and admitted(with_key):
            return Verdict.RESTRICTS, None
        counter = _question_three(ctx, st, j, c, question)
        if is_sat(counter):
            return Verdict.RESTRICTS, None
        if false_when_absent(cond, variables=variables):
            with_key = live.alone(i)  # the reference's start request, and the witness an every-value finding renders
            if is_unknown(with_key):
                return Verdict.UNKNOWN, unknown_reason(with_key)  # the class may be live: the reference's verdict
            if not is_sat(with_key):
                return Verdict.RESTRICTS, None
            if with_key is not None and admitted(with_key):
                return Verdict.RESTRICTS, None
        if is_unknown(counter):
            return Verdict.UNKNOWN, unknown_reason(counter)
        return Verdict.EVERY_VALUE, with_key

    @staticmethod
    def _restricts_by_evaluation(ctx: ScanContext, role: str, index: int, st: Statement) -> bool:
        """True when the evaluator shows that every condition :meth:`_statement` asks about restricts every caller
        class ``st`` names: each class has a witness that gets in under ``st`` alone
        (:func:`~trustgraph.checks.base.statement_witnesses`: the class is live, question 2 is Sat) and, for each
        condition, false without its key (question 1 Unsat), that witness with another value of the key gets in
        without the condition (:func:`~trustgraph.checks.exact.other_value_admitted`), or for an MFA condition
        the same request without MFA does (:func:`~trustgraph.checks.exact.mfa_dropped_admitted`): question 3 is
        Sat. Those are the verdicts :meth:`_decide` reaches with the solver's witnesses (a counterexample exists,
        so the solver's question 3 is Sat too), so the statement has no finding either way; False sends it to the
        solver."""
        witnesses = statement_witnesses(ctx, role, index, st)
        if not witnesses or any(w is None for _, w in witnesses):
            return False
        variables = ctx.estate.role_by_arn[role].trust_policy.variables_enabled
        for j, cond in enumerate(st.conditions):
            if cond.operator in (Operator.NULL, Operator.UNKNOWN) or cond.key in CLOCK_KEYS:
                continue
            if not false_when_absent(cond, variables=variables) or true_when_present(cond):
                return False
            present = deny_like(st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
            negation = deny_like(st, {cond.operator_text: {cond.key_text: list(cond.values)}}, "condition-holds")
            question = target_with(ctx, role, (without_condition(st, j), negation, present))
            for c, w in witnesses:
                if not (other_value_admitted(st, j, w, question, variables=variables)
                        or mfa_dropped_admitted(st, j, c.label, w, question)):
                    return False
        return True

    @staticmethod
    def _decide(ctx: ScanContext, role: str, st: Statement, j: int, c: CallerClass,
                alone: object) -> tuple[Verdict, object]:
        from trustgraph.smt.solve import KeyConstraint

        cond = st.conditions[j]
        variables = ctx.estate.role_by_arn[role].trust_policy.variables_enabled
        # the questions' targets are made where they are asked (most verdicts need one question or none)
        with_key: object
        present: Statement | None = None
        undecided = False  # the statement's own answer is Unknown and only question 3 may still decide
        if false_when_absent(cond, variables=variables):
            # every request S allows has k (C is false without it): question 1 is Unsat and question 2 is S alone
            with_key = alone
            undecided = is_unknown(alone) and not true_when_present(cond)
        else:
            absent = ctx.solve_hop(c.caller, target_with(ctx, role, (st,)), c.action,
                                   (KeyConstraint(cond.key, "absent"),), arn_guesses=ArnWitnesses.enabled)
            if is_sat(absent):
                return Verdict.ABSENT, absent
            if is_unknown(absent):
                return Verdict.UNKNOWN, unknown_reason(absent)
            present = deny_like(st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
            with_key = ctx.solve_hop(c.caller, target_with(ctx, role, (st, present)), c.action)
        if not undecided:
            if is_unknown(with_key):
                return Verdict.UNKNOWN, unknown_reason(with_key)
            if not is_sat(with_key):
                return Verdict.RESTRICTS, None  # the statement needs k absent or never sees it: not vacuous
            if true_when_present(cond):
                return Verdict.EVERY_VALUE, with_key  # StringLike "*": question 3 is Unsat
        if present is None:
            present = deny_like(st, {"Null": {cond.key_text: ["true"]}}, "key-absent")
        negation = deny_like(st, {cond.operator_text: {cond.key_text: list(cond.values)}}, "condition-holds")
        question = target_with(ctx, role, (without_condition(st, j), negation, present))
        if undecided:  # no witness to start the tries from: a Sat question 3 still proves the condition restricts
            counter = _question_three(ctx, st, j, c, question)
            return (Verdict.RESTRICTS, None) if is_sat(counter) else (Verdict.UNKNOWN, unknown_reason(alone))
        if other_value_admitted(st, j, with_key, question, variables=variables) or variant_admitted(
                st, j, c.label, with_key, question, variables=variables,
                excluded_orgs=getattr(c.caller, "excluded_orgs", frozenset()), outsider=c.caller,
                principal_arns=ctx.engine.session.options.principal_arn_variants,
                tag_keys=ctx.engine.session.options.tag_key_variants):
            return Verdict.RESTRICTS, None  # the witness with another value of the key gets in without the condition
        counter = _question_three(ctx, st, j, c, question)
        if is_unknown(counter):
            return Verdict.UNKNOWN, unknown_reason(counter)
        if is_sat(counter):
            return Verdict.RESTRICTS, None
        return Verdict.EVERY_VALUE, with_key


class _Targets:
    """The targets of the questions on statement ``st`` of ``role`` and the Deny statements they hold, each made once
    for every caller class and kept while the statement is checked (switch ``VacuousCondition.shared_targets``).

    :meth:`VacuousCondition._decide_lazily` asks the same questions of every class of a statement: the statement
    alone, with condition ``j``'s key present, and question 3 (the statement without condition ``j``, a Deny when it
    holds and a Deny when its key is absent). Their targets and Deny statements are functions of the statement,
    the role and ``j`` alone (:func:`~trustgraph.checks.base.target_with`, :func:`~trustgraph.checks.base.
    deny_like`: immutable model values), so one of each serves every class. On condition-heavy-2k a condition is
    mostly decided for one class (the first finding ends its loop), so that sharing saves little; what saves is that
    the Deny statements' Condition blocks are parsed once in the scan (``deny_like``'s ``parsed``, kept by
    :meth:`ScanContext.once`): roles made from one template ask the same blocks (7,836 parses there became 667)."""

    __slots__ = ("_alone", "_ctx", "_made", "_parsed", "_role", "_st")

    def __init__(self, ctx: ScanContext, role: str, st: Statement) -> None:
        self._ctx, self._role, self._st = ctx, role, st
        self._alone: Target | None = None
        self._made: dict[tuple[str, int], Any] = {}
        #: the Deny statements' Condition blocks, parsed once in the scan (``deny_like``'s ``parsed``)
        self._parsed: dict[tuple[str, str], Any] = ctx.once(("vacuous-condition", "deny-blocks"), dict)

    def _once(self, what: str, j: int, make: Callable[[], Any]) -> Any:
        found = self._made.get((what, j))
        if found is None:
            found = self._made[(what, j)] = make()
        return found

    def present(self, j: int) -> Statement:
        """The Deny statement that applies when condition ``j``'s key is absent."""
        key_text = self._st.conditions[j].key_text
        made: Statement = self._once("present", j, lambda: deny_like(self._st, {"Null": {key_text: ["true"]}},
                                                                     "key-absent", parsed=self._parsed))
        return made

    def alone(self) -> Target:
        """The role with the statement alone as its trust policy."""
        if self._alone is None:
            self._alone = target_with(self._ctx, self._role, (self._st,))
        return self._alone

    def with_key(self, j: int) -> Target:
        """The statement alone with condition ``j``'s key required (question 2)."""
        made: Target = self._once("with-key", j, lambda: target_with(self._ctx, self._role,
                                                                     (self._st, self.present(j))))
        return made

    def question(self, j: int) -> Target:
        """Question 3's target: the statement without condition ``j``, a Deny when it holds, one when its key is
        absent."""
        def make() -> Target:
            cond = self._st.conditions[j]
            negation = deny_like(self._st, {cond.operator_text: {cond.key_text: list(cond.values)}},
                                 "condition-holds", parsed=self._parsed)
            return target_with(self._ctx, self._role, (without_condition(self._st, j), negation, self.present(j)))

        made: Target = self._once("question", j, make)
        return made


class _Liveness:
    """What :meth:`VacuousCondition._statement_lazily` knows of each caller class of trust statement ``index`` of
    ``role``: the statement's own answers (:func:`statement_alone`, asked for every class at once, kept on the view
    for the role and read by dead-trust-statement) once asked, and a Sat answer of another question of the statement
    per class (a request of the class that gets in under the statement alone). A class shown live is remembered on
    the view (``("statement-live", role, index)``) for dead-trust-statement."""

    def __init__(self, ctx: ScanContext, role: str, index: int, st: Statement) -> None:
        from trustgraph.checks.base import statement_classes

        self.ctx, self.role, self.index, self.st = ctx, role, index, st
        self.classes = statement_classes(ctx, st)[0]
        self._found: dict[int, object] = {}

    def _answers(self) -> list[tuple[CallerClass, Any]] | None:
        cached: tuple[list[tuple[CallerClass, Any]], bool] | None = self.ctx.local.get(
            ("statement-alone", self.role, self.index))
        return None if cached is None else cached[0]

    def alone(self, i: int) -> object:
        """The statement's own answer for class ``i`` (asked now for every class when not asked yet)."""
        answers, _ = statement_alone(self.ctx, self.role, self.index, self.st)
        return answers[i][1]

    def dead(self, i: int) -> bool:
        """True when the statement's own answer for class ``i`` is known and Unsat: the class has no verdict (an
        Unknown answer leaves the class to the other questions, as the reference does)."""
        answers = self._answers()
        return answers is not None and not is_sat(answers[i][1]) and not is_unknown(answers[i][1])

    def alive(self, i: int) -> bool:
        """Whether a request of class ``i`` gets in under the statement alone (asking the statement's question when
        no Sat answer shows it)."""
        return i in self._found or is_sat(self.alone(i))

    def found(self, i: int, answer: object) -> None:
        """Remember ``answer``, a Sat answer of a question on the statement alone with more requirements."""
        self._found.setdefault(i, answer)
        self.ctx.local[("statement-live", self.role, self.index)] = True

    def witness(self, i: int) -> object:
        """A Sat answer showing class ``i`` live: the statement's own when asked, else one found, else the statement's
        own asked now; None when that is not Sat."""
        answers = self._answers()
        if answers is not None:
            own = answers[i][1]
            return own if is_sat(own) else None
        if i in self._found:
            return self._found[i]
        own = self.alone(i)
        return own if is_sat(own) else None


def _restricts_plainly(ctx: ScanContext, role: str, st: Statement) -> bool:
    """True when every condition of ``st`` is a plain ``StringEquals`` (no IfExists, no set qualifier, no policy
    variable) on a key no other condition of ``st`` reads, that every caller class ``st`` names chooses freely
    (:func:`~trustgraph.checks.exact.caller_chooses`, for each kind of principal of the class), with a value within
    the key's API limits the condition rejects (:func:`~trustgraph.checks.exact.rejected_value`, the one
    :func:`~trustgraph.checks.exact.other_value_admitted` sends). Then, for every class that is live (a request of a
    member gets in under ``st`` alone: it carries each key, since such a condition is false without it), that
    request with one key changed to the rejected value still satisfies the other conditions (they do not read the
    key) and the principal and action, and is one the member may send: question 3 is Sat for every condition, so
    :meth:`VacuousCondition._statement` has no finding, as it reaches with the evaluator's witnesses
    (:meth:`VacuousCondition._restricts_by_evaluation`) or the solver's, without an evaluation. A class that is not
    live has no verdict either way."""
    from trustgraph.checks.base import statement_classes
    from trustgraph.checks.exact import caller_chooses, rejected_value
    from trustgraph.model.condition import SetQualifier
    from trustgraph.model.pattern import variables_of
    from trustgraph.semantics.request import Caller, CallerKind

    if not st.conditions:
        return False
    keys = [c.key for c in st.conditions]
    if len(set(keys)) != len(keys):
        return False
    for cond in st.conditions:
        if (cond.operator is not Operator.STRING_EQUALS or cond.if_exists or cond.qualifier is not SetQualifier.NONE
                or any(variables_of(p) for p in cond.patterns)):
            return False
    classes, _ = statement_classes(ctx, st)
    target = ctx.engine.target(role)
    variables = target.role.trust_policy.variables_enabled
    for cond in st.conditions:
        if rejected_value(cond, variables) is None:
            return False
        for c in classes:
            if isinstance(c.caller, Caller):
                members = [c.caller]
            elif c.caller.kind in (CallerKind.ROLE_SESSION, CallerKind.IAM_USER):
                members = [Caller(kind=kind, arn="") for kind in (CallerKind.ROLE_SESSION, CallerKind.IAM_USER)]
            else:
                members = [Caller(kind=c.caller.kind, arn=c.caller.provider or "")]
            if not all(caller_chooses(m, target, c.action, cond.key) for m in members):
                return False
    return True


def _question_three(ctx: ScanContext, st: Statement, j: int, c: CallerClass, question: Any) -> object:
    """The answer to question 3 for condition ``j`` of ``st`` and class ``c`` (``question``: the target of
    :meth:`VacuousCondition._decide`): Unsat without the solver when :func:`implied_condition` holds (switch
    ``SolverOptions.implied_conditions``), else the solver's."""
    from trustgraph.smt.solve import Unsat

    if ctx.engine.session.options.implied_conditions and implied_condition(st, j, c):
        return Unsat()
    return ctx.solve_hop(c.caller, question, c.action, arn_guesses=ArnWitnesses.enabled)


def implied_condition(st: Statement, j: int, c: CallerClass) -> bool:
    """True when condition ``j`` of ``st`` holds for every request of ``c``, the symbolic class of any AWS principal
    (:mod:`trustgraph.smt.symbolic`: users and role sessions of the accounts the statement names and of a fresh
    one), that ``st`` without the condition allows: question 3 is then Unsat (its Deny statement "the condition holds",
    with ``st``'s principals, denies each of them), which :meth:`VacuousCondition._decide` reads as "holds for every
    value" (the finding renders the same witness: the statement's own answer, or question 2's). The condition is a
    plain ``StringEquals`` (no IfExists, no set qualifier, no policy variable), and either

    - on aws:PrincipalAccount, listing the account of every principal of ``st``, each an account, user, role or
      session ARN (no ``*``, no unique id): a candidate of another account matches no such principal, and
      aws:PrincipalAccount, always present for an AWS principal, is the candidate's account; or
    - on aws:PrincipalOrgID, and another condition of ``st`` is ``ForAnyValue:StringLike aws:PrincipalOrgPaths``
      (no IfExists, no policy variable) whose every pattern starts with a literal ``o-.../`` the condition lists:
      it holds only when the caller has a path, and every path is its organization id, ``/r-`` and more
      (``smt.symbolic.org_builders``; an organization id has no ``/``), so the organization id is the one the
      matching pattern starts with."""
    from trustgraph.model.condition import SetQualifier
    from trustgraph.model.pattern import variables_of
    from trustgraph.model.principal import PrincipalKind
    from trustgraph.smt.symbolic import SymbolicCaller

    cond = st.conditions[j]
    if (cond.operator is not Operator.STRING_EQUALS or cond.if_exists or cond.qualifier is not SetQualifier.NONE
            or any(variables_of(p) for p in cond.patterns)):
        return False
    if c.label != "aws" or not isinstance(c.caller, SymbolicCaller) or st.not_principals or not st.principals:
        return False
    values = set(cond.texts)
    if cond.key == "aws:principalaccount":
        kinds = (PrincipalKind.ACCOUNT, PrincipalKind.USER, PrincipalKind.ROLE, PrincipalKind.ASSUMED_ROLE)
        return all(p.kind in kinds and p.account is not None and p.account in values for p in st.principals)
    if cond.key == "aws:principalorgid":
        for other in st.conditions:
            if (other.key != "aws:principalorgpaths" or other.operator is not Operator.STRING_LIKE
                    or other.if_exists or other.qualifier is not SetQualifier.FOR_ANY_VALUE or not other.texts
                    or any(variables_of(p) for p in other.patterns)):
                continue
            prefixes = [t.split("/", 1)[0] if "/" in t else None for t in other.texts]
            if all(x is not None and x in values and not any(ch in x for ch in "*?$") for x in prefixes):
                return True
    return False


def _who(c: CallerClass) -> str:
    if c.label == "aws":
        return "an AWS principal"
    if c.label.startswith("federated:"):
        return "a holder of a token or assertion of that provider"
    if c.label.startswith("service:"):
        return "the service"
    return f"`{c.label}`"


CHECK = VacuousCondition()
