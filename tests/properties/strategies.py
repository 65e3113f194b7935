"""Hypothesis strategies: condition blocks over a small pool of keys, and concrete request contexts for them.

Alphabets are tiny on purpose so that random policy values and random request values collide often (equal strings,
glob matches, CIDR hits, equal dates), which is where the interesting cases are.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from trustgraph.ingest.policy_json import conditions_from_json
from trustgraph.model.condition import Condition
from trustgraph.model.location import Location

STRING_KEYS = ("sts:externalid", "aws:principaltag/team", "aws:username", "saml:sub")
ARN_KEYS = ("aws:principalarn", "aws:sourcearn")
MULTI_KEYS = ("aws:tagkeys", "aws:principalorgpaths")
NUMERIC_KEYS = ("aws:multifactorauthage",)
DATE_KEYS = ("aws:currenttime", "aws:tokenissuetime")
BOOL_KEYS = ("aws:multifactorauthpresent", "aws:securetransport")
IP_KEYS = ("aws:sourceip",)

STRING_OPS = ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
              "StringLike", "StringNotLike")
ARN_OPS = ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")
NUMERIC_OPS = ("NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
               "NumericGreaterThan", "NumericGreaterThanEquals")
DATE_OPS = ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
            "DateGreaterThanEquals")

short_text = st.text(alphabet="aAb:/-", min_size=0, max_size=5)
glob_text = st.text(alphabet="aAb:/-*?", min_size=0, max_size=6)
# variables next to wildcards or under IgnoreCase are over-approximated by the encoder (an oracle), so the
# agreement property draws them only under StringEquals/StringNotEquals
variable_text = st.sampled_from(["${aws:username}", "a${aws:username}", "${aws:principaltag/team, 'dflt'}",
                                 "${sts:externalid}"])
arn_value = st.builds(lambda parts: ":".join(parts), st.lists(st.text(alphabet="ab/*?", max_size=3),
                                                              min_size=2, max_size=8))
numbers = st.sampled_from(["0", "1", "3", "3.5", "3.50", "-1", "10", "abc"])
dates = st.sampled_from(["2020-01-01T00:00:00Z", "2026-11-28T00:00:00Z", "2026-11-28", "1795824000",
                         "2030-05-05T12:00:00Z", "not-a-date"])
bools = st.sampled_from(["true", "false", "True", "FALSE", "maybe"])
ip_ranges = st.sampled_from(["10.0.0.0/8", "10.0.0.1", "10.0.0.0/31", "0.0.0.0/0", "2001:db8::/32", "::1",
                             "203.0.113.0/24", "300.1.1.1"])
ips = st.sampled_from(["10.0.0.1", "10.0.0.0", "10.9.8.7", "203.0.113.5", "11.0.0.1", "::1", "2001:db8::5",
                       "2001:db9::1"])


def _op(base: str, draw: Any) -> str:
    qual = draw(st.sampled_from(["", "", "ForAnyValue:", "ForAllValues:"]))
    ifx = draw(st.sampled_from(["", "", "IfExists"]))
    return f"{qual}{base}{ifx}"


@st.composite
def conditions(draw: Any) -> Condition:
    """One condition of a family that fits its key's type (the encoder models these exactly)."""
    family = draw(st.sampled_from(["string", "arn", "multi", "numeric", "date", "bool", "ip", "null"]))
    if family in ("string", "multi"):
        key = draw(st.sampled_from(STRING_KEYS if family == "string" else MULTI_KEYS))
        base = draw(st.sampled_from(STRING_OPS))
        with_vars = family == "string" and base in ("StringEquals", "StringNotEquals")
        vals = draw(st.lists(st.one_of(glob_text, variable_text) if with_vars else glob_text, min_size=1,
                             max_size=3))
    elif family == "arn":
        key = draw(st.sampled_from(ARN_KEYS))
        base = draw(st.sampled_from(ARN_OPS + ("StringLike", "StringEquals")))
        vals = draw(st.lists(arn_value, min_size=1, max_size=2))
    elif family == "numeric":
        key, base = NUMERIC_KEYS[0], draw(st.sampled_from(NUMERIC_OPS))
        vals = draw(st.lists(numbers, min_size=1, max_size=3))
    elif family == "date":
        key, base = draw(st.sampled_from(DATE_KEYS)), draw(st.sampled_from(DATE_OPS))
        vals = draw(st.lists(dates, min_size=1, max_size=2))
    elif family == "bool":
        key, base = draw(st.sampled_from(BOOL_KEYS)), "Bool"
        vals = draw(st.lists(bools, min_size=1, max_size=2))
    elif family == "ip":
        key, base = IP_KEYS[0], draw(st.sampled_from(["IpAddress", "NotIpAddress"]))
        vals = draw(st.lists(ip_ranges, min_size=1, max_size=3))
    else:
        key = draw(st.sampled_from(STRING_KEYS + MULTI_KEYS + BOOL_KEYS + IP_KEYS))
        (cond,) = conditions_from_json({"Null": {key: draw(st.lists(bools, min_size=1, max_size=2))}},
                                       Location("prop.json", ""), variables=True)
        return cond
    op = _op(base, draw)
    (cond,) = conditions_from_json({op: {key: vals}}, Location("prop.json", ""), variables=True)
    return cond


ALL_KEYS = STRING_KEYS + ARN_KEYS + MULTI_KEYS + NUMERIC_KEYS + DATE_KEYS + BOOL_KEYS + IP_KEYS


@st.composite
def contexts(draw: Any) -> dict[str, tuple[str, ...]]:
    """A concrete request context over the key pool, values in canonical form for each key's type."""
    out: dict[str, tuple[str, ...]] = {}
    for key in ALL_KEYS:
        if not draw(st.booleans()):
            continue
        if key in STRING_KEYS:
            out[key] = (draw(short_text),)
        elif key in ARN_KEYS:
            out[key] = (draw(st.builds(lambda p: ":".join(p), st.lists(st.text(alphabet="ab/", max_size=3),
                                                                        min_size=2, max_size=8))),)
        elif key in MULTI_KEYS:
            out[key] = tuple(draw(st.lists(short_text, min_size=1, max_size=3)))
        elif key in NUMERIC_KEYS:
            out[key] = (draw(st.sampled_from(["0", "1", "3", "3.5", "-1", "10", "3600"])),)
        elif key in DATE_KEYS:
            out[key] = (draw(st.sampled_from(["2020-01-01T00:00:00Z", "2026-11-28T00:00:00Z",
                                              "2019-12-31T23:59:59Z", "2030-05-05T12:00:00Z"])),)
        elif key in BOOL_KEYS:
            out[key] = (draw(st.sampled_from(["true", "false"])),)
        else:
            out[key] = (draw(ips),)
    return out
