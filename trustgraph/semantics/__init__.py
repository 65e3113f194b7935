"""Concrete semantics of one assume-role hop: the executable specification the z3 encoding follows.

``request`` holds the contract values (Caller, Target, Request, Decision); ``keys`` the condition key catalog;
``conditions``, ``principals`` and ``actions`` evaluate the parts of a statement; ``context`` builds the request
context of a concrete caller; ``evaluate`` decides a hop; ``callers`` builds callers and targets from the estate.
"""

from trustgraph.semantics.conditions import UndecidableCondition, evaluate_condition, evaluate_conditions
from trustgraph.semantics.context import build_request, principal_context
from trustgraph.semantics.evaluate import evaluate_hop, evaluate_policy
from trustgraph.semantics.keys import KeyInfo, is_multivalued, key_info
from trustgraph.semantics.principals import MatchForm, principal_match, principal_matches
from trustgraph.semantics.request import (
    Action,
    Caller,
    CallerKind,
    Decision,
    Request,
    Target,
    Verdict,
)

__all__ = [
    "Action", "Caller", "CallerKind", "Decision", "KeyInfo", "MatchForm", "Request", "Target",
    "UndecidableCondition", "Verdict", "build_request", "evaluate_condition", "evaluate_conditions",
    "evaluate_hop", "evaluate_policy", "is_multivalued", "key_info", "principal_context", "principal_match",
    "principal_matches",
]
