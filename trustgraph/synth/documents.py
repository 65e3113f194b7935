"""Policy documents as the generator writes them: the JSON helpers and the AWS managed policies it attaches.

Documents are plain JSON values (``dict``), shared between roles where real estates share them (one trust document
per service principal, per Identity Center provider, ...): the loader deduplicates them and the solver's cache
depends on it.
"""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]

VERSION = "2012-10-17"


def doc(*statements: Json) -> Json:
    """A policy document holding ``statements``."""
    return {"Version": VERSION, "Statement": list(statements)}


def allow(action: str | list[str], resource: str | list[str] = "*", condition: Json | None = None) -> Json:
    """An identity-policy Allow statement."""
    st: Json = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        st["Condition"] = condition
    return st


def trust(principal: Json | str, action: str | list[str] = "sts:AssumeRole", condition: Json | None = None) -> Json:
    """A trust policy of one Allow statement."""
    st: Json = {"Effect": "Allow", "Principal": principal, "Action": action}
    if condition:
        st["Condition"] = condition
    return doc(st)


ABBREVIATED_READ = ("ec2:Describe*", "cloudwatch:GetMetricData", "logs:DescribeLogGroups", "tag:GetResources")
"""The few read-only actions standing in for the documents of service-linked role policies (the real ones run to
tens of kilobytes and grant no ``sts:AssumeRole``)."""

AWS_MANAGED_DOCS: dict[str, tuple[str, Json]] = {  # name -> (path, document)
    "AdministratorAccess": ("/", doc(allow("*"))),
    "AWSLambdaBasicExecutionRole": ("/service-role/", doc(allow(
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    "AmazonSSMManagedInstanceCore": ("/", doc(allow(
        ["ssm:DescribeAssociation", "ssm:GetDocument", "ssm:ListAssociations", "ssm:UpdateInstanceInformation"]),
        allow(["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
               "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]),
        allow(["ec2messages:GetMessages", "ec2messages:SendReply", "ec2messages:AcknowledgeMessage"]))),
    "AmazonECSTaskExecutionRolePolicy": ("/service-role/", doc(allow(
        ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
         "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"]))),
}
"""The AWS managed policies the generator attaches (other than service-linked role policies): path and document."""
