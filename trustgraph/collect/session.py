"""The caller's boto3 session, the clients made from it, and role assumption into member accounts.

Every client uses botocore's adaptive retry mode (exponential backoff with jitter plus a client-side rate limiter that
slows down after throttling errors), so "Rate exceeded" on GetAccountAuthorizationDetails or on Organizations calls is
retried before it becomes a per-account failure. The Organizations and STS clients of the caller are shared by every
worker thread (botocore clients are thread-safe), so their rate limiter sees all the traffic; each member account gets
its own IAM client (IAM throttles per account).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from trustgraph import __version__
from trustgraph.errors import UsageError

#: The region used for the global services (IAM, Organizations, STS) when the profile names none.
DEFAULT_REGION = "us-east-1"

#: Attempts per call (the first one included) before a throttled or failing call becomes a per-account failure.
DEFAULT_MAX_ATTEMPTS = 10

ROLE_SESSION_NAME = "trustgraph-collect"


@dataclass(frozen=True)
class SessionOptions:
    """Where and as whom to connect: ``--profile``, ``--region``, ``--endpoint-url``."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True)
class CallerIdentity:
    """``sts get-caller-identity``: who runs the collection."""

    account: str
    arn: str
    user_id: str

    @property
    def partition(self) -> str:
        """The partition of the caller's ARN (``aws``, ``aws-cn``, ``aws-us-gov``)."""
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"

    def to_json(self) -> dict[str, str]:
        """The manifest's ``caller`` object."""
        return {"account": self.account, "arn": self.arn, "user_id": self.user_id}


class AwsCallError(Exception):
    """An AWS call that failed after retries: ``code`` is AWS's error code (``AccessDenied``, ``Throttling``...)."""

    def __init__(self, code: str, message: str, operation: str | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.operation = operation

    def to_json(self) -> dict[str, str | None]:
        """The manifest's ``error`` object."""
        return {"code": self.code, "message": self.message, "operation": self.operation}


def as_call_error(exc: Exception, operation: str | None = None) -> AwsCallError:
    """The error code and message of a botocore exception (or of any exception, by its type name)."""
    if isinstance(exc, AwsCallError):
        return exc
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        error = response.get("Error") or {}
        code = str(error.get("Code") or type(exc).__name__)
        message = str(error.get("Message") or "")
        return AwsCallError(code, message, operation or getattr(exc, "operation_name", None))
    return AwsCallError(type(exc).__name__, str(exc), operation)


class Sessions:
    """The caller's session and the clients made from it.

    Parameters
    ----------
    options
        Profile, region, endpoint and retry budget.
    session
        A ready ``boto3.Session`` (tests pass one with fake credentials and event hooks); by default one is made from
        ``options.profile``.

    Raises
    ------
    UsageError
        When boto3 is not installed or the profile does not exist.
    """

    def __init__(self, options: SessionOptions, session: Any = None) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ModuleNotFoundError:
            raise UsageError("`trustgraph collect` needs boto3: pip install 'trustgraph[collect]'") from None
        if session is None:
            from botocore.exceptions import ProfileNotFound

            try:
                session = boto3.Session(profile_name=options.profile, region_name=options.region)
            except ProfileNotFound as exc:
                raise UsageError(str(exc)) from None
        self.options = options
        self.session = session
        self.region = options.region or session.region_name or DEFAULT_REGION
        self.config = Config(
            retries={"mode": "adaptive", "total_max_attempts": options.max_attempts},
            user_agent_extra=f"trustgraph-collect/{__version__}",
        )
        self._lock = threading.Lock()  # boto3 sessions are not thread-safe; clients made from them are
        self._shared: dict[str, Any] = {}

    def client(self, service: str, credentials: dict[str, Any] | None = None) -> Any:
        """A new client of ``service`` with the caller's credentials, or with assumed-role ``credentials``."""
        keys: dict[str, Any] = {}
        if credentials is not None:
            keys = {"aws_access_key_id": credentials["AccessKeyId"],
                    "aws_secret_access_key": credentials["SecretAccessKey"],
                    "aws_session_token": credentials["SessionToken"]}
        with self._lock:
            return self.session.client(service, region_name=self.region, endpoint_url=self.options.endpoint_url,
                                       config=self.config, **keys)

    def shared(self, service: str) -> Any:
        """The caller's client of ``service``, made once and shared by every thread."""
        with self._lock:
            found = self._shared.get(service)
        if found is None:
            found = self.client(service)
            with self._lock:
                found = self._shared.setdefault(service, found)
        return found

    def caller_identity(self) -> CallerIdentity:
        """``sts get-caller-identity``.

        Raises
        ------
        UsageError
            When there are no credentials or they are refused: nothing can be collected.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            found = self.shared("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as exc:
            error = as_call_error(exc, "GetCallerIdentity")
            raise UsageError(f"cannot identify the caller (sts get-caller-identity): {error}") from None
        return CallerIdentity(account=found["Account"], arn=found["Arn"], user_id=found["UserId"])

    def assume(self, role_arn: str) -> dict[str, Any]:
        """Credentials of ``role_arn`` (``sts assume-role``); raises :class:`AwsCallError` when refused."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            found = self.shared("sts").assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)
        except (BotoCoreError, ClientError) as exc:
            raise as_call_error(exc, "AssumeRole") from None
        credentials: dict[str, Any] = found["Credentials"]
        return credentials


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    """The ARN of ``role_name`` in ``account_id`` (a name may carry a path: ``team/Collector``).

    >>> role_arn("aws", "111122223333", "OrganizationAccountAccessRole")
    'arn:aws:iam::111122223333:role/OrganizationAccountAccessRole'
    """
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


__all__ = ["DEFAULT_MAX_ATTEMPTS", "DEFAULT_REGION", "AwsCallError", "CallerIdentity", "SessionOptions", "Sessions",
           "as_call_error", "role_arn"]
