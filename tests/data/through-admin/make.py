"""Regenerates gaad-111122223333.json (run from tests/: python data/through-admin/make.py)."""
import sys
from pathlib import Path

sys.path.insert(0, ".")
from checks.helpers import ALLOW_ALL, A, B, assume_policy, gaad, role, role_arn, stmt, trust, write_estate  # noqa: E402


def aws(principal: str, condition: dict | None = None) -> dict:
    return stmt({"AWS": principal}, condition=condition)


GUARD = {"StringEquals": {"sts:ExternalId": "vendor-id-1"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}
chain = [f"Chain{i}" for i in range(1, 9)]
roles = [role("Vendor", trust(aws(f"arn:aws:iam::{B}:root", GUARD)), policies=[assume_policy(role_arn("AdminA"))]),
         role("AdminA", trust(aws(role_arn("Vendor"))), policies=[ALLOW_ALL])]
prev = "AdminA"
for i, name in enumerate(chain):
    nxt = chain[i + 1] if i + 1 < len(chain) else "AdminB"
    roles.append(role(name, trust(aws(role_arn(prev))), policies=[assume_policy(role_arn(nxt))]))
    prev = name
roles.append(role("AdminB", trust(aws(role_arn(prev))), policies=[ALLOW_ALL]))
roles.append(role("AdminC", trust(aws(role_arn("AdminA"))), policies=[ALLOW_ALL]))
write_estate(Path("data/through-admin"), {A: gaad(*roles)})
