"""IAM ids and timestamps drawn from the seeded generator (never the clock), and the fixed ids of AWS managed
policies."""

from __future__ import annotations

import base64
import functools
import random
from datetime import UTC, datetime, timedelta

_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class Ids:
    """Unique IAM ids (prefix + 17 base-32 characters, as IAM's ``AROA...``/``AIDA...``) and timestamps."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.seen: set[str] = set()
        self.epoch = datetime(2018, 1, 1, tzinfo=UTC) + timedelta(days=(seed * 7919) % 1500)

    def unique(self, prefix: str) -> str:
        """A new id with ``prefix`` (``AROA`` role, ``AIDA`` user, ``AGPA`` group, ``ANPA`` policy, ...)."""
        while True:
            text = "".join(self.rng.choices(_B32, k=17))
            if text not in self.seen:
                self.seen.add(text)
                return prefix + text

    def stamp(self, max_days: int = 1800) -> str:
        """A creation time within ``max_days`` of the epoch, as the AWS CLI prints it."""
        moment = self.epoch + timedelta(seconds=self.rng.randrange(max_days * 86400))
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    def hex(self, n: int) -> str:
        """``n`` lower-case hex digits."""
        return f"{self.rng.getrandbits(4 * n):0{n}x}"


@functools.cache
def aws_policy_id(name: str) -> str:
    """A stable ANPA id for an AWS managed policy (the same in every account, as in IAM)."""
    value = 0
    for ch in name:
        value = (value * 131 + ord(ch)) % (1 << 85)
    return "ANPA" + base64.b32encode(value.to_bytes(11, "big")).decode()[:17]
