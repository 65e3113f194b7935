"""The catalogue of privilege-escalation methods beyond sts:AssumeRole*, as data (one table).

Each :class:`Method` names how a principal obtains another principal's power (``target``: ``role``, ``user``,
``admin`` of its own account), the calls it makes (each with the resource it acts on and the request keys the
call fixes), the service a passed role must trust, and whether an IAM export can decide it (``approximate``: the
method acts on a resource the export does not list, such as an EC2 instance or a Lambda function, so the edge is
"possible"). ``id`` is the path's pathfinding.cloud id, or the Rhino Security Labs / trustgraph name where the
catalogue has none. Resources are templates: ``{account}``, ``{partition}``, ``{self}`` (the caller's ARN),
``{target}`` (the target user's or role's ARN), ``{group}`` and ``{policy}``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Call:
    """One API call of a method: action, resource template, request keys it fixes (template values)."""

    action: str
    resource: str
    fixed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Method:
    """One escalation method (see the module docstring)."""

    id: str
    name: str
    target: str  # "role", "user", "admin" (of the caller's account)
    calls: tuple[Call, ...]
    service: str | None = None  # the service principal a passed role must trust (PassRole methods)
    via: str = ""  # for "admin" methods: "self", "group", "policy" (what the caller holds)
    approximate: str = ""  # why the edge is only possible, when it is


def _pass_role(method_id: str, name: str, service: str, *calls: Call, approximate: str = "") -> Method:
    """A method that passes the target role to ``service`` (iam:PassRole with iam:PassedToService) and makes the
    service run as it with ``calls``."""
    passing = Call("iam:PassRole", "{target}", (("iam:PassedToService", service),))
    return Method(method_id, name, "role", (passing, *calls), service=service, approximate=approximate)


def _regional(service: str, resource: str) -> str:
    """The template of a resource of ``service`` the method creates or acts on (in us-east-1: any region would do)."""
    return f"arn:{{partition}}:{service}:us-east-1:{{account}}:{resource}"


_FN = _regional("lambda", "function:trustgraph-escalation")
_NOTEBOOK = _regional("sagemaker", "notebook-instance/trustgraph-escalation")
_PROJECT = _regional("codebuild", "project/trustgraph")
_EXISTING = "the export does not list the resources that run as the role"

METHODS: tuple[Method, ...] = (
    # --- principal -> role by rewriting its trust policy ------------------------------------------------------
    Method("iam-012", "iam:UpdateAssumeRolePolicy", "role",
           (Call("iam:UpdateAssumeRolePolicy", "{target}"),)),
    # --- principal -> user by obtaining its credentials -------------------------------------------------------
    Method("iam-002", "iam:CreateAccessKey", "user", (Call("iam:CreateAccessKey", "{target}"),)),
    Method("iam-004", "iam:CreateLoginProfile", "user", (Call("iam:CreateLoginProfile", "{target}"),),
           approximate="the export does not say whether the user already has a console password"),
    Method("iam-006", "iam:UpdateLoginProfile", "user", (Call("iam:UpdateLoginProfile", "{target}"),),
           approximate="the export does not say whether the user has a console password to reset"),
    # --- principal -> role by passing it to a service it trusts, with the service's create/run actions --------
    _pass_role("ec2-001", "iam:PassRole + ec2:RunInstances", "ec2.amazonaws.com",
               Call("ec2:RunInstances", _regional("ec2", "instance/*"))),
    _pass_role("lambda-001", "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction", "lambda.amazonaws.com",
               Call("lambda:CreateFunction", _FN), Call("lambda:InvokeFunction", _FN)),
    _pass_role("lambda-002", "iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping",
               "lambda.amazonaws.com", Call("lambda:CreateFunction", _FN), Call("lambda:CreateEventSourceMapping", "*"),
               approximate="needs an event source (e.g. a DynamoDB stream) the caller can write to"),
    _pass_role("ecs-001", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:RunTask", "ecs-tasks.amazonaws.com",
               Call("ecs:RegisterTaskDefinition", "*"),
               Call("ecs:RunTask", _regional("ecs", "task-definition/trustgraph-escalation:1")),
               approximate="needs an ECS cluster to run the task in"),
    _pass_role("glue-001", "iam:PassRole + glue:CreateDevEndpoint", "glue.amazonaws.com",
               Call("glue:CreateDevEndpoint", _regional("glue", "devEndpoint/trustgraph"))),
    _pass_role("sagemaker-001", "iam:PassRole + sagemaker:CreateNotebookInstance", "sagemaker.amazonaws.com",
               Call("sagemaker:CreateNotebookInstance", _NOTEBOOK),
               Call("sagemaker:CreatePresignedNotebookInstanceUrl", _NOTEBOOK)),
    _pass_role("cloudformation-001", "iam:PassRole + cloudformation:CreateStack", "cloudformation.amazonaws.com",
               Call("cloudformation:CreateStack", _regional("cloudformation", "stack/trustgraph-escalation/*"))),
    _pass_role("codebuild-001", "iam:PassRole + codebuild:CreateProject + codebuild:StartBuild",
               "codebuild.amazonaws.com", Call("codebuild:CreateProject", _PROJECT),
               Call("codebuild:StartBuild", _PROJECT)),
    _pass_role("rhino-datapipeline", "iam:PassRole + datapipeline:CreatePipeline + PutPipelineDefinition",
               "datapipeline.amazonaws.com", Call("datapipeline:CreatePipeline", "*"),
               Call("datapipeline:PutPipelineDefinition", "*"), Call("datapipeline:ActivatePipeline", "*")),
    _pass_role("apprunner-001", "iam:PassRole + apprunner:CreateService", "tasks.apprunner.amazonaws.com",
               Call("apprunner:CreateService", _regional("apprunner", "service/trustgraph-escalation/*"))),
    _pass_role("bedrock-003", "iam:PassRole + bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore.amazonaws.com",
               Call("bedrock-agentcore:CreateAgentRuntime", _regional("bedrock-agentcore", "runtime/trustgraph"))),
    # --- principal -> role through an existing resource that runs as it (possible only) -----------------------
    Method("ssm-002", "ssm:SendCommand on an instance with the role's profile", "role",
           (Call("ssm:SendCommand", _regional("ec2", "instance/*")),),
           service="ec2.amazonaws.com", approximate="the export does not list the instances that run with the "
                                                    "role's instance profile"),
    Method("ssm-001", "ssm:StartSession on an instance with the role's profile", "role",
           (Call("ssm:StartSession", _regional("ec2", "instance/*")),),
           service="ec2.amazonaws.com", approximate="the export does not list the instances that run with the "
                                                    "role's instance profile"),
    Method("lambda-003", "lambda:UpdateFunctionCode on a function that runs as the role", "role",
           (Call("lambda:UpdateFunctionCode", _regional("lambda", "function:*")),),
           service="lambda.amazonaws.com", approximate=_EXISTING),
    # --- principal -> administrator of its account by managing its own permissions ----------------------------
    Method("iam-007", "iam:PutUserPolicy on itself", "admin", (Call("iam:PutUserPolicy", "{self}"),), via="self"),
    Method("iam-008", "iam:AttachUserPolicy on itself", "admin",
           (Call("iam:AttachUserPolicy", "{self}",
                 (("iam:PolicyARN", "arn:{partition}:iam::aws:policy/AdministratorAccess"),)),), via="self"),
    Method("iam-005", "iam:PutRolePolicy on itself", "admin", (Call("iam:PutRolePolicy", "{self}"),), via="self"),
    Method("iam-009", "iam:AttachRolePolicy on itself", "admin",
           (Call("iam:AttachRolePolicy", "{self}",
                 (("iam:PolicyARN", "arn:{partition}:iam::aws:policy/AdministratorAccess"),)),), via="self"),
    Method("iam-011", "iam:PutGroupPolicy on a group it is in", "admin", (Call("iam:PutGroupPolicy", "{group}"),),
           via="group"),
    Method("iam-010", "iam:AttachGroupPolicy on a group it is in", "admin",
           (Call("iam:AttachGroupPolicy", "{group}",
                 (("iam:PolicyARN", "arn:{partition}:iam::aws:policy/AdministratorAccess"),)),), via="group"),
    Method("iam-013", "iam:AddUserToGroup (itself, to an administrators' group)", "admin",
           (Call("iam:AddUserToGroup", "{group}"),), via="other-group"),
    Method("iam-001", "iam:CreatePolicyVersion on a policy it holds", "admin",
           (Call("iam:CreatePolicyVersion", "{policy}"),), via="policy"),
    Method("rhino-setdefaultpolicyversion", "iam:SetDefaultPolicyVersion on a policy it holds", "admin",
           (Call("iam:SetDefaultPolicyVersion", "{policy}"),), via="policy",
           approximate="the export's other versions of the policy are not examined: one may grant more"),
    Method("trustgraph-delete-boundary", "iam:Delete*PermissionsBoundary on itself", "admin",
           (Call("iam:DeleteUserPermissionsBoundary", "{self}"),), via="boundary"),
)

METHOD_BY_ID = {m.id: m for m in METHODS}

__all__ = ["Call", "METHODS", "METHOD_BY_ID", "Method"]
