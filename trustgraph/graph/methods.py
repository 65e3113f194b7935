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


def _passrole(service: str) -> Call:
    return Call("iam:PassRole", "{target}", (("iam:PassedToService", service),))


_FN = "arn:{partition}:lambda:us-east-1:{account}:function:trustgraph-escalation"
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
    Method("ec2-001", "iam:PassRole + ec2:RunInstances", "role",
           (_passrole("ec2.amazonaws.com"),
            Call("ec2:RunInstances", "arn:{partition}:ec2:us-east-1:{account}:instance/*")),
           service="ec2.amazonaws.com"),
    Method("lambda-001", "iam:PassRole + lambda:CreateFunction + lambda:InvokeFunction", "role",
           (_passrole("lambda.amazonaws.com"), Call("lambda:CreateFunction", _FN),
            Call("lambda:InvokeFunction", _FN)), service="lambda.amazonaws.com"),
    Method("lambda-002", "iam:PassRole + lambda:CreateFunction + lambda:CreateEventSourceMapping", "role",
           (_passrole("lambda.amazonaws.com"), Call("lambda:CreateFunction", _FN),
            Call("lambda:CreateEventSourceMapping", "*")), service="lambda.amazonaws.com",
           approximate="needs an event source (e.g. a DynamoDB stream) the caller can write to"),
    Method("ecs-001", "iam:PassRole + ecs:RegisterTaskDefinition + ecs:RunTask", "role",
           (_passrole("ecs-tasks.amazonaws.com"), Call("ecs:RegisterTaskDefinition", "*"),
            Call("ecs:RunTask", "arn:{partition}:ecs:us-east-1:{account}:task-definition/trustgraph-escalation:1")),
           service="ecs-tasks.amazonaws.com", approximate="needs an ECS cluster to run the task in"),
    Method("glue-001", "iam:PassRole + glue:CreateDevEndpoint", "role",
           (_passrole("glue.amazonaws.com"),
            Call("glue:CreateDevEndpoint", "arn:{partition}:glue:us-east-1:{account}:devEndpoint/trustgraph")),
           service="glue.amazonaws.com"),
    Method("sagemaker-001", "iam:PassRole + sagemaker:CreateNotebookInstance", "role",
           (_passrole("sagemaker.amazonaws.com"),
            Call("sagemaker:CreateNotebookInstance",
                 "arn:{partition}:sagemaker:us-east-1:{account}:notebook-instance/trustgraph-escalation"),
            Call("sagemaker:CreatePresignedNotebookInstanceUrl",
                 "arn:{partition}:sagemaker:us-east-1:{account}:notebook-instance/trustgraph-escalation")),
           service="sagemaker.amazonaws.com"),
    Method("cloudformation-001", "iam:PassRole + cloudformation:CreateStack", "role",
           (_passrole("cloudformation.amazonaws.com"),
            Call("cloudformation:CreateStack",
                 "arn:{partition}:cloudformation:us-east-1:{account}:stack/trustgraph-escalation/*")),
           service="cloudformation.amazonaws.com"),
    Method("codebuild-001", "iam:PassRole + codebuild:CreateProject + codebuild:StartBuild", "role",
           (_passrole("codebuild.amazonaws.com"),
            Call("codebuild:CreateProject", "arn:{partition}:codebuild:us-east-1:{account}:project/trustgraph"),
            Call("codebuild:StartBuild", "arn:{partition}:codebuild:us-east-1:{account}:project/trustgraph")),
           service="codebuild.amazonaws.com"),
    Method("rhino-datapipeline", "iam:PassRole + datapipeline:CreatePipeline + PutPipelineDefinition", "role",
           (_passrole("datapipeline.amazonaws.com"), Call("datapipeline:CreatePipeline", "*"),
            Call("datapipeline:PutPipelineDefinition", "*"), Call("datapipeline:ActivatePipeline", "*")),
           service="datapipeline.amazonaws.com"),
    Method("apprunner-001", "iam:PassRole + apprunner:CreateService", "role",
           (_passrole("tasks.apprunner.amazonaws.com"),
            Call("apprunner:CreateService",
                 "arn:{partition}:apprunner:us-east-1:{account}:service/trustgraph-escalation/*")),
           service="tasks.apprunner.amazonaws.com"),
    Method("bedrock-003", "iam:PassRole + bedrock-agentcore:CreateAgentRuntime", "role",
           (_passrole("bedrock-agentcore.amazonaws.com"),
            Call("bedrock-agentcore:CreateAgentRuntime",
                 "arn:{partition}:bedrock-agentcore:us-east-1:{account}:runtime/trustgraph")),
           service="bedrock-agentcore.amazonaws.com"),
    # --- principal -> role through an existing resource that runs as it (possible only) -----------------------
    Method("ssm-002", "ssm:SendCommand on an instance with the role's profile", "role",
           (Call("ssm:SendCommand", "arn:{partition}:ec2:us-east-1:{account}:instance/*"),),
           service="ec2.amazonaws.com", approximate="the export does not list the instances that run with the "
                                                    "role's instance profile"),
    Method("ssm-001", "ssm:StartSession on an instance with the role's profile", "role",
           (Call("ssm:StartSession", "arn:{partition}:ec2:us-east-1:{account}:instance/*"),),
           service="ec2.amazonaws.com", approximate="the export does not list the instances that run with the "
                                                    "role's instance profile"),
    Method("lambda-003", "lambda:UpdateFunctionCode on a function that runs as the role", "role",
           (Call("lambda:UpdateFunctionCode", "arn:{partition}:lambda:us-east-1:{account}:function:*"),),
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
