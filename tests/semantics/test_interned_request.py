"""``interned_request``: a request of the same content (action, duration, context in order) is the one kept."""

from __future__ import annotations

from typing import Any

from trustgraph.semantics.request import Action, Request, interned_request


def test_same_content_is_the_same_request() -> None:
    pool: dict[int, Request] = {}
    a = interned_request(pool, Action.ASSUME_ROLE, {"aws:principalarn": ("arn:x",), "sts:externalid": ("e",)}, 3600)
    b = interned_request(pool, Action.ASSUME_ROLE, {"aws:principalarn": ("arn:x",), "sts:externalid": ("e",)}, 3600)
    assert a is b
    assert a == Request(action=Action.ASSUME_ROLE, context={"aws:principalarn": ("arn:x",),
                                                            "sts:externalid": ("e",)}, duration_seconds=3600)


def test_any_difference_makes_another_request() -> None:
    pool: dict[int, Request] = {}
    base = {"aws:principalarn": ("arn:x",), "sts:externalid": ("e",)}
    first = interned_request(pool, Action.ASSUME_ROLE, base, None)
    others = [
        interned_request(pool, Action.ASSUME_ROLE, {"aws:principalarn": ("arn:y",), "sts:externalid": ("e",)}),
        interned_request(pool, Action.ASSUME_ROLE, {"sts:externalid": ("e",), "aws:principalarn": ("arn:x",)}),
        interned_request(pool, Action.ASSUME_ROLE, base, 900),
        interned_request(pool, Action.TAG_SESSION, base, None),
    ]
    for other in others:
        assert other is not first
    # the context in another order is a request of its own (the order a context is read in stays the one made)
    assert list(others[1].context) == ["sts:externalid", "aws:principalarn"]


def test_a_taken_hash_makes_a_request_without_keeping_it() -> None:
    made = Request(action=Action.ASSUME_ROLE, context={"aws:principalarn": ("arn:y",)})
    ctx = {"aws:principalarn": ("arn:x",)}
    pool = {hash((Action.ASSUME_ROLE, None, tuple(ctx.items()))): made}  # another content under this hash
    got = interned_request(pool, Action.ASSUME_ROLE, ctx)
    assert got is not made and got.get("aws:PrincipalArn") == ("arn:x",)
    assert list(pool.values()) == [made]


def test_packed_contexts_read_as_the_mapping() -> None:
    """With ``schemas`` a request made keeps its context packed (``PackedContext``): equal to the request made
    from the same items (both ways), read as that mapping (keys in order, look-ups, ``in``, items, length, a
    dictionary of it, its text, pickling), the keys' positions shared by the contexts of the same keys in order."""
    import pickle

    from trustgraph.semantics.request import PackedContext, packed_context

    schemas: dict[tuple[str, ...], Any] = {}
    pool: dict[int, Request] = {}
    items = {"aws:principalarn": ("arn:x",), "sts:externalid": ("e", "f")}
    packed = interned_request(pool, Action.ASSUME_ROLE, items, 3600, schemas)
    plain = Request(action=Action.ASSUME_ROLE, context=items, duration_seconds=3600)
    ctx = packed.context
    assert isinstance(ctx, PackedContext)
    assert packed == plain and plain == packed and ctx == plain.context and plain.context == ctx
    assert list(ctx) == list(plain.context) == ["aws:principalarn", "sts:externalid"]
    assert list(ctx.items()) == list(plain.context.items()) and len(ctx) == 2 and dict(ctx) == dict(plain.context)
    assert ctx["sts:externalid"] == ("e", "f") and ctx.get("nope") is None and ctx.get("nope", ()) == ()
    assert "aws:principalarn" in ctx and "aws:PrincipalArn" not in ctx and packed.get("aws:PrincipalArn") == ("arn:x",)
    assert repr(ctx) == repr(plain.context)
    assert pickle.loads(pickle.dumps(packed)) == plain
    other = packed_context(schemas, {"aws:PrincipalArn": ("arn:y",), "sts:externalid": ("g",)})  # lower-cased
    assert isinstance(other, PackedContext) and other._index is ctx._index and other != ctx
    assert interned_request(pool, Action.ASSUME_ROLE, items, 3600, schemas) is packed
    # two keys the same lower-cased: frozen as Request freezes it (the later value)
    twice = packed_context(schemas, {"a": ("1",), "A": ("2",)})
    assert not isinstance(twice, PackedContext) and dict(twice) == {"a": ("2",)}
