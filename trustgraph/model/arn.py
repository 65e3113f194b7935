"""Amazon Resource Names: parsing into their six components.

An ARN is ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``; the resource part is everything after the fifth colon
and may itself contain colons and slashes. Only the partitions trustgraph analyses are accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


def is_account_id(text: str) -> bool:
    """True for a 12-digit AWS account id."""
    return bool(ACCOUNT_ID.match(text))


@dataclass(frozen=True, slots=True)
class Arn:
    """A parsed ARN; ``str(arn)`` gives back the original text."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @property
    def resource_type(self) -> str:
        """The part of the resource before the first ``/`` or ``:`` (``role`` for an IAM role)."""
        return re.split(r"[/:]", self.resource, maxsplit=1)[0]

    @property
    def resource_name(self) -> str:
        """The last ``/``-separated component of the resource (a role's or user's name)."""
        return self.resource.rsplit("/", 1)[-1]

    @property
    def path(self) -> str:
        """The IAM path between the resource type and the name, with slashes (``/`` when none)."""
        parts = self.resource.split("/")
        return "/" + "".join(p + "/" for p in parts[1:-1]) if len(parts) > 2 else "/"

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split ``text`` into an :class:`Arn`, or return None when it is not an ARN of a known partition.

    Examples
    --------
    >>> parse_arn("arn:aws:iam::111122223333:role/app/Deploy").path
    '/app/'
    >>> parse_arn("arn:aws-cn:iam::111122223333:root").account
    '111122223333'
    >>> parse_arn("not-an-arn") is None
    True
    """
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[1] not in PARTITIONS:
        return None
    return Arn(partition=parts[1], service=parts[2], region=parts[3], account=parts[4], resource=parts[5])


def partition_of(text: str) -> str | None:
    """The partition of an ARN of a known partition (``aws``, ``aws-cn``, ``aws-us-gov``), or None for other text.

    >>> partition_of("arn:aws-us-gov:iam::111122223333:role/R"), partition_of("111122223333")
    ('aws-us-gov', None)
    """
    if not text.startswith("arn:"):
        return None
    part = text[4:text.find(":", 4)] if text.find(":", 4) > 0 else ""
    return part if part in PARTITIONS else None


def role_arn_of_session(session_arn: str) -> str | None:
    """The role ARN (without path, which a session ARN does not carry) of ``arn:aws:sts::A:assumed-role/R/S``."""
    arn = parse_arn(session_arn)
    if arn is None or arn.service != "sts" or not arn.resource.startswith("assumed-role/"):
        return None
    parts = arn.resource.split("/")
    if len(parts) < 3:
        return None
    return f"arn:{arn.partition}:iam::{arn.account}:role/{parts[1]}"
