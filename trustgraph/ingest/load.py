"""Load files and directories of exports into one :class:`~trustgraph.model.estate.Estate`.

Each JSON document is classified by its shape (never its file name): get-account-authorization-details (a CLI
export or boto3 pages), AWS Organizations outputs, or identity-provider listings. Pages of one account spread over
several files merge into one snapshot. Every problem is an :class:`~trustgraph.errors.IngestError` whose text is one
line naming the file, the JSON pointer and what was expected.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import orjson

from trustgraph.errors import IngestError, UsageError
from trustgraph.ingest._fields import parse_errors, type_name
from trustgraph.ingest.duplicates import check_duplicates
from trustgraph.ingest.gaad import is_gaad_page, merge_snapshots, pages_from_gaad
from trustgraph.ingest.organizations import OrgCollector, org_shape
from trustgraph.ingest.policy_json import PolicyInterner
from trustgraph.ingest.providers import ProviderCollector, provider_shape
from trustgraph.ingest.statements import StatementParser
from trustgraph.model.account import AccountSnapshot
from trustgraph.model.bulk import gc_paused, release_free_heap
from trustgraph.model.estate import Estate

#: The ``format`` of the manifest ``trustgraph collect`` writes beside the exports (``manifest.json``): recognised and
#: skipped, it describes the collection, not the estate.
COLLECT_MANIFEST_FORMAT = "trustgraph-collect-manifest"

NOT_RECOGNISED = (
    "not a recognised export: expected get-account-authorization-details, organizations or identity-provider output"
)


def bundled_example_path() -> Traversable:
    """The bundled example organization (``datasets/example-org``, packaged as ``trustgraph.datasets``).

    Falls back to ``datasets/example-org`` beside the package in a source checkout whose editable install predates
    the datasets folder.

    Raises
    ------
    UsageError
        When neither exists (the caller should then name export paths).
    """
    try:
        path = files("trustgraph.datasets") / "example-org"
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    checkout = Path(__file__).resolve().parents[2] / "datasets" / "example-org"
    if checkout.is_dir():
        return checkout
    raise UsageError("the bundled example (datasets/example-org) is not installed: give export files or directories")


def describe_json_error(text: str, exc: json.JSONDecodeError) -> str:
    end = len(text.rstrip())
    truncated = exc.pos >= end or (exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1:])
    if truncated:
        lines = text[:end].split("\n")
        return (f"truncated JSON: the document ends at line {len(lines)} column {len(lines[-1]) + 1} before it is "
                f"complete")
    msg = exc.msg[0].lower() + exc.msg[1:]
    return f"invalid JSON at line {exc.lineno} column {exc.colno}: {msg}"


def read_json(path: str | os.PathLike[str], source: str | None = None) -> object:
    """Read one JSON file with orjson; on failure, explain precisely why in one line.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark (PowerShell's ``>``) are accepted.

    Raises
    ------
    IngestError
        For a missing or unreadable file, an empty file, binary or non-UTF-8 bytes, and invalid or truncated JSON
        (with line and column).
    """
    name = source if source is not None else os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise IngestError(name, "", "no such file or directory") from None
    except IsADirectoryError:
        raise IngestError(name, "", "is a directory, expected a JSON file") from None
    except OSError as exc:
        raise IngestError(name, "", f"cannot read the file: {exc.strerror or exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise IngestError(name, "", f"invalid UTF-16 text at byte offset {exc.start}") from None
    if not data.strip():
        raise IngestError(name, "", "empty file (expected a JSON export)")
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    else:
        check_duplicates(data, parsed, name)
        return parsed
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise IngestError(name, "", f"binary data, not JSON (NUL byte at offset {nul})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(name, "", f"not UTF-8 text: invalid byte 0x{data[exc.start]:02x} at offset {exc.start} "
                                    f"(expected a JSON export)") from None
    try:
        with parse_errors(name, "JSON"):
            json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(name, "", describe_json_error(text, exc)) from None
    # orjson refuses documents the standard library accepts (NaN, integers above 64 bits, deep nesting).
    raise IngestError(name, "", "unsupported JSON: NaN/Infinity, an integer beyond 64 bits or nesting deeper "
                                "than 1024 levels")


def _looks_like_json(path: Path) -> bool:
    """True when the file starts (after a byte-order mark and white space) with ``{``, or ``[`` then ``{`` or ``]``:
    an export saved under another name. Zone files (``[[table]]``), READMEs and the like do not."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):].replace(b"\x00", b"")
    head = head.lstrip()
    return head.startswith(b"{") or (head.startswith(b"[") and head[1:].lstrip()[:1] in (b"{", b"]"))


def _walk(root: Path, skipped: list[str]) -> list[Path]:
    """The files under ``root`` named ``*.json`` in any letter case, sorted; what is left out and could be an export
    is added to ``skipped``: ``*.json`` files inside dot-directories or named with a leading dot (tool metadata such
    as ``.git`` or ``.terraform``, never read), and files of another name whose content starts like JSON."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
        dirnames.sort()
        here = Path(dirpath)
        hidden = any(part.startswith(".") for part in here.relative_to(root).parts)
        for name in sorted(filenames):
            path = here / name
            if not path.is_file():
                continue
            is_json = name.lower().endswith(".json")
            if is_json and not hidden and not name.startswith("."):
                found.append(path)
            elif is_json:
                skipped.append(f"{path} (under a dot-directory or a dot-file)")
            elif not hidden and _looks_like_json(path):
                skipped.append(f"{path} (JSON content, but not named *.json)")
    return found


def _raise(exc: OSError) -> None:
    raise exc


def iter_json_files(paths: Sequence[str | os.PathLike[str]],
                    skipped: list[str] | None = None) -> Iterator[tuple[Path, str]]:
    """The JSON files named by ``paths`` (directories searched recursively for ``*.json``, in any letter case),
    each once, with the name used in messages.

    Inside a directory, dot-directories and dot-files are not read (tool metadata: ``.git``, ``.terraform``); every
    ``*.json`` file they hold, and every file of another name whose content starts like JSON, is appended to
    ``skipped`` as ``path (why)``. Other files (documentation, zone files) are ignored.
    """
    seen: set[Path] = set()
    left_out = skipped if skipped is not None else []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            try:
                found = _walk(path, left_out)
            except OSError as exc:
                raise IngestError(os.fspath(exc.filename or given), "",
                                  f"cannot read the directory: {exc.strerror or exc}") from None
            if not found:
                raise IngestError(os.fspath(given), "", "no *.json files in this directory")
            candidates = [(p, os.fspath(p)) for p in found]
        elif path.exists():
            candidates = [(path, os.fspath(given))]
        else:
            raise IngestError(os.fspath(given), "", "no such file or directory")
        for p, name in candidates:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                yield p, name


def classify(data: object) -> str | None:
    """The kind of export ``data`` is: ``gaad``, an Organizations or provider CLI command name, ``collect-manifest``
    (skipped by the loader), or None."""
    if isinstance(data, dict) and data.get("format") == COLLECT_MANIFEST_FORMAT:
        return "collect-manifest"
    if is_gaad_page(data) or (isinstance(data, list) and any(is_gaad_page(p) for p in data)):
        return "gaad"
    return org_shape(data) or provider_shape(data)


def load_estate(paths: Sequence[str | os.PathLike[str]], *, share_documents: bool = True,
                fast_statements: bool = True) -> Estate:
    """Load files and directories of exports.

    Parameters
    ----------
    paths
        Files and directories; directories are searched recursively for ``*.json`` (other files are ignored).
    share_documents
        Parse each distinct policy document once and give later occurrences relocated copies (the default; see
        :class:`~trustgraph.ingest.policy_json.PolicyInterner`). False parses every occurrence on its own, the
        reference the shared path is tested against: both give equal estates, locations included.
    fast_statements
        With ``share_documents``, parse the statements of each distinct document with one
        :class:`~trustgraph.ingest.statements.StatementParser` for the load (the default: its tables of shapes,
        Action/Resource elements and Condition blocks); False parses them with
        :func:`~trustgraph.ingest.policy_json.statement_from_json`, the reference: equal estates, same errors.

    Returns
    -------
    Estate
        One snapshot per account (pages and repeated exports of an account merged), the organizations and the
        identity providers, with every flag raised while loading.

    Raises
    ------
    IngestError
        For the first problem found, naming the file and the JSON pointer.
    """
    with gc_paused():  # millions of acyclic values: see trustgraph.model.bulk
        estate = _load_estate(paths, share_documents, fast_statements)
    release_free_heap()  # the files' text and parse trees are gone: give their pages back (trustgraph.model.bulk)
    return estate


def _load_estate(paths: Sequence[str | os.PathLike[str]], share_documents: bool, fast_statements: bool) -> Estate:
    pages: dict[str, list[AccountSnapshot]] = {}
    orphans: list[AccountSnapshot] = []
    orgs = OrgCollector()
    providers = ProviderCollector()
    sources: list[str] = []
    interner = PolicyInterner(StatementParser() if fast_statements else None) if share_documents else None
    # account -> (file, pointer, page truncation) of each page: only what _check_complete reads, never the raw page
    # (holding every parsed file until the end tripled the loader's peak memory, and the freed pages stayed in the
    # process as fragmented heap for the whole scan)
    truncation: dict[str, list[tuple[str, str, _Truncation]]] = {}
    skipped: list[str] = []
    for path, name in iter_json_files(paths, skipped):
        data = read_json(path, name)
        kind = classify(data)
        if kind is None:
            raise IngestError(name, "", _not_recognised(data))
        if kind == "collect-manifest":
            continue
        sources.append(name)
        if kind == "gaad":
            raw_pages = data if isinstance(data, list) else [data]
            for i, page in enumerate(pages_from_gaad(data, name, interner)):
                (pages.setdefault(page.account_id, []) if page.account_id else orphans).append(page)
                raw = raw_pages[i] if i < len(raw_pages) else None
                pointer = f"/{i}" if isinstance(data, list) else ""
                truncation.setdefault(page.account_id, []).append((name, pointer, _truncation(raw)))
        elif provider_shape(data) is not None:
            providers.add(data, kind, name)  # type: ignore[arg-type]
        else:
            orgs.add(data, kind, name)  # type: ignore[arg-type]
    if orphans:
        if len(pages) != 1:
            raise IngestError(orphans[0].sources[0], "", "cannot tell which account this export describes: it names "
                                                        "no user, group, role or customer managed policy, and the "
                                                        "file name has no 12-digit account id")
        only = next(iter(pages))
        pages[only].extend(replace(o, account_id=only) for o in orphans)
        truncation.setdefault(only, []).extend(truncation.pop("", []))
    for account, seen in sorted(truncation.items()):
        _check_complete(account, seen)
    accounts = tuple(merge_snapshots(group) for _, group in sorted(pages.items()))
    organizations, org_flags = orgs.build()
    return Estate(
        accounts=accounts,
        organizations=organizations,
        identity_providers=providers.build(),
        sources=tuple(sources),
        flags=org_flags,
        skipped=tuple(skipped),
    )


#: a page's ``IsTruncated`` marker: None when the page is not truncated (a last page), else its ``Marker`` (None
#: when it has no string Marker)
_Truncation = tuple[str | None] | None


def _truncation(raw: object) -> _Truncation:
    """What :func:`_check_complete` needs of a raw page: None for a last page, else ``(marker,)``."""
    if not (isinstance(raw, dict) and raw.get("IsTruncated") is True):
        return None
    marker = raw.get("Marker")
    return (marker if isinstance(marker, str) else None,)


def _check_complete(account: str, pages: list[tuple[str, str, _Truncation]]) -> None:
    """A boto3 page with ``"IsTruncated": true`` promises a next page; when no loaded page of the account is a last
    one (``IsTruncated`` false or absent), the rest of the account is missing: refuse rather than analyse a part of it
    as if it were complete.

    Raises
    ------
    IngestError
        At the ``IsTruncated`` of the last truncated page, naming the ``Marker`` the next page starts at.
    """
    truncated = [(f, p, t) for f, p, t in pages if t is not None]
    if not truncated or len(truncated) < len(pages):
        return
    file, pointer, t = truncated[-1]
    assert t is not None
    marker = t[0]
    where = f" (Marker `{marker}`)" if marker is not None else ""
    raise IngestError(file, f"{pointer}/IsTruncated",
                      f"this page of account {account or '(unknown)'} is truncated and no loaded page follows it: the "
                      f"next page{where} and any after it are missing; load every page of "
                      f"get-account-authorization-details")


def load_warnings(estate: Estate) -> tuple[str, ...]:
    """What the loader tolerated and a user should know, one line per kind (not per file or policy): today, managed
    policies whose PolicyName was derived from the ARN (moto and LocalStack exports)."""
    from trustgraph.ingest.gaad import DERIVED_POLICY_NAME

    derived = [f for f in estate.all_flags() if f.code == DERIVED_POLICY_NAME]
    if not derived:
        return ()
    count = sum(int(f.message.split(" ", 1)[0]) for f in derived)
    files = len({f.location.file for f in derived})
    first = derived[0].location
    return (f"{count} managed polic{'y' if count == 1 else 'ies'} in {files} file{'' if files == 1 else 's'} "
            f"without PolicyName (as moto and LocalStack export them): names derived from the ARNs (first at "
            f"{first})",)


def _not_recognised(data: object) -> str:
    if isinstance(data, dict):
        keys = ", ".join(f"`{k}`" for k in list(data)[:5]) or "none"
        return f"{NOT_RECOGNISED} (top-level keys: {keys})"
    if isinstance(data, list):
        if not data:
            return f"{NOT_RECOGNISED} (got an empty list)"
        return f"{NOT_RECOGNISED} (got a list whose items are not get-account-authorization-details pages)"
    return f"{NOT_RECOGNISED} (got {type_name(data)})"


__all__ = ["COLLECT_MANIFEST_FORMAT", "NOT_RECOGNISED", "bundled_example_path", "classify",
           "describe_json_error", "iter_json_files", "load_estate", "load_warnings", "read_json"]
