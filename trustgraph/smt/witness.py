"""From an answer to a request: the request a caller sends when it chooses nothing
(:func:`base_context`), a z3 model decoded into a caller and a request (:func:`witness`), and the replay of a request
through the concrete evaluator (:func:`replay`), which every Sat answer goes through."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trustgraph.errors import ReplayMismatch
from trustgraph.semantics.keys import key_info
from trustgraph.semantics.request import Action, Caller, Decision, Request, Target
from trustgraph.smt.decode import key_values
from trustgraph.smt.env import Env
from trustgraph.smt.presence import HopView
from trustgraph.smt.results import HopResult, Sat
from trustgraph.smt.symbolic import Candidate
from trustgraph.smt.z3lazy import z3


def base_context(caller: Caller, action: Action, target: Target, duration: int | None, now_text: str,
                  view: HopView, built: Request | None = None) -> dict[str, tuple[str, ...]]:
    """The request ``caller`` sends when it chooses nothing, with ``closed`` applied and the ground keys set: what a
    solver witness or a concrete-first guess starts from (``built``: that request, when the caller made it already
    with these arguments)."""
    from trustgraph.semantics.context import build_request

    base = built if built is not None else build_request(caller, action, {}, target=target,
                                                          duration_seconds=duration, now=now_text)
    ctx: dict[str, tuple[str, ...]] = dict(base.context)
    if view.closed:
        for key in list(ctx):
            if key in view.given or _key_info(key).principal_derived or key in _RESOURCE_KEYS \
                    or key.startswith("aws:resourcetag/") \
                    or (key == "sts:sourceidentity" and view.carried_source_identity is not None):
                continue
            ctx.pop(key)
    for key, values in view.ground.items():
        if _key_info(key).principal_derived or key in _RESOURCE_KEYS:
            continue
        if values:
            ctx[key] = tuple(values)
        else:
            ctx.pop(key, None)
    return ctx


#: keys of the role, set by build_request from the target (never chosen, never closed)
_RESOURCE_KEYS = frozenset({"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"})


def _key_info(key: str) -> Any:
    return key_info(key)


def replay(caller: Caller, target: Target, action: Action, ctx: dict[str, tuple[str, ...]], duration: int | None,
            approximations: Sequence[str]) -> tuple[Request, Decision, list[str]]:
    """Evaluate a witness request; the approximations of the answer (``approximations`` and the evaluator's)."""
    from trustgraph.semantics.evaluate import evaluate_hop

    request = Request(action=action, context=ctx, duration_seconds=duration)
    decision = evaluate_hop(caller, target, request)
    approx = list(approximations)
    for w, loc in decision.approximations:
        s = f"{w} at {loc}"
        if s not in approx:
            approx.append(s)
    return request, decision, approx


def decoded_request(cand: Candidate, target: Target, action: Action, env: Env, model: z3.ModelRef,
                    builders: dict[str, Any], now_text: str, duration: int | None,
                    view: HopView) -> tuple[Caller, dict[str, tuple[str, ...]]]:
    """The caller and the request context a model describes: the base context, then every key the solver chose
    (keys the caller's builders or principal derive are the base context's), tags and aws:TagKeys made to agree."""
    caller = cand.decode(model, env) if cand.decode is not None else cand.template
    ctx = base_context(caller, action, target, duration, now_text, view)
    for key, kv in env.vars.items():
        if key in builders or _key_info(key).principal_derived:
            continue
        vals = key_values(model, kv)
        if vals is None:
            ctx.pop(key, None)
        else:
            ctx[key] = vals
    fix_tags(ctx, "aws:tagkeys" in env.vars)
    return caller, ctx


def witness(cand: Candidate, target: Target, action: Action, env: Env, model: z3.ModelRef | None,
             builders: dict[str, Any], now_text: str, duration: int | None, approximations: list[str],
             view: HopView) -> HopResult:
    """Decode a model (None: everything ground) into a caller and a request, and replay it."""
    if model is None:
        model = z3.Model()
    caller, ctx = decoded_request(cand, target, action, env, model, builders, now_text, duration, view)
    request, decision, approx = replay(caller, target, action, ctx, duration, approximations)
    if not decision.allowed:
        if approx:
            approx.append(f"witness not confirmed by the concrete evaluator ({decision.verdict.value}: "
                          f"{'; '.join(decision.reasons) or 'explicit deny'})")
            return Sat(caller, request, decision, tuple(approx))
        raise ReplayMismatch(f"witness for {caller.arn} -> {target.role.arn} ({action.value}) replays to "
                             f"{decision.verdict.value}: {decision.reasons}; context {dict(ctx)}")
    return Sat(caller, request, decision, tuple(approx))


def fix_tags(ctx: dict[str, tuple[str, ...]], tagkeys_chosen: bool) -> None:
    """aws:TagKeys and aws:RequestTag/k agree: every listed key has a tag, every tag is listed (``tagkeys_chosen``:
    the request's aws:TagKeys was chosen with the tags, by the solver or a guess: a tag it does not list is dropped,
    so a guess that pins aws:TagKeys absent passes no tag)."""
    tags = [k for k in ctx if k.startswith("aws:requesttag/")]
    if tagkeys_chosen:
        listed = ctx.get("aws:tagkeys", ())
        for name in listed:
            k = "aws:requesttag/" + name.lower()
            if k not in ctx:
                ctx[k] = ("tg",)
        names = {name.lower() for name in listed}
        for k in tags:
            if k[len("aws:requesttag/"):] not in names:
                del ctx[k]
        return
    if tags:
        ctx["aws:tagkeys"] = tuple(k.split("/", 1)[1] for k in tags)
    else:
        ctx.pop("aws:tagkeys", None)


__all__ = ["base_context", "decoded_request", "fix_tags", "replay", "witness"]
