"""Reachability over the trust graph, one solver call per hop.

A path exists when every hop is satisfiable under the query's constraints. Hops share no request variables; what
carries between hops is propagated as facts of the caller of the next hop: a role session is an assumed-role principal
of the role's account; it carries MFA only when it was obtained by an IAM user presenting MFA, so MFA reaches at most
one hop past a user; and it carries the source identity and transitive session tags set on the way
(:mod:`trustgraph.queries.carry`). The search is a breadth-first search over states ``(node, session carries MFA)``,
``(node, MFA, carried)`` for a session that carries a source identity or transitive tags, so the first path found to a
role is a shortest one. Hop answers are memoised per (caller state, role, action, options), and
the dispatcher :func:`trustgraph.smt.solve.answer` shares answers by canonical form underneath (in the engine's
:class:`~trustgraph.smt.session.SolverSession`), so identical trust policies are solved once.

Known limits (documented): a role given as a source starts from a session without MFA and carrying nothing; an
exported IAM user may present MFA (the exports do not list MFA devices); the carried values tried are those
:class:`~trustgraph.queries.carry.CarryDemand` reads off the estate (docs/semantics.md §8.7).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from trustgraph.graph.nodes import EXTERNAL, FEDERATED_KINDS, NodeKind
from trustgraph.queries import answers
from trustgraph.queries.callers import EngineCallers
from trustgraph.queries.candidates import HopCandidates, State
from trustgraph.queries.carry import CarryDemand, carried_of, state_of
from trustgraph.queries.demand import SessionDemand
from trustgraph.queries.derived import DerivedUnsat, absent_blocks, contradictory, meets_all
from trustgraph.queries.evalclass import EvaluatedClasses
from trustgraph.queries.hopclass import HopClasses
from trustgraph.queries.hopmemo import HopMemo
from trustgraph.queries.options import QueryOptions
from trustgraph.queries.outcome import SearchOutcome, Visit
from trustgraph.queries.refutations import TrustRefutations
from trustgraph.queries.results import HopWitness, ReachResult
from trustgraph.queries.unowned import unowned
from trustgraph.queries.witnesses import WitnessMaker
from trustgraph.semantics.carried import NOTHING
from trustgraph.semantics.request import Action, Caller, CallerKind
from trustgraph.smt.results import Sat, Unknown, Unsat

if TYPE_CHECKING:
    import networkx as nx

    from trustgraph.queries.demandmap import DemandMap
    from trustgraph.queries.virtual import VirtualSource
    from trustgraph.semantics.request import Target
    from trustgraph.smt.question import HopQuestion
    from trustgraph.smt.session import SolverSession
    from trustgraph.smt.solve import HopResult, KeyConstraint
    from trustgraph.smt.symbolic import SymbolicCaller

MFA_KEY = "aws:multifactorauthpresent"
_MFA_KEYS = frozenset({MFA_KEY, "aws:multifactorauthage"})

#: the condition key that carries a federated identity's subject, per built-in provider
_SUBJECT_KEYS = {
    "cognito-identity.amazonaws.com": "cognito-identity.amazonaws.com:sub",
    "accounts.google.com": "accounts.google.com:sub",
    "graph.facebook.com": "graph.facebook.com:id",
    "www.amazon.com": "www.amazon.com:user_id",
}



def subject_key(provider: str) -> str:
    """The condition key holding a federated identity's subject (``token.actions.githubusercontent.com:sub``).

    Examples
    --------
    >>> subject_key("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")
    'token.actions.githubusercontent.com:sub'
    >>> subject_key("arn:aws:iam::111122223333:saml-provider/Okta")
    'saml:sub'
    """
    if ":saml-provider/" in provider:
        return "saml:sub"
    if ":oidc-provider/" in provider:
        return provider.split(":oidc-provider/", 1)[1] + ":sub"
    return _SUBJECT_KEYS.get(provider, provider + ":sub")



class ReachabilityEngine(EngineCallers, SessionDemand):
    """Solver front for one graph: builds callers and targets once and memoises hop answers."""

    #: False: the hop memos are plain dictionaries keyed by hop tuples (the reference); True: nested, a hop without a
    #: key of its own (:class:`~trustgraph.queries.hopmemo.HopMemo`; set on the class, it switches every engine)
    nested_memos = True
    #: True: :meth:`fixed_refutes` answers once per refutation key (:meth:`EvaluatedClasses.refutation_key`: the
    #: callers whose fixed values the role's trust policy cannot tell apart), not once per hop (the dense region of
    #: random-5 at 2,000 roles: 64,390 tests, 13,578 keys); False: per hop (the reference; set on the class)
    class_refutations = True
    #: True: a hop that :meth:`decide` would ask its class for (no answer under other constraints) is first tested
    #: by :meth:`fixed_refutes` (with :attr:`class_refutations`, a key of a few lookups), and Unsat when refuted,
    #: without its class key: a refuted hop is Unsat, so no class answer (an evaluated exact ALLOW carried over)
    #: applies to it, and it files nothing for a class (random-5 at 2,000 roles: 60,692 of 125,327 hops decided
    #: are refuted, each a class key less); False: the class first, then the refutation test (the reference; set on
    #: the class)
    refute_first = True
    #: True (with :attr:`class_refutations`): :meth:`fixed_refutes` answers per trust-policy content and caller state
    #: (:class:`~trustgraph.queries.refutations.TrustRefutations`: a row per state, a shared key with the trust id in
    #: place of the role); False: per refutation key (set on the class)
    trust_refutations = True

    def __init__(self, G: nx.MultiDiGraph, *, now_ms: int | None = None, session: SolverSession | None = None,
                 per_role_demand: bool = True, per_role_plain: bool = True, shared_demand: bool = True,
                 mfa_bound: bool = True) -> None:
        import time

        from trustgraph.smt.session import SolverSession

        self.G = G
        #: aws:CurrentTime of every hop: the analysis time, pinned once so that every answer of one analysis
        #: speaks of the same moment (docs/semantics.md §6.6)
        self.now_ms = now_ms if now_ms is not None else int(time.time()) * 1000
        self.estate = G.graph["estate"]
        self.zone = G.graph["zone"]
        self._callers: dict[State, Caller | SymbolicCaller] = {}
        self._inside: frozenset[str] | None = None
        self._targets: dict[str, Target] = {}
        pairs: dict[tuple[Any, Any], tuple[Any, Any]] = {}  # (role, action), one tuple each for the nested memos
        self._memo: HopMemo | dict[tuple[Any, ...], HopResult] = HopMemo(pairs) if self.nested_memos else {}
        self._ground: dict[tuple[Any, ...], tuple[Any, ...]] = {}  # evaluated requests (queries.ground)
        #: (state, role, action, closed) -> (constraints, Sat/Unsat answer, constraints, answer, ...) in the order
        #: filed, for :meth:`decide` (:meth:`filed`), one flat tuple; a lone answer under no constraints kept bare
        self._answers: HopMemo | dict[tuple[Any, ...], Any] = HopMemo(pairs) if self.nested_memos else {}
        self._derived: HopMemo | dict[tuple[Any, ...], HopResult | DerivedUnsat] = (
            HopMemo(pairs) if self.nested_memos else {})
        #: (options, extra) -> (the constraints, whether they contradict), for :meth:`decide`
        self._constraint_sets: dict[tuple[Any, ...], tuple[tuple[KeyConstraint, ...], bool]] = {}
        self._constraint_frozensets: dict[tuple[KeyConstraint, ...], frozenset[KeyConstraint]] = {}
        #: (role, MFA) -> that state, one tuple each (the moves of a large search name a few states many times)
        self._plain_states: dict[tuple[str, bool], State] = {}
        self._absent: dict[tuple[Any, ...], bool] = {}  # (role, action, constraints) -> absent_blocks
        self._symbolic_nodes: dict[str, bool] = {}  # graph node -> whether it is a symbolic AWS source
        self._refuted: dict[tuple[Any, ...], bool] = {}  # (state, role, action) -> queries.fixed says Unsat
        #: a refutation key (EvaluatedClasses.refutation_key) -> queries.fixed says Unsat (class_refutations)
        self._class_refuted: dict[tuple[Any, ...], bool] = {}
        self._last_refuted: tuple[tuple[Any, ...], bool] | None = None  # the hop fixed_refutes answered last
        self._trust_refuted = TrustRefutations()  # the verdicts per trust id and caller state (trust_refutations)
        #: (state, role, action, options, extra) -> the states a Sat hop leads to (see :meth:`sat_successors`)
        self._leads: dict[tuple[Any, ...], tuple[tuple[State, Sat, bool], ...]] = {}
        #: (state, role, action) -> ((a Sat answer, its witness), ...), see :meth:`_witness`
        self._witnesses: dict[tuple[Any, ...], tuple[tuple[Any, HopWitness], ...]] = {}
        self._witness_maker = WitnessMaker(unowned(self.target))  # the witnesses made (queries.witnesses)
        self._asked: tuple[tuple[Any, ...], HopQuestion] | None = None  # the last question (see question)
        self.shared = 0  # hops answered from an answer under other constraints (see decide)
        self.classes = HopClasses()  # concrete callers' hops answered per class (queries.hopclass)
        self.evaluated = EvaluatedClasses()  # and those decided by evaluation (queries.evalclass)
        #: the solver's caches and switches for this engine's questions (freed with the engine); its options also
        #: switch the engine's own fast paths (evaluation, derived answers)
        self.session = session if session is not None else SolverSession()
        self.mfa_sensitive = any(
            c.key in _MFA_KEYS
            for r in self.estate.role_by_arn.values()
            for st in r.trust_policy.statements
            for c in st.conditions
        )
        self._demand: CarryDemand | None = None
        #: True: a hop is asked with the demanded carried values of the kinds read downstream of its role only
        #: (queries.demandmap); False: with every demanded value (the reference)
        self.per_role_demand = per_role_demand
        #: True (with ``per_role_demand``): :meth:`plain_session` per role; False: the reference
        self.per_role_plain = per_role_plain
        self.shared_demand = shared_demand  # the carry demand read once per estate (queries.demand)
        self._demand_map: DemandMap | None = None
        self._choiceless: dict[str, bool] = {}  # role -> SessionDemand.chooses_nothing, memoised
        self.mfa_after: dict[str, bool] = {}  # role -> queries.mfa.mfa_read_after, memoised
        self.mfa_hubs: dict[str, tuple[tuple[str, dict[str, Any], str], ...]] = {}  # hub -> its edges reading MFA
        self.mfa_roles: dict[str, bool] = {}  # role -> its trust policy or RCPs read MFA (queries.mfa)
        #: True: a target whose trust refuses every session without MFA bounds the carried reverse search's
        #: distances (queries.mfagate); False: the reference (the bounded searches prove it)
        self.mfa_bound = mfa_bound
        self.mfa_gates: dict[str, bool] = {}  # role -> its trust refuses a session without MFA (queries.mfagate)
        self.solver_calls = 0  # hops sent to the solver
        self.evaluations = 0  # hops decided by evaluating their one possible request
        #: the candidate lists of the search (forward per node, backward per role)
        self.candidates = HopCandidates(G, unowned(self.caller))  # not owning the engine (queries.unowned)
        #: sources that are not graph nodes (queries.virtual), by their ARN: kept here, never added to the graph
        self._virtual: dict[str, VirtualSource] = {}

    def register(self, source: VirtualSource) -> None:
        """Make a source that is not a graph node searchable (its caller and first hops); the graph is unchanged."""
        self._virtual.setdefault(source.node, source)

    def attrs(self, node: str) -> dict[str, Any]:
        """A node's attributes: the graph's, or a registered virtual source's."""
        virtual = self._virtual.get(node)
        return virtual.attrs if virtual is not None else self.G.nodes[node]

    # ------------------------------------------------------------------------------------------------------ hops
    def constraints(self, options: QueryOptions, extra: Iterable[KeyConstraint] = ()) -> tuple[KeyConstraint, ...]:
        """The query's per-hop constraints as solver constraints."""
        from trustgraph.smt.solve import KeyConstraint

        out = [KeyConstraint(k, "absent") for k in options.without]
        out += [KeyConstraint(k, "equals", v) for k, v in options.given]
        out += [KeyConstraint(k, "not-like", v) for k, v in options.not_like]
        out += list(extra)
        return tuple(out)

    def question(self, state: State, role: str, action: Action, options: QueryOptions,
                 extra: tuple[KeyConstraint, ...] = ()) -> HopQuestion:
        """The hop question of one edge: ``state``'s caller calls ``action`` on ``role`` under the query's options."""
        from trustgraph.smt.question import HopQuestion

        asked = (state, role, action, options, extra, self.now_ms)
        if self._asked is not None and self._asked[0] == asked:  # the hop asked last (decide, then solve)
            return self._asked[1]
        q = HopQuestion(self.caller(*state), self.target(role), action, self._constraints_of(options, extra)[0],
                        options.closed, self.now_ms, timeout_ms=options.timeout_ms)
        self._asked = (asked, q)
        return q

    def solve(
        self, state: State, role: str, action: Action, options: QueryOptions, extra: tuple[KeyConstraint, ...] = (),
        *, key: tuple[Any, ...] | None = None,
    ) -> HopResult:
        """Decide one hop (memoised; ``key``: as :meth:`decide`'s)."""
        if key is None:
            key = (state, role, action, options, extra)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        from trustgraph.queries.ground import decide_by_evaluation
        from trustgraph.smt.solve import answer

        q = self.question(state, role, action, options, extra)
        result = None
        caller = q.caller
        if isinstance(caller, Caller) and self.session.options.evaluation:
            facts = self.session.facts

            def evaluate() -> Any:
                return decide_by_evaluation(caller, q.target, action, q.constraints, self.now_ms, self._ground,
                                            (state, role), lambda p: facts(p).keys_read, self.classes.narrowed)

            result = self.evaluated.decide(state, q, evaluate) if self.session.options.hop_classes else evaluate()
        if result is None:  # the solver, or the answer of a caller the hop cannot tell apart (queries.hopclass)
            result = self.classes.answer(self, state, q, answer)
        else:
            self.evaluations += 1
        self._memo[key] = result
        if not isinstance(result, Unknown):
            self._file_answer((state, role, action, options.closed), q.constraints, result)
        return result

    def _file_answer(self, hop: tuple[Any, ...], constraints: tuple[KeyConstraint, ...], result: HopResult) -> None:
        """File a decided (not Unknown) answer of ``hop`` = (state, role, action, closed) under its constraint set,
        where :meth:`decide` looks for answers under other constraints; one frozenset per constraints (an empty
        frozenset is not shared by CPython); a hop's first answer under no constraints (nearly every hop) bare."""
        constraint_set = self._constraint_frozensets.get(constraints)
        if constraint_set is None:
            constraint_set = self._constraint_frozensets[constraints] = frozenset(constraints)
        flat = self._filed_flat(hop)
        self._answers[hop] = result if not (flat or constraint_set) else (*flat, constraint_set, result)

    def _filed_flat(self, hop: tuple[Any, ...]) -> tuple[Any, ...]:
        flat = self._answers.get(hop, ())
        return flat if flat.__class__ is tuple else (self._constraint_frozensets[()], flat)

    def filed(self, hop: tuple[Any, ...]) -> Iterator[tuple[frozenset[KeyConstraint], HopResult]]:
        """The (constraint set, answer) pairs filed for ``hop`` = (state, role, action, closed), in the order filed."""
        flat = self._filed_flat(hop)
        return zip(flat[::2], flat[1::2], strict=True)

    def decide(
        self, state: State, role: str, action: Action, options: QueryOptions, extra: tuple[KeyConstraint, ...] = (),
        *, key: tuple[Any, ...] | None = None,
    ) -> HopResult | DerivedUnsat:
        """Decide one hop for a search: as :meth:`solve`, but answered without a new solver call when the answer
        follows from one already known for the same hop under other constraints (the searches of the checks ask
        the same hops without constraints, without sts:ExternalId and without MFA):

        - an Unsat hop stays Unsat under more constraints (a subset of the constraints is already unsatisfiable),
          and a hop whose constraints contradict each other is Unsat;
        - an exact Sat hop whose witness request meets the other constraints is Sat with that witness (the request
          is allowed and satisfies them);
        - a hop the caller's fixed values rule out (every trust statement that names it has a condition on keys the
          caller cannot choose that is false on its values: :mod:`trustgraph.queries.fixed`) is Unsat;
        - a concrete caller's hop that no answer under other constraints answers and whose class already has a Sat
          answer (:meth:`EvaluatedClasses.class_answer`) gets it made the caller's at once, as :meth:`solve` would
          give it (a Sat hop meets none of the refutations): a role trusted by a whole organization is asked once per
          member, and each member then costs a class key and the answer's transplant.

        A derived Unsat is a :class:`DerivedUnsat`: a search only needs the verdict; its core (the reason an exact
        query prints) is computed by solving the hop itself when it is read.

        ``key``: the hop's memo key ``(state, role, action, options, extra)`` when the caller made it already (one
        tuple for the memos and the kept leads of the hop, :meth:`sat_leads`)."""
        if key is None:
            key = (state, role, action, options, extra)
        cached: HopResult | DerivedUnsat | None = self._memo.get(key)
        if cached is None:
            cached = self._derived.get(key)
        if cached is not None:
            return cached
        if not self.session.options.derived_answers:
            return self.solve(state, role, action, options, extra, key=key)
        constraints, contradicts = self._constraints_of(options, extra)
        derived: HopResult | DerivedUnsat | None = None
        classless = False  # the hop's class was just asked and has no answer (then known_sat is False)
        tested = False  # fixed_refutes was asked (refute_first) and does not refute the hop
        if contradicts or self._absent_blocks(role, action, constraints):
            derived = DerivedUnsat(self, key)
        elif not any(related in self._answers for related, _ in self._related(state, role, action, options.closed)):
            # no answer under other constraints: a concrete caller's hop whose class has an answer gets it as solve()
            # would (queries.evalclass), without the refutation tests a Sat hop never meets; with refute_first, a hop
            # the refutation test rules out (never one a class answers) is Unsat without its class key
            if self.refute_first and self.refuted_first(state, role, action):
                derived = DerivedUnsat(self, key)
            else:
                tested = self.refute_first
                classed: HopResult | None = self.evaluated.class_answer(self, state, role, action, options, extra)
                if classed is not None:
                    self.evaluations += 1
                    self._memo[key] = classed
                    self._file_answer((state, role, action, options.closed), constraints, classed)
                    return classed
                classless = True
        if derived is None:
            wanted = frozenset(constraints)
            for related, account in () if classless else self._related(state, role, action, options.closed):
                for known, result in self.filed(related):
                    if isinstance(result, Unsat) and known <= wanted:
                        derived = DerivedUnsat(self, key)
                        break
                    if (isinstance(result, Sat) and not result.approximations
                            and (account is None or result.caller.account == account)
                            and meets_all(result.request, constraints)):
                        derived = result
                        break
                if derived is not None:
                    break
            if (derived is None and not tested and self.session.options.fixed_refutation  # a Sat hop is never refuted
                    and (classless or not self.evaluated.known_sat(self, state, role, action, options, extra))
                    and self.fixed_refutes(state, role, action)):
                derived = DerivedUnsat(self, key)
        if derived is None:
            return self.solve(state, role, action, options, extra, key=key)
        self.shared += 1
        self._derived[key] = derived
        return derived

    def hop_constraints(self, options: QueryOptions, extra: tuple[KeyConstraint, ...]) -> tuple[KeyConstraint, ...]:
        """The constraints of a hop's question (:meth:`question`), memoised per (options, extra)."""
        return self._constraints_of(options, extra)[0]

    def _constraints_of(self, options: QueryOptions, extra: tuple[KeyConstraint, ...]
                        ) -> tuple[tuple[KeyConstraint, ...], bool]:
        """:meth:`constraints` and whether they contradict each other (:func:`~trustgraph.queries.derived.
        contradictory`), memoised per (options, extra): a search asks thousands of hops under the same few."""
        key = (options, extra)
        hit = self._constraint_sets.get(key)
        if hit is None:
            constraints = self.constraints(options, extra)
            hit = self._constraint_sets[key] = (constraints, contradictory(constraints))
        return hit

    def _absent_blocks(self, role: str, action: Action, constraints: tuple[KeyConstraint, ...]) -> bool:
        """:func:`~trustgraph.queries.derived.absent_blocks` for the role's trust policy, memoised per (role, action,
        constraints) (it reads only the trust policy and the constraints)."""
        if not any(c.op == "absent" for c in constraints):
            return False
        key = (role, action, constraints)
        hit = self._absent.get(key)
        if hit is None:
            hit = self._absent[key] = absent_blocks(self.target(role).role.trust_policy, action, constraints)
        return hit

    def refuted_first(self, state: State, role: str, action: Action) -> bool:
        """With :attr:`refute_first`: whether :meth:`decide` answers the hop Unsat by :meth:`fixed_refutes` before
        asking its class (the session's fixed_refutation on and the caller concrete); read the same way by the one-step
        class moves (:func:`~trustgraph.queries.memorows.row_class_move`) before they ask the class."""
        return self.session.options.fixed_refutation and self.fixed_refutes(state, role, action)

    def fixed_refutes(self, state: State, role: str, action: Action) -> bool:
        """Whether the caller's fixed values rule the hop out under any constraints (queries.fixed), memoised per hop
        or, with :attr:`class_refutations`, per refutation key (:meth:`EvaluatedClasses.refutation_key`), the hops
        refuted kept per hop too (``_refuted``: random-5 at 4,000 roles, keeping every hop tested, +21 MB)."""
        if self.trust_refutations and self.class_refutations:
            return self._trust_refuted.refutes(self, state, role, action)
        key = (state, role, action)
        hit = self._refuted.get(key)
        if hit is not None:
            return hit
        from trustgraph.queries.fixed import fixed_refutes

        if not self.class_refutations:
            caller = self.caller(*state)
            hit = self._refuted[key] = isinstance(caller, Caller) and fixed_refutes(caller, self.target(role), action,
                                                                                   self.now_ms)
            return hit
        # per refutation key; per hop only the hops refuted (a derived Unsat each, read back by the tests) and the
        # hop asked last (asked by the one-step class moves, then by decide)
        last = self._last_refuted
        if last is not None and last[0] == key:
            return bool(last[1])
        caller = self.caller(*state)
        if not isinstance(caller, Caller):
            hit = False
        else:
            target = self.target(role)
            shared = self.evaluated.refutation_key(state, caller, target, action)
            hit = self._class_refuted.get(shared)
            if hit is None:
                hit = self._class_refuted[shared] = fixed_refutes(caller, target, action, self.now_ms)
        if hit:
            self._refuted[key] = True
        self._last_refuted = (key, hit)
        return hit

    def _related(self, state: State, role: str, action: Action, closed: bool
                 ) -> Iterator[tuple[tuple[Any, ...], str | None]]:
        """The hops whose answers may answer this one, each with the account a Sat witness's caller must belong to
        (None: any): the same hop, and for an outside account ``account:ID`` the same hop from ``external`` (a class
        that contains it: an Unsat hop from every outsider is Unsat from this account's principals, and a witness
        whose caller belongs to the account is one for it)."""
        yield (state, role, action, closed), None
        attrs = self.attrs(state[0])
        if (attrs["kind"] == NodeKind.ACCOUNT.value and EXTERNAL in self.G
                and attrs["account"] not in self._inside_accounts()):
            yield ((EXTERNAL, state[1]), role, action, closed), attrs["account"]

    def source_constraints(self, node: str, *, outside_only: bool) -> tuple[KeyConstraint, ...] | None:
        """Constraints a source imposes on its first hop; None when the source is entirely inside the zone. For a
        federated source queried as an outsider, tokens whose subject matches a trusted subject glob are ours."""
        if not outside_only:
            return ()
        attrs = self.attrs(node)
        if attrs["kind"] not in {k.value for k in FEDERATED_KINDS}:
            return () if not attrs["inside"] else None
        if attrs["inside"]:
            return None
        subjects = attrs.get("trusted_subjects") or ()
        if not subjects:
            return ()
        from trustgraph.smt.solve import KeyConstraint

        return (KeyConstraint(subject_key(attrs["provider"]), "not-like", tuple(subjects)),)

    def _witness(self, state: State, role: str, action: Action, result: Any) -> HopWitness:
        """The witness of a Sat hop, built once per (hop, answer): every search that takes the hop shares it."""
        key = (state, role, action)
        for known, witness in (kept := self._witnesses.get(key, ())):
            if known is result:
                return witness
        witness = self._new_witness(state, role, action, result)
        self._witnesses[key] = ((result, witness), *kept[:3])  # plain, naming the next session (newest first)
        return witness

    def forget_witnesses(self) -> int:
        """Drop the kept witnesses (:meth:`_witness`), returning how many hops had some: the witnesses the answers
        hold stay theirs, a hop taken again gets an equal one (the witness is a function of the hop and its memoised
        answer). external-path-to-admin's shared searches leave one per Sat hop they took and the roles checked after
        them take almost none again: condition-heavy, 20,000 roles, 136,040 hops kept, 0 read back by the 20,000
        roles; dropped, the scan process holds ~950,000 fewer blocks (~80 MB). The witness maker's shown contexts
        go with them (:meth:`~trustgraph.queries.witnesses.WitnessMaker.forget`: a context shown again is worked out
        again, equal; they also kept their requests alive): condition-heavy, 20,000 roles, 41,389, ~23 MB."""
        kept = len(self._witnesses)
        self._witnesses.clear()
        self._witness_maker.forget()
        return kept

    def _new_witness(self, state: State, role: str, action: Action, result: Any) -> HopWitness:
        return self._witness_maker.witness(state, role, action, result)

    def _symbolic_aws(self, node: str) -> bool:
        virtual = self._virtual.get(node)
        if virtual is not None:
            return virtual.symbolic
        known = self._symbolic_nodes.get(node)
        if known is None:  # a graph node's kind never changes: read once per node
            known = self._symbolic_nodes[node] = self.G.nodes[node]["kind"] in (NodeKind.ACCOUNT.value,
                                                                                NodeKind.EXTERNAL.value)
        return known

    def start_states(self, node: str) -> tuple[State, ...]:
        """The states a source starts in: an IAM user may or may not present MFA (the exports do not say which users
        have an MFA device, so both are considered); everything else starts without MFA."""
        if self.mfa_sensitive and self.attrs(node)["kind"] == NodeKind.USER.value and not self._symbolic_aws(node):
            return ((node, False), (node, True))
        return ((node, False),)

    def successors(
        self, state: State, depth: int, options: QueryOptions, first_extra: tuple[KeyConstraint, ...],
        outcome: SearchOutcome, allowed: frozenset[str] | None,
        candidates: Callable[[str], Iterable[tuple[str, dict[str, Any]]]] | None = None,
    ) -> Iterator[tuple[State, HopWitness]]:
        """Every state reachable in one satisfiable hop, recording unknown and blocked hops in ``outcome``."""
        node = state[0]
        # a session obtained by a role session never carries MFA: its successor state is known before solving,
        # and a state already reached needs no second solve (the search wants one shortest path per state); a
        # session that carries, or may be given, a source identity or transitive tags has successors of its own
        from_session = self.attrs(node)["kind"] == NodeKind.ROLE.value
        visits = outcome.visits
        carried = carried_of(state)
        plain = from_session and not carried and self.plain_session(node)
        listed: Iterable[tuple[str, dict[str, Any]]]
        to_filter = True  # whether the identity filter is still to be applied to the listed candidates
        virtual = self._virtual.get(node)
        if virtual is not None:  # a source that is not a graph node: its own first hops (queries.virtual)
            listed = virtual.edges
            to_filter = False
        elif candidates is not None:
            listed = candidates(node)
        elif plain:
            listed = self._session_candidates(node, outcome)
            to_filter = False
        else:
            listed = self.candidates.lazy_candidates(node)
        for role, data in listed:
            if allowed is not None and role not in allowed:
                continue
            if plain and (role, False) in visits:
                continue
            if (to_filter and data.get("identity_required") and data.get("via_hub")
                    and not self.candidates.may_assume(node, role)):
                continue
            action = Action(data["action"])
            if depth == 0 and options.action is not None and action is not options.action:
                continue
            extra = first_extra if depth == 0 else ()
            result = self.decide(state, role, action, options, extra)
            if isinstance(result, Sat):
                yield from self.sat_successors(state, role, action, options, extra, result, visits)
            elif isinstance(result, Unknown):
                outcome.unknown_edges.append((state, role, result.reason))
            else:
                outcome.blocked.setdefault(role, []).append((node, result))

    def sat_successors(self, state: State, role: str, action: Action, options: QueryOptions,
                       extra: tuple[KeyConstraint, ...], result: Sat, visits: Container[State] = ()
                       ) -> Iterator[tuple[State, HopWitness]]:
        """The states a Sat hop leads to, with their witnesses: the session its (settled) witness creates, the other
        MFA outcome (:meth:`flips_mfa`), the carried values on demand (queries.carry); ``visits``: reached.

        Each search from another source asks the same hops again (who_can_reach in an estate whose policies read
        carried keys searches from every source): the list of (state, answer) a hop leads to is kept once a search
        has read it to the end (it follows from memoised answers only), and replayed, filtered by ``visits`` as
        here, without settling, deciding or computing carried values again."""
        key = (state, role, action, options, extra)
        kept = self._leads.get(key)
        if kept is not None:
            for nxt, answer, filtered in kept:
                if not (filtered and nxt in visits):
                    yield nxt, self._witness(state, role, action, answer)
            return
        leads: list[tuple[State, Sat, bool]] = []
        for nxt, answer, filtered in self._leads_of(state, role, action, options, extra, result):
            leads.append((nxt, answer, filtered))
            if not (filtered and nxt in visits):  # a witness only for a state reached for the first time
                yield nxt, self._witness(state, role, action, answer)
        self._leads[key] = tuple(leads)

    def sat_leads(self, state: State, role: str, action: Action, options: QueryOptions,
                  extra: tuple[KeyConstraint, ...], result: Sat, *, key: tuple[Any, ...] | None = None,
                  keep: bool = True) -> tuple[tuple[State, Sat, bool], ...]:
        """The states of :meth:`sat_successors` with their answers (and whether each is left out when already
        reached), kept as it keeps them, without building a witness: :mod:`trustgraph.queries.shared` builds the
        witnesses of the hops of the paths it is asked for only (:meth:`witness`). ``key``: as :meth:`decide`'s.

        ``keep=False``: not kept here when not kept yet, for a caller that keeps them itself (the shared searches'
        moves, :mod:`trustgraph.queries.shared`: the ~420,000 entries of this memo took ~21 MB at 20,000 roles of
        the vendor-heavy profile); a later ask makes them again from the memoised answers, equal."""
        if key is None:
            key = (state, role, action, options, extra)
        kept = self._leads.get(key)
        if kept is None:
            kept = tuple(self._leads_of(state, role, action, options, extra, result))
            if keep:
                self._leads[key] = kept
        return kept

    def _leads_of(self, state: State, role: str, action: Action, options: QueryOptions,
                  extra: tuple[KeyConstraint, ...], result: Sat) -> Iterator[tuple[State, Sat, bool]]:
        """The states of :meth:`sat_successors` in order, each with its answer and whether it is left out when
        already reached (the other MFA outcome is always listed)."""
        carried = carried_of(state)
        result = self._settle_carried(state, role, action, options, extra, result)
        produced = self._produces_mfa(result)
        nxt = self.next_state(role, result)
        yield nxt, result, True
        if self.flips_mfa(state[0], action, role):
            alt = self.decide(state, role, action, options, (*extra, self.flip(produced)))
            if isinstance(alt, Sat) and self._produces_mfa(alt) is not produced:
                yield self.next_state(role, alt), alt, False
        forced = carried_of(nxt) if carried_of(nxt) != carried else NOTHING
        if forced is NOTHING and not self.demand:
            return  # no carried value to ask for (CarryDemand.choices yields nothing): the common case, not asked
        kinds = self.demand_kinds(role)
        if kinds is not None and not kinds:
            return  # no policy after the hop reads a carried value: none asked (queries.demandmap)
        for chosen in self.demand.choices(self.target(role).role.trust_policy, carried, forced, kinds):
            alt = self.decide(state, role, action, options, (*extra, *chosen))
            if isinstance(alt, Sat):
                yield self.next_state(role, alt), alt, True

    def next_state(self, role: str, result: Any) -> State:
        """The state of the session a Sat hop into ``role`` creates: MFA, and what it carries (queries.carry)."""
        caller, request = result.caller, result.request
        if (caller.source_identity is None and not caller.transitive_tags
                and not request.get("sts:sourceidentity") and not request.get("sts:transitivetagkeys")):
            # carried_after of a caller carrying nothing whose call sets no source identity and passes no
            # transitive tag: nothing (the common case, without building it)
            plain = (role, self._produces_mfa(result))
            return self._plain_states.setdefault(plain, plain)
        from trustgraph.semantics.carried import carried_after

        carried = carried_after(caller, request)
        return state_of(role, self._produces_mfa(result), carried)

    def _settle_carried(self, state: State, role: str, action: Action, options: QueryOptions,
                        extra: tuple[KeyConstraint, ...], result: Sat) -> Sat:
        """A hop whose witness sets a source identity or transitive tags hands them to every later session, which
        must then be allowed sts:SetSourceIdentity / sts:TagSession (docs/semantics.md §1.6): prefer a witness
        that sets neither when the hop allows one (the caller chooses); else the next state carries what the
        witness set, and the later hops are decided on it."""
        sets_identity = bool(result.request.get("sts:sourceidentity")) and carried_of(state).source_identity is None
        sets_tags = bool(result.request.get("sts:transitivetagkeys"))
        if not (sets_identity or sets_tags):
            return result
        from trustgraph.smt.solve import KeyConstraint
        from trustgraph.smt.solve import Sat as SatAnswer

        unset = [KeyConstraint("sts:SourceIdentity", "absent")] if sets_identity else []
        if sets_tags:
            unset.append(KeyConstraint("sts:TransitiveTagKeys", "absent"))
        alt = self.decide(state, role, action, options, (*extra, *unset))
        return alt if isinstance(alt, SatAnswer) else result

    #: the public names of the witness of a Sat hop and of the answer a search keeps for it (the reverse search's)
    witness, settle_carried = _witness, _settle_carried

    def explain_unsat(self, role: str, result: Any) -> str:
        """The unsat core in words (:func:`trustgraph.queries.answers.explain_unsat`)."""
        return answers.explain_unsat(self, role, result)

    # ------------------------------------------------------------------------------------------------ candidates
    def hop_candidates(self, node: str) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The (role, edge data) pairs one hop away from ``node`` (:meth:`HopCandidates.hop_candidates`)."""
        return self.candidates.hop_candidates(node)

    def in_candidates(self, role: str) -> tuple[tuple[str, dict[str, Any], tuple[int, int]], ...]:
        """The nodes that list ``role`` among their hop candidates (:meth:`HopCandidates.in_candidates`)."""
        return self.candidates.in_candidates(role)

    def mfa_in_candidates(self, role: str) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The in-candidates whose hop can produce a session with MFA (:meth:`HopCandidates.mfa_in_candidates`)."""
        return self.candidates.mfa_in_candidates(role)

    def _session_candidates(self, node: str, outcome: SearchOutcome) -> Iterator[tuple[str, dict[str, Any]]]:
        """The hop candidates of a role session, without the roles ``outcome`` already reached
        (:meth:`HopCandidates.session_candidates`)."""
        return self.candidates.session_candidates(node, outcome.visits, outcome.pending)

    @staticmethod
    def _produces_mfa(result: Any) -> bool:
        caller = result.caller
        return caller.kind is CallerKind.IAM_USER and result.request.get(MFA_KEY) == ("true",)

    def produces_mfa(self, result: Any) -> bool:
        """Whether a Sat hop yields a session that carries MFA (an IAM user presenting MFA)."""
        return self._produces_mfa(result)

    def flips_mfa(self, node: str, action: Action, role: str | None = None) -> bool:
        """Whether the search also asks for the other MFA outcome of a Sat hop from ``node`` (a symbolic AWS source
        that may be a user with or without MFA, when some trust policy reads MFA) into ``role`` (given: only when
        something a session of the role does next may read MFA, :mod:`trustgraph.queries.mfa`)."""
        if not self.mfa_sensitive or action is not Action.ASSUME_ROLE or not self._symbolic_aws(node):
            return False
        from trustgraph.queries.mfa import mfa_read_after

        return role is None or mfa_read_after(self, role)

    @staticmethod
    def flip(produced: bool) -> KeyConstraint:
        """The constraint asking for the other MFA outcome than ``produced``."""
        from trustgraph.smt.solve import KeyConstraint

        return (KeyConstraint(MFA_KEY, "equals", ("true",)) if not produced
                else KeyConstraint(MFA_KEY, "not-like", ("true",)))

    # ---------------------------------------------------------------------------------------------------- search
    def search(
        self,
        source: str,
        options: QueryOptions,
        *,
        outside_only: bool = False,
        allowed: frozenset[str] | None = None,
        stop_at: str | None = None,
        starts: Sequence[str] | None = None,
        candidates: Callable[[str], Iterable[tuple[str, dict[str, Any]]]] | None = None,
        keep: Callable[[State, int], bool] | None = None,
    ) -> SearchOutcome:
        """Breadth-first search from one source, or from a class of sources at once.

        ``source`` names the answer's source; ``starts`` (default: ``[source]``) are the nodes the search starts from,
        so that a class such as ``external`` is searched once, each role reached by the shortest path from any of
        its members. ``outside_only`` applies the zone's trusted-subject globs to federated starts; ``allowed``
        restricts the roles expanded (e.g. to ancestors of a target); ``stop_at`` ends the search when that node is
        reached; ``candidates`` (default: every hop candidate) lists the (role, edge data) pairs tried from a node,
        a sub-sequence of its hop candidates in their order (a search pruned to roles that can lead to ``stop_at``);
        ``keep(state, depth)`` (default: every state) decides whether a state first reached at that depth is visited
        (a search restricted to the states on shortest paths to ``stop_at``: :mod:`trustgraph.queries.backward`)."""
        outcome = SearchOutcome(source, options=options)
        first_extra = outcome.first_extra
        queue: deque[State] = deque()
        for node in starts if starts is not None else (source,):
            extra = self.source_constraints(node, outside_only=outside_only)
            if extra is None:
                continue
            first_extra[node] = extra
            for start in self.start_states(node):
                outcome.visits[start] = Visit(None, None, 0)
                queue.append(start)
        while queue:
            state = queue.popleft()
            depth = outcome.visits[state].depth
            if options.max_hops is not None and depth >= options.max_hops:
                continue
            extra = first_extra.get(state[0], ()) if depth == 0 else ()
            for nxt, witness in self.successors(state, depth, options, extra, outcome, allowed, candidates):
                if nxt in outcome.visits or (keep is not None and not keep(nxt, depth + 1)):
                    continue
                outcome.visits[nxt] = Visit(state, witness, depth + 1)
                outcome.first.setdefault(nxt[0], nxt)
                queue.append(nxt)
                if stop_at is not None and nxt[0] == stop_at:
                    return outcome
        return outcome

    # --------------------------------------------------------------------------------------------------- answers
    # --------------------------------------------------------------------------------------------------- answers
    def result_for(self, outcome: SearchOutcome, target: str, unknown_zone: set[str] | None = None) -> ReachResult:
        """The answer for (outcome.source, target) (:func:`trustgraph.queries.answers.result_for`)."""
        return answers.result_for(self, outcome, target, unknown_zone)

    def agree_on_session_names(self, outcome: SearchOutcome, state: State, hops: tuple[HopWitness, ...]
                               ) -> tuple[HopWitness, ...]:
        """The path with each hop naming the session the next hop's caller is
        (:func:`trustgraph.queries.answers.agree_on_session_names`)."""
        return answers.agree_on_session_names(self, outcome, state, hops)

    def unreachable_reason(self, outcome: SearchOutcome, target: str) -> str:
        """Why no path exists (:func:`trustgraph.queries.answers.unreachable_reason`)."""
        return answers.unreachable_reason(self, outcome, target)


describe_location, locations_of = answers.describe_location, answers.locations_of

__all__ = ["DerivedUnsat", "EXTERNAL", "ReachabilityEngine", "SearchOutcome", "State", "locations_of", "subject_key"]
