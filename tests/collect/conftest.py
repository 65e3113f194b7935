"""A moto server on 127.0.0.1, an organization of three accounts built in it, and a boto3 session that records every
call (and can inject failures) through botocore's event hooks.

Credentials are fake (``testing``), every endpoint is the local server, the instance metadata service is disabled and
no shared config or credentials file is read: nothing leaves the machine.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest

boto3 = pytest.importorskip("boto3", reason="the collect extra (boto3) is not installed")
moto_server = pytest.importorskip("moto.server", reason="the dev extra moto[server] is not installed")

MANAGEMENT = "123456789012"  # moto's account for the access key `testing`
CALLER_KEY = "testing"

SAML_METADATA = (
    '<?xml version="1.0"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com/saml"><IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing">'
    '<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>'
    + "MIIC" + "A" * 1100 + "</X509Certificate></X509Data></KeyInfo></KeyDescriptor></IDPSSODescriptor>"
    "</EntityDescriptor>"
)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """One moto server per test module, on a free port of 127.0.0.1."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The moto server, reset, with fake credentials in the environment and no config file read."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=30).read()
    empty = tmp_path_factory.mktemp("aws-config") / "none"
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CALLER_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CALLER_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return moto_url


@dataclass
class Built:
    """What the organization fixture created, to compare with what was collected."""

    org_id: str
    root_id: str
    ous: dict[str, str]  # name -> ou id
    members: dict[str, str]  # account name -> id
    scp_id: str
    rcp_id: str
    roles: dict[str, set[str]] = field(default_factory=dict)  # account -> role ARNs
    users: dict[str, set[str]] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)
    oidc_arn: str = ""
    saml_arn: str = ""

    @property
    def accounts(self) -> list[str]:
        return [MANAGEMENT, *self.members.values()]


def _client(url: str, service: str, credentials: dict[str, Any] | None = None) -> Any:
    keys = ({"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
             "aws_session_token": credentials["SessionToken"]} if credentials else
            {"aws_access_key_id": CALLER_KEY, "aws_secret_access_key": CALLER_KEY})
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", **keys)


def _trust(principal: dict[str, Any], condition: dict[str, Any] | None = None, action: str = "sts:AssumeRole") -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def build_organization(url: str) -> Built:
    """Root > workloads > prod (account `prod`), root > sandbox (account `sandbox`), the management account at the
    root; an SCP on `workloads`, an RCP on `prod`; roles, users, groups and providers in every account."""
    org = _client(url, "organizations")
    org_id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root_id = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root_id, PolicyType="RESOURCE_CONTROL_POLICY")
    ous = {"workloads": org.create_organizational_unit(ParentId=root_id, Name="workloads")["OrganizationalUnit"]["Id"],
           "sandbox": org.create_organizational_unit(ParentId=root_id, Name="sandbox")["OrganizationalUnit"]["Id"]}
    ous["prod"] = org.create_organizational_unit(ParentId=ous["workloads"], Name="prod")["OrganizationalUnit"]["Id"]
    members = {}
    for name, ou in (("prod", "prod"), ("sandbox", "sandbox")):
        account_id = org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"][
            "AccountId"]
        org.move_account(AccountId=account_id, SourceParentId=root_id, DestinationParentId=ous[ou])
        members[name] = account_id
    scp = org.create_policy(Name="deny-leave", Description="", Type="SERVICE_CONTROL_POLICY", Content=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization",
                                                 "Resource": "*"}]}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=scp, TargetId=ous["workloads"])
    rcp = org.create_policy(Name="org-only-sts", Description="", Type="RESOURCE_CONTROL_POLICY", Content=json.dumps(
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
            "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": org_id},
                          "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}]}))["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=rcp, TargetId=ous["prod"])
    built = Built(org_id=org_id, root_id=root_id, ous=ous, members=members, scp_id=scp, rcp_id=rcp)

    iam = _client(url, "iam")
    oidc = iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                               ClientIDList=["sts.amazonaws.com"], ThumbprintList=["a" * 40])
    built.oidc_arn = oidc["OpenIDConnectProviderArn"]
    built.saml_arn = iam.create_saml_provider(SAMLMetadataDocument=SAML_METADATA, Name="corp-idp")["SAMLProviderArn"]
    deployer = iam.create_role(RoleName="ci-deployer", AssumeRolePolicyDocument=_trust(
        {"Federated": built.oidc_arn}, {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:corp/*"}},
        "sts:AssumeRoleWithWebIdentity"))["Role"]["Arn"]
    admins = iam.create_group(GroupName="admins")["Group"]["Arn"]
    alice = iam.create_user(UserName="alice")["User"]["Arn"]
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    built.roles[MANAGEMENT] = {deployer}
    built.users[MANAGEMENT] = {alice}
    built.groups[MANAGEMENT] = {admins}

    sts = _client(url, "sts")
    for name, account_id in members.items():
        credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                                      RoleSessionName="fixture")["Credentials"]
        member_iam = _client(url, "iam", credentials)
        app = member_iam.create_role(RoleName=f"{name}-app", AssumeRolePolicyDocument=_trust(
            {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}))["Role"]["Arn"]
        audit = member_iam.create_role(RoleName="audit", Path="/security/", AssumeRolePolicyDocument=_trust(
            {"AWS": deployer}))["Role"]["Arn"]
        # moto creates OrganizationAccountAccessRole in every account made with create-account
        built.roles[account_id] = {app, audit, f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"}
        built.users[account_id] = {member_iam.create_user(UserName=f"{name}-operator")["User"]["Arn"]}
        built.groups[account_id] = set()
        if name == "prod":  # providers in a member account too: its role needs the provider reads
            member_iam.create_open_id_connect_provider(Url="https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE",
                                                       ClientIDList=["sts.amazonaws.com"], ThumbprintList=["b" * 40])
            member_iam.create_saml_provider(SAMLMetadataDocument=SAML_METADATA, Name="prod-idp")
    return built


@pytest.fixture
def organization(aws: str) -> Built:
    """The three-account organization in a fresh moto server."""
    return build_organization(aws)


class _Raw:
    """The raw body of an injected HTTP response."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass(frozen=True)
class Call:
    """One HTTP request as sent (after signing): the IAM action it needs, its access key and its parameters."""

    action: str
    access_key: str
    params: dict[str, list[str]]
    body: bytes

    def account(self, keys: dict[str, str]) -> str:
        return MANAGEMENT if self.access_key == CALLER_KEY else keys.get(self.access_key, "?")


Fault = Callable[[Call, dict[str, str]], tuple[int, str, str] | None]


class Recorder:
    """Hooks on a boto3 session: every request is recorded; a fault rule may answer instead of the server."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.keys: dict[str, str] = {}  # assumed-role access key -> account id
        self.faults: list[Fault] = []

    def session(self) -> Any:
        session = boto3.Session(aws_access_key_id=CALLER_KEY, aws_secret_access_key=CALLER_KEY,
                                region_name="us-east-1")
        session.events.register("before-send", self._before_send)
        session.events.register("after-call.sts.AssumeRole", self._after_assume)
        return session

    def _after_assume(self, parsed: dict[str, Any], **_: Any) -> None:
        if "Credentials" in parsed:
            self.keys[parsed["Credentials"]["AccessKeyId"]] = parsed["AssumedRoleUser"]["Arn"].split(":")[4]

    def _before_send(self, request: Any, event_name: str, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        _, service, operation = event_name.split(".", 2)
        auth = request.headers.get("Authorization", b"")
        auth = auth.decode() if isinstance(auth, bytes) else auth
        found = re.search(r"Credential=([^/]+)/", auth)
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        params = parse_qs(body.decode("utf-8", "replace")) if service in ("iam", "sts") else {}
        call = Call(action=f"{service}:{operation}", access_key=found.group(1) if found else "",
                    params=params, body=body)
        self.calls.append(call)
        for fault in self.faults:
            answer = fault(call, self.keys)
            if answer is not None:
                status, code, message = answer
                if service == "organizations":
                    payload = json.dumps({"__type": code, "Message": message}).encode()
                    headers = {"Content-Type": "application/x-amz-json-1.1"}
                else:
                    payload = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}"
                               f"</Message></Error><RequestId>injected</RequestId></ErrorResponse>").encode()
                    headers = {"Content-Type": "text/xml"}
                return AWSResponse(request.url, status, headers, _Raw(payload))
        return None

    def actions(self, account: str | None = None) -> list[str]:
        return [c.action for c in self.calls if account is None or c.account(self.keys) == account]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
