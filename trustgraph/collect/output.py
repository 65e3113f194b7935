"""The output folder: its layout, JSON serialisation and atomic replacement of one account's (or the organization's)
files.

Layout (the loader recognises every file by its JSON shape; the names only help people)::

    OUT/manifest.json
    OUT/organization/describe-organization.json, list-accounts.json, list-roots.json,
                     policies/describe-policy-p-....json, policies/targets-p-....json,
                     parents/parents-ACCOUNT.json, parents/parents-ou-....json
    OUT/accounts/ACCOUNT/gaad-ACCOUNT.json, oidc-providers-ACCOUNT.json, oidc-provider-N-ACCOUNT.json,
                         saml-providers-ACCOUNT.json

A group of files (one account, or the organization) is written into a hidden sibling folder and swapped into place
with renames, so an interrupted run never leaves a half-written group where the loader would read it (the loader
skips hidden paths).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

import orjson

ORGANIZATION_DIR = "organization"
ACCOUNTS_DIR = "accounts"


def _default(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dump_json(document: object) -> bytes:
    """``document`` as indented UTF-8 JSON; datetimes as ISO-8601 with their offset (as the AWS CLI prints them)."""
    return orjson.dumps(document, default=_default, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def write_file_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class OutputFolder:
    """The folder ``trustgraph collect`` writes (created when missing)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @staticmethod
    def account_dir(account_id: str) -> str:
        """The folder of one account, relative to the root."""
        return f"{ACCOUNTS_DIR}/{account_id}"

    def exists(self, relative: str) -> bool:
        """True when the file ``relative`` (as listed in the manifest) is present."""
        return (self.root / relative).is_file()

    def replace_group(self, relative_dir: str, files: Mapping[str, object]) -> list[str]:
        """Make ``relative_dir`` hold exactly ``files`` (relative name -> JSON document); returns their paths
        relative to the root, sorted.

        The previous content of the folder (a former collection) is removed only once the new files are complete.
        """
        final = self.root / relative_dir
        final.parent.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        staging = final.with_name(f".{final.name}.{token}.new")
        retired = final.with_name(f".{final.name}.{token}.old")
        try:
            for name, document in files.items():
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(dump_json(document))
            staging.mkdir(parents=True, exist_ok=True)
            if final.exists():
                os.replace(final, retired)
            os.replace(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(retired, ignore_errors=True)
        return sorted(f"{relative_dir}/{name}" for name in files)


__all__ = ["ACCOUNTS_DIR", "ORGANIZATION_DIR", "OutputFolder", "dump_json", "write_file_atomic"]
