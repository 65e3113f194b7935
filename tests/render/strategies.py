"""Hypothesis strategies for findings with arbitrary text (for the renderers' property tests)."""

from __future__ import annotations

from hypothesis import strategies as st

from trustgraph.checks.finding import Finding, FindingKind, Severity
from trustgraph.model.location import Location
from trustgraph.queries.results import HopWitness
from trustgraph.render.report import ScanReport

text = st.text(max_size=40)
check_ids = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
pointers = st.lists(text, max_size=4).map(lambda toks: "".join("/" + t.replace("~", "~0").replace("/", "~1")
                                                                for t in toks))
locations = st.builds(Location, text.filter(bool), pointers)
hops = st.builds(
    HopWitness,
    source=text,
    target=text,
    action=text,
    context=st.dictionaries(text, st.lists(text, min_size=1, max_size=3).map(tuple), max_size=3),
    statements=st.lists(locations, max_size=2).map(tuple),
    approximations=st.lists(text, max_size=2).map(tuple),
)
findings = st.builds(
    Finding,
    check_id=check_ids,
    severity=st.sampled_from(list(Severity)),
    role=text,
    source=text,
    message=text,
    remediation=text,
    title=text,
    path=st.lists(hops, max_size=3).map(tuple),
    statements=st.lists(locations, max_size=3).map(tuple),
    approximate=st.booleans(),
    approximations=st.lists(text, max_size=2).map(tuple),
    kind=st.sampled_from(list(FindingKind)),
    suppressed_by=st.none() | text,
)
reports = st.builds(
    ScanReport,
    findings=st.lists(findings, max_size=5).map(tuple),
    inputs=st.lists(text.filter(bool), max_size=3).map(tuple),
    zone=st.fixed_dictionaries({"accounts": st.lists(text, max_size=2), "organizations": st.lists(text, max_size=2),
                                "identity_providers": st.just([]), "source": text}),
)
