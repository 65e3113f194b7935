"""The API limits of the session tags a request passes (docs/semantics.md §1.7).

AWS STS refuses an AssumeRole* call whose ``Tags`` or ``TransitiveTagKeys`` break the limits of the STS API reference
(``Tag`` data type, [D STS-TAG]; AssumeRole ``Tags``/``TransitiveTagKeys``, [D STS-AR]; IAM User Guide, "Pass session
tags in AWS STS", [D TAGS]):

- a tag key is 1-128 characters of ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]`` and does not start with ``aws:`` (any case);
- a tag value is 0-256 characters of the same class;
- at most 50 session tags, and at most 50 transitive tag keys.

In the request context the tags are the ``aws:RequestTag/KEY`` keys (key lower-cased), ``aws:TagKeys`` (the keys as
passed) and ``sts:TransitiveTagKeys``: :func:`session_tags_problem` reads those, and the evaluator refuses a request
it names a problem for (``semantics.evaluate._precheck``); the z3 encoding states the same limits on the symbolic
keys and values (``smt.presence.tag_limits``, ``tag_value_limits``) and the guesses skip values that break them
(``smt.guess``, :func:`tag_values_problem`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
MAX_SESSION_TAGS = 50
MAX_TRANSITIVE_TAG_KEYS = 50
#: the characters of the class beyond the Unicode letters (L), separators (Z) and numbers (N)
TAG_PUNCTUATION = "_.:/=+-@"
#: the prefix AWS reserves: no session tag key starts with it (compared without case)
RESERVED_PREFIX = "aws:"
REQUEST_TAG = "aws:requesttag/"


def tag_char_ok(ch: str) -> bool:
    """``ch`` is in ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]``."""
    return ch in TAG_PUNCTUATION or unicodedata.category(ch)[0] in "LZN"


def tag_key_ok(key: str) -> bool:
    """``key`` is a session tag key STS accepts.

    >>> tag_key_ok("team"), tag_key_ok(""), tag_key_ok("aws:team"), tag_key_ok("a*"), tag_key_ok("équipe 1")
    (True, False, False, False, True)
    """
    return (0 < len(key) <= TAG_KEY_MAX and not key.lower().startswith(RESERVED_PREFIX)
            and all(map(tag_char_ok, key)))


def tag_value_ok(value: str) -> bool:
    """``value`` is a session tag value STS accepts (the empty value is one).

    >>> tag_value_ok(""), tag_value_ok("x" * 257), tag_value_ok("a\\x00")
    (True, False, False)
    """
    return len(value) <= TAG_VALUE_MAX and all(map(tag_char_ok, value))


def session_tags_problem(context: Mapping[str, tuple[str, ...]]) -> str | None:
    """Why STS refuses the session tags of a (lower-cased) request context, or None."""
    count = 0
    for key, values in context.items():
        if not key.startswith(REQUEST_TAG):
            continue
        count += 1
        name = key[len(REQUEST_TAG):]
        if not tag_key_ok(name):
            return f"STS rejects the request: session tag key {name!r} is outside its limits"
        for v in values:
            if not tag_value_ok(v):
                return f"STS rejects the request: session tag {name} value {v!r} is outside its limits"
    listed = context.get("aws:tagkeys") or ()
    for name in listed:
        if not tag_key_ok(name):
            return f"STS rejects the request: session tag key {name!r} (aws:TagKeys) is outside its limits"
    if max(count, len(listed)) > MAX_SESSION_TAGS:
        return f"STS rejects the request: more than {MAX_SESSION_TAGS} session tags"
    transitive = context.get("sts:transitivetagkeys") or ()
    if len(transitive) > MAX_TRANSITIVE_TAG_KEYS:
        return f"STS rejects the request: more than {MAX_TRANSITIVE_TAG_KEYS} transitive tag keys"
    for name in transitive:
        if not tag_key_ok(name):
            return f"STS rejects the request: transitive tag key {name!r} is outside its limits"
    return None


def tag_values_problem(key: str, values: tuple[str, ...]) -> bool:
    """Whether the values of one (lower-cased) context key break a session tag limit: the tag's key or values for
    ``aws:RequestTag/KEY``, the keys and their number for ``aws:TagKeys`` and ``sts:TransitiveTagKeys`` (the
    encoding's check of a ground key, :func:`session_tags_problem` on that key alone)."""
    if key.startswith(REQUEST_TAG):
        return not tag_key_ok(key[len(REQUEST_TAG):]) or not all(map(tag_value_ok, values))
    if key in ("aws:tagkeys", "sts:transitivetagkeys"):
        return len(values) > MAX_SESSION_TAGS or not all(map(tag_key_ok, values))
    return False


__all__ = [
    "MAX_SESSION_TAGS", "MAX_TRANSITIVE_TAG_KEYS", "RESERVED_PREFIX", "TAG_KEY_MAX", "TAG_PUNCTUATION",
    "TAG_VALUE_MAX", "session_tags_problem", "tag_char_ok", "tag_key_ok", "tag_value_ok", "tag_values_problem",
]
