"""``interned_request``: a request of the same content (action, duration, context in order) is the one kept."""

from __future__ import annotations

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
