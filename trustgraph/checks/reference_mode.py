"""Every fast-path switch of a scan in one list, and the reference scan they give when all are off.

The project's rule is that every fast path is tested against its reference. Each has a switch of its own (a class
attribute, a keyword default, a :class:`~trustgraph.smt.options.SolverOptions` field, a :class:`GraphQueries`
instance attribute, a :class:`ScanContext` option or a context manager; docs/architecture.md, "The reference path
and the fast paths"), and each has a test flipping that switch alone. This module lists them all, so that a scan
can be run with every fast path off at once (:func:`reference_mode` and :func:`reference_context`) and compared
with the default scan (``tests/reference/test_reference_scan.py``), and so that a fast path added without an entry
here is caught (``tests/reference/test_switch_list.py`` scans the package for switch-like attributes and reads the
architecture table).

Not here: the presentation switches after the scan (``ScanReport(grouped_order=False)``, ``render_json(...,
lean_tables=False)``, ``Tables(lean=False)``: report and render layers, which order and write findings but do not
find them), the worker parts (``PARTS_MAX_MB``: a scan with one process makes none) and the memory switch
``smt.decide.keep_heap`` (where freed heap goes changes no answer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import trustgraph.checks.base as checks_base
import trustgraph.checks.exact as exact
import trustgraph.checks.external_path_to_admin as external_path_to_admin
import trustgraph.checks.external_without_external_id as external_without_external_id
import trustgraph.checks.external_without_mfa as external_without_mfa
import trustgraph.checks.finding as finding
import trustgraph.checks.leanfederated as leanfederated
import trustgraph.checks.ondemand as ondemand
import trustgraph.checks.pathmemo as pathmemo
import trustgraph.checks.privilege_escalation as privilege_escalation
import trustgraph.checks.vacuous_condition as vacuous_condition
import trustgraph.graph.admin as graph_admin
import trustgraph.graph.build as graph_build
import trustgraph.graph.escalation as escalation
import trustgraph.ingest.load as ingest_load
import trustgraph.model.policy as model_policy
import trustgraph.queries.answers as answers
import trustgraph.queries.candidates as candidates
import trustgraph.queries.engine as engine
import trustgraph.queries.escalate as escalate
import trustgraph.queries.evalclass as evalclass
import trustgraph.queries.ground as ground
import trustgraph.queries.hopclass as hopclass
import trustgraph.queries.mfa as mfa
import trustgraph.queries.shared as shared
import trustgraph.queries.witnesses as witnesses
import trustgraph.semantics.actions as actions
import trustgraph.semantics.context as semantics_context
import trustgraph.semantics.evaluate as evaluate
import trustgraph.semantics.request as request
import trustgraph.smt.facts as facts
from trustgraph.checks.context import ScanContext
from trustgraph.queries.graph_queries import GraphQueries
from trustgraph.smt.options import SolverOptions
from trustgraph.smt.session import SolverSession


def _mfa_read_everywhere(engine: Any, role: str) -> bool:
    """The reference of :func:`trustgraph.queries.mfa.mfa_read_after`: the other MFA outcome asked at every hop."""
    return True


@dataclass(frozen=True)
class Switch:
    """One switch set outside any object a scan makes: ``owner.name`` (a class, a module or, for ``keyword``, the
    function whose keyword default it is) and its ``reference`` value."""

    owner: type | ModuleType | Callable[..., Any]
    name: str
    reference: Any = False
    keyword: bool = False

    @property
    def label(self) -> str:
        """``Owner.name`` (a keyword default: its class's or function's name), as the architecture table says it."""
        owner = self.owner
        if self.keyword:
            qual = getattr(owner, "__qualname__", "")
            return f"{qual.removesuffix('.__init__')}.{self.name}"
        if isinstance(owner, ModuleType):
            return f"{owner.__name__.rsplit('.', 1)[-1]}.{self.name}"
        return f"{getattr(owner, '__name__', owner)}.{self.name}"

    def read(self) -> Any:
        """The switch's current value."""
        if self.keyword:
            return self._defaults()[self.name]
        return getattr(self.owner, self.name)

    def write(self, value: Any) -> None:
        """Set the switch to ``value``."""
        if self.keyword:
            self._defaults()[self.name] = value
        else:
            setattr(self.owner, self.name, value)

    def _defaults(self) -> dict[str, Any]:
        """The keyword defaults of the function (a keyword switch's owner)."""
        defaults: dict[str, Any] = getattr(self.owner, "__kwdefaults__")  # noqa: B009 (a function's, not a type's)
        return defaults


def _class(owner: type, *names: str) -> tuple[Switch, ...]:
    return tuple(Switch(owner, name) for name in names)


def _keywords(function: Callable[..., Any], *names: str) -> tuple[Switch, ...]:
    return tuple(Switch(function, name, keyword=True) for name in names)


#: every switch a scan reads from a class, a module or a keyword default, with its reference value
SWITCHES: tuple[Switch, ...] = (
    # semantics
    *_class(actions.ResourceMatching, "by_text"),
    *_class(semantics_context.RequestBuilding, "prefrozen"),
    *_class(evaluate.HopEvaluation, "fast", "constant_levels", "compiled_conditions"),
    *_class(request.PackedContext, "raw_keys"),
    # ingest and model: read while loading, so a reference scan loads inside reference_mode
    *_keywords(ingest_load.load_estate, "fast_statements"),
    *_keywords(model_policy.canonical_json, "fast"),
    # smt
    *_keywords(facts.FactsTable.__init__, "intern"),
    # graph
    *_class(graph_build._EdgeBatch, "direct"),
    *_class(graph_admin.AdminDecider, "shared_positions"),
    *_keywords(graph_admin.AdminDecider.__init__, "probe_texts"),
    *_class(escalation.Escalations, "prefiltered_globs", "identity_first", "shared_matches", "row_matches",
            "actions_on_policy", "lean_witnesses"),
    *_keywords(escalation.Escalations.__init__, "direct_targets"),
    # queries
    *_class(answers.SessionSteps, "once"),
    *_class(candidates.HopCandidates, "fast_members"),
    *_class(ground.HopKeys, "by_content"),
    *_class(witnesses.WitnessMaker, "by_schema"),
    *_class(hopclass.HopClasses, "share_unsat"),
    *_class(engine.ReachabilityEngine, "nested_memos", "class_refutations", "refute_first", "trust_refutations"),
    *_keywords(engine.ReachabilityEngine.__init__, "per_role_demand", "per_role_plain", "shared_demand",
               "mfa_bound"),
    Switch(mfa, "mfa_read_after", _mfa_read_everywhere),
    *_class(evalclass.EvaluatedClasses, "lean_carry", "arn_blind_views", "literal_views", "shared_parts",
            "packed_contexts", "compact_views", "lazy_decisions", "deferred_keys", "shared_levels", "role_classes"),
    *_class(shared.SharedSearches, "class_moves", "bare_moves", "derived_moves", "state_tables", "base_checks",
            "memo_rows", "part_walks", "shared_parts", "wide_class_moves", "listed_memo",
            "choiceless_leads"),
    *_keywords(escalate.AssumeReaches.__init__, "admin_first", "skip_dead", "lean_last"),
    Switch(escalate.AssumeReaches, "layered_kept", None),
    # checks
    *_class(checks_base.ArnWitnesses, "enabled"),
    *_class(finding.SourceTail, "enabled"),
    *_class(ondemand.PathMemo, "once"),
    *_class(ondemand.LightMemo, "enabled"),
    *_class(ondemand.FlatAnswer, "lean_reads", "deferred"),
    *_class(pathmemo.AgreedPaths, "once"),
    *_class(leanfederated.NamedStates, "once"),
    *_class(leanfederated.ActionSequences, "shared"),
    *_class(leanfederated.KeptPaths, "linked", "bare"),
    *_class(vacuous_condition.VacuousCondition, "plain_rule", "shared_targets"),
    *_class(external_path_to_admin.ExternalPathToAdmin, "federated_parts", "forget_witnesses", "lean_sources",
            "lean_federated"),
    *_class(external_without_mfa.ExternalWithoutMfa, "lean_sources"),
    *_class(external_without_external_id.ExternalWithoutExternalId, "lean_sources"),
)

#: switches that are attributes of the scan's module-level check objects (made at import, so no keyword default
#: reaches them): (object, attribute, reference value)
CHECK_OBJECT_SWITCHES: tuple[tuple[Any, str, Any], ...] = (
    (privilege_escalation.CHECK, "length_one", False),
)

#: the context managers that turn a fast path off inside their block
CONTEXTS: tuple[Callable[[], Any], ...] = (exact.solver_only, actions.plain_scan)

#: the switches a :class:`GraphQueries` (a ``TrustGraph``) sets on itself when made; False is the reference
QUERY_SWITCHES: tuple[str, ...] = (
    "shared_assume_reach", "stop_at_admin", "lazy_reach", "layered", "reverse", "carried_reverse", "flat_hops",
    "lazy_carried", "deep_lazy", "lazy_from_one", "lean_reverse", "lean_closure", "fast_answers", "listed_hops",
    "ordered_tails", "batch_answers", "paused_queries", "local_misses", "listed_refused",
)

#: the :class:`ScanContext` options of the reference: every (source, role) pair asked on its own, the outside
#: accounts' answers built in full
SCAN_OPTIONS: dict[str, bool] = {"per_pair": True, "on_demand": False}


@contextmanager
def reference_mode() -> Iterator[None]:
    """Inside the block every switch of :data:`SWITCHES` and :data:`CHECK_OBJECT_SWITCHES` has its reference value
    and every context of :data:`CONTEXTS` is entered; all restored after it. Load the estate inside the block too
    (some switches act while loading) and scan through :func:`reference_context`, which turns off the switches a
    :class:`GraphQueries` and a :class:`ScanContext` hold themselves."""
    saved = [switch.read() for switch in SWITCHES]
    saved_objects = [getattr(obj, name) for obj, name, _ in CHECK_OBJECT_SWITCHES]
    with ExitStack() as stack:
        try:
            for switch in SWITCHES:
                switch.write(switch.reference)
            for obj, name, value in CHECK_OBJECT_SWITCHES:
                setattr(obj, name, value)
            for context in CONTEXTS:
                stack.enter_context(context())
            yield
        finally:
            for switch, value in zip(SWITCHES, saved, strict=True):
                switch.write(value)
            for (obj, name, _), value in zip(CHECK_OBJECT_SWITCHES, saved_objects, strict=True):
                setattr(obj, name, value)


def reference_context(queries: GraphQueries, *, options: SolverOptions | None = None) -> ScanContext:
    """A scan context of ``queries`` (fresh: nothing asked on it yet) on the reference path: its own switches off,
    a new engine on the same graph and analysis time whose session has ``options`` (default
    :meth:`SolverOptions.reference`) and whose keyword switches are off, and the :data:`SCAN_OPTIONS`. Use inside
    :func:`reference_mode`."""
    from trustgraph.queries.engine import ReachabilityEngine

    for name in QUERY_SWITCHES:
        if not isinstance(getattr(queries, name), bool):
            raise TypeError(f"GraphQueries.{name} is no switch")
        setattr(queries, name, False)
    session = SolverSession(options if options is not None else SolverOptions.reference())
    queries.engine = ReachabilityEngine(queries.graph, now_ms=queries.engine.now_ms, session=session,
                                        per_role_demand=False, per_role_plain=False, shared_demand=False,
                                        mfa_bound=False)
    return ScanContext(queries, per_pair=SCAN_OPTIONS["per_pair"], on_demand=SCAN_OPTIONS["on_demand"])


__all__ = ["CHECK_OBJECT_SWITCHES", "CONTEXTS", "QUERY_SWITCHES", "SCAN_OPTIONS", "SWITCHES", "Switch",
           "reference_context", "reference_mode"]
