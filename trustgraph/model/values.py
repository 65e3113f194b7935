"""Typed readings of condition values and request values: numbers, dates, booleans, IP ranges, binary.

Both the concrete evaluator and the z3 encoding read values through these functions, so a value that one of them
cannot parse is unparseable for the other too. Each returns None for text it cannot read.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from datetime import UTC, datetime
from fractions import Fraction
from functools import lru_cache

from trustgraph.model.condition import Family

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_EPOCH = re.compile(r"^[+-]?\d+$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

IpRange = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_number(text: str) -> Fraction | None:
    """An integer or decimal as an exact fraction (``"1.5"`` -> 3/2)."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    return Fraction(text)


def format_number(frac: Fraction) -> str:
    """A number as a condition value text: an integer as such, a finite decimal exactly (one digit after
    the point per factor 2 or 5 of its denominator: 1/10 is ``0.10``), any other rounded to 12
    digits after the point (what :func:`parse_number` reads back)."""
    if frac.denominator == 1:
        return str(frac.numerator)
    den = frac.denominator
    digits = 0
    while den % 2 == 0 or den % 5 == 0:
        den //= 2 if den % 2 == 0 else 5
        digits += 1
    if den != 1:  # not a finite decimal: the closest 12-digit decimal (the encoder avoids this where it matters)
        digits = 12
    scaled = round(frac * 10**digits)
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


@lru_cache(maxsize=4096)
def parse_date(text: str) -> int | None:
    """A W3C ISO-8601 date/time or epoch seconds, as epoch milliseconds (UTC when no offset is given): a pure
    function of one string, remembered (every request the evaluator builds reads the scan's clock back)."""
    text = text.strip()
    if _EPOCH.match(text):
        return int(text) * 1000
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        if _DATE_ONLY.match(candidate):
            dt = datetime.strptime(candidate, "%Y-%m-%d")
        else:
            dt = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


@lru_cache(maxsize=4096)
def format_date(epoch_ms: int) -> str:
    """Epoch milliseconds as ISO-8601 UTC (``2026-11-28T00:00:00Z``), for witnesses: a pure function of one number,
    remembered (a scan formats its own clock, and the few instants the policies name, on every hop it decides)."""
    dt = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    if epoch_ms % 1000:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_bool(text: str) -> bool | None:
    """``true``/``false`` in any letter case."""
    low = text.strip().lower()
    return True if low == "true" else False if low == "false" else None


@lru_cache(maxsize=4_096)
def parse_ip_range(text: str) -> IpRange | None:
    """A CIDR block, or a bare address as a /32 (/128) block. Host bits are ignored, as AWS does. Memoised by the
    text (a pure function; the network objects are immutable values): the evaluator parses an IpAddress condition's
    blocks on every evaluation of it, thousands of times for one policy's few blocks in a scan."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """A request's IP address."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def parse_binary(text: str) -> bytes | None:
    """A base-64 value of BinaryEquals."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def valid_value(family: Family, text: str) -> bool:
    """True when a policy value of the operator family can be read."""
    if family is Family.NUMERIC:
        return parse_number(text) is not None
    if family is Family.DATE:
        return parse_date(text) is not None
    if family in (Family.BOOL, Family.NULL):
        return parse_bool(text) is not None
    if family is Family.IP:
        return parse_ip_range(text) is not None
    if family is Family.BINARY:
        return parse_binary(text) is not None
    return True
