"""Hostile inputs timed per call (``trustgraph bench --adversarial``): the cases of issue 12 that used to stall.

- Glob patterns that make a backtracking matcher exponential (``*a*a...*a*b`` against ``aaa...a``), through
  :func:`trustgraph.model.pattern.matches` (the evaluator's and the guesser's matcher).
- The 250-byte trust policy ``StringLike sts:ExternalId ["*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaa...a"]`` and a trust
  policy with three 1,000-CIDR lists, each asked ``can_reach`` from an outside account (loading, the graph, the
  concrete guesses and the solver), once each.

Times are printed, never asserted (the suite checks the answers; a machine's speed is not a test result).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
OUTSIDER = "999988887777"


@dataclass(frozen=True, slots=True)
class AdversarialResult:
    """One case: its name, how many calls were timed, the time per call, and the answer (to show it was decided)."""

    case: str
    calls: int
    ms_per_call: float
    answer: str


def _timed(case: str, calls: int, fn: Callable[[], object]) -> AdversarialResult:
    answer: object = None
    start = time.perf_counter()
    for _ in range(calls):
        answer = fn()
    elapsed = time.perf_counter() - start
    return AdversarialResult(case, calls, 1000 * elapsed / calls, str(answer))


def _trust_export(condition: dict[str, Any]) -> dict[str, Any]:
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"}, "Action": "sts:AssumeRole",
        "Condition": condition}]}
    return {"UserDetailList": [], "GroupDetailList": [], "Policies": [], "RoleDetailList": [{
        "Path": "/", "RoleName": "Target", "RoleId": "AROAEXAMPLEEXAMPLE01",
        "Arn": f"arn:aws:iam::{ACCOUNT}:role/Target", "CreateDate": "2024-01-01T00:00:00Z",
        "AssumeRolePolicyDocument": trust, "InstanceProfileList": [], "RolePolicyList": [],
        "AttachedManagedPolicies": [], "Tags": []}]}


def _reach_case(case: str, condition: dict[str, Any]) -> AdversarialResult:
    from trustgraph.api import load

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"gaad-{ACCOUNT}.json"
        path.write_text(json.dumps(_trust_export(condition)))

        def ask() -> str:
            tg = load(str(path), zone=[ACCOUNT])
            return tg.can_reach(f"account:{OUTSIDER}", f"arn:aws:iam::{ACCOUNT}:role/Target").verdict.value

        return _timed(case, 1, ask)


def run_adversarial() -> list[AdversarialResult]:
    """Time every case (a few seconds in all on a laptop)."""
    from trustgraph.model.pattern import matches, parse_pattern

    out = []
    for pairs in (4, 6, 8, 10, 40):
        pattern = parse_pattern("*a" * pairs + "*b", wildcards=True, variables=False)
        for n in (100, 10_000):
            value = "a" * n
            calls = 1000 if n <= 100 else 50
            out.append(_timed(f"glob {'*a' * min(pairs, 3)}...*b ({pairs} pairs) vs {n} x 'a'", calls,
                              functools.partial(matches, pattern, value)))
    question = parse_pattern("*" + "?" * 50 + "*b", wildcards=True, variables=False)
    out.append(_timed("glob *??...?*b (50 ?) vs 10000 x 'a'", 50, lambda: matches(question, "a" * 10_000)))
    out.append(_reach_case("can_reach: StringLike sts:ExternalId ['*a*a...*b' (12 pairs), 'a' x 100]",
                           {"StringLike": {"sts:ExternalId": ["*a" * 12 + "*b", "a" * 100]}}))
    nets = [[str(ipaddress.ip_network((base + i * 512, 23))) for i in range(1000)]
            for base in (0x0A000000, 0xAC100000, 0x64400000)]
    scattered = [str(ipaddress.ip_network((0x0B000000 + (i * 7919 % 0xFFFF) * 256, 24))) for i in range(1000)]
    out.append(_reach_case("can_reach: IpAddress/NotIpAddress/ForAnyValue:IpAddress, 3 x 1000 CIDRs",
                           {"IpAddress": {"aws:SourceIp": nets[0] + scattered},
                            "NotIpAddress": {"aws:SourceIp": nets[1]},
                            "ForAnyValue:IpAddress": {"aws:VpcSourceIp": nets[2]}}))
    return out


__all__ = ["AdversarialResult", "run_adversarial"]
