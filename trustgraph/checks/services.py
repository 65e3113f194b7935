"""Service principals and the cross-service confused deputy: the one table ``service-confused-deputy`` reads.

A service that assumes a customer's role *on behalf of a resource* (a Config recorder, an SNS topic's delivery
logging, an IoT rule) can be driven by another customer to assume *your* role if your trust policy does not tie the
request to your resources with ``aws:SourceAccount`` / ``aws:SourceArn`` / ``aws:SourceOrgID`` (AWS IAM User Guide,
"The confused deputy problem", section "Cross-service confused deputy prevention"; each row cites the service's own
confused-deputy page). Services that take a role only through ``iam:PassRole`` by a principal of the role's own
account (EC2 instance profiles, Lambda execution roles, ECS task roles, ...) cannot be pointed at another account's
role (roles cannot be passed across accounts), so they are listed as not flagged, with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceInfo:
    """One service principal.

    Attributes
    ----------
    principal
        The service principal (``config.amazonaws.com``).
    name
        Human name.
    acts_for_others
        True when the service assumes roles on behalf of resources that may belong to other customers (flagged
        without source conditions); False when it is given roles only through iam:PassRole in the role's account.
    source
        Where this is documented.
    """

    principal: str
    name: str
    acts_for_others: bool
    source: str


_CD = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"

#: The table.
SERVICES: tuple[ServiceInfo, ...] = (
    # -- act on behalf of resources: trust must carry aws:SourceAccount / aws:SourceArn -----------------------------
    ServiceInfo(principal="config.amazonaws.com", name="AWS Config", acts_for_others=True,
                source="https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html "
                       "('prevent the confused deputy problem' with aws:SourceAccount); " + _CD),
    ServiceInfo(principal="sns.amazonaws.com", name="Amazon SNS (delivery status logging)", acts_for_others=True,
                source="https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html (confused deputy "
                       "with aws:SourceArn/aws:SourceAccount); " + _CD),
    ServiceInfo(principal="iot.amazonaws.com", name="AWS IoT", acts_for_others=True,
                source="https://docs.aws.amazon.com/iot/latest/developerguide/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="personalize.amazonaws.com", name="Amazon Personalize", acts_for_others=True,
                source="https://docs.aws.amazon.com/personalize/latest/dg/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="cognito-idp.amazonaws.com", name="Amazon Cognito user pools (SMS role)",
                acts_for_others=True,
                source="https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html "
                       "(confused deputy; aws:SourceAccount / sts:ExternalId)"),
    ServiceInfo(principal="datasync.amazonaws.com", name="AWS DataSync", acts_for_others=True,
                source="https://docs.aws.amazon.com/datasync/latest/userguide/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="transfer.amazonaws.com", name="AWS Transfer Family", acts_for_others=True,
                source="https://docs.aws.amazon.com/transfer/latest/userguide/confused-deputy.html"),
    ServiceInfo(principal="ssm.amazonaws.com", name="AWS Systems Manager (hybrid activations)",
                acts_for_others=True,
                source="https://docs.aws.amazon.com/systems-manager/latest/userguide/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="scheduler.amazonaws.com", name="Amazon EventBridge Scheduler", acts_for_others=True,
                source="https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="bedrock.amazonaws.com", name="Amazon Bedrock", acts_for_others=True,
                source="https://docs.aws.amazon.com/bedrock/latest/userguide/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="firehose.amazonaws.com", name="Amazon Data Firehose", acts_for_others=True,
                source="https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html (confused deputy "
                       "with sts:ExternalId / aws:SourceAccount)"),
    ServiceInfo(principal="logs.amazonaws.com", name="Amazon CloudWatch Logs (subscription delivery)",
                acts_for_others=True,
                source="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions-confused-deputy.html"),
    ServiceInfo(principal="cloudtrail.amazonaws.com", name="AWS CloudTrail (CloudWatch Logs delivery)",
                acts_for_others=True,
                source="https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="backup.amazonaws.com", name="AWS Backup", acts_for_others=True,
                source="https://docs.aws.amazon.com/aws-backup/latest/devguide/confused-deputy.html"),
    ServiceInfo(principal="apigateway.amazonaws.com", name="Amazon API Gateway (CloudWatch logging role)",
                acts_for_others=True,
                source="https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html; " + _CD),
    ServiceInfo(principal="connect.amazonaws.com", name="Amazon Connect", acts_for_others=True,
                source="https://docs.aws.amazon.com/connect/latest/adminguide/cross-service-confused-deputy-"
                       "prevention.html"),
    ServiceInfo(principal="securityhub.amazonaws.com", name="AWS Security Hub", acts_for_others=True,
                source="https://docs.aws.amazon.com/securityhub/latest/userguide/cross-service-confused-deputy-"
                       "prevention.html"),
    # -- given roles only through iam:PassRole in the role's own account: not flagged ------------------------------
    ServiceInfo(principal="ec2.amazonaws.com", name="Amazon EC2 (instance profiles)", acts_for_others=False,
                source="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html (a role is "
                       "passed by a principal of its own account; roles cannot be passed across accounts)"),
    ServiceInfo(principal="lambda.amazonaws.com", name="AWS Lambda (execution roles)", acts_for_others=False,
                source="https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html (iam:PassRole)"),
    ServiceInfo(principal="ecs-tasks.amazonaws.com", name="Amazon ECS tasks", acts_for_others=False,
                source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html "
                       "(iam:PassRole)"),
    ServiceInfo(principal="glue.amazonaws.com", name="AWS Glue", acts_for_others=False,
                source="https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html (iam:PassRole)"),
    ServiceInfo(principal="codebuild.amazonaws.com", name="AWS CodeBuild", acts_for_others=False,
                source="https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html "
                       "(iam:PassRole)"),
    ServiceInfo(principal="states.amazonaws.com", name="AWS Step Functions", acts_for_others=False,
                source="https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html "
                       "(iam:PassRole)"),
    ServiceInfo(principal="sagemaker.amazonaws.com", name="Amazon SageMaker", acts_for_others=False,
                source="https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html (iam:PassRole)"),
    ServiceInfo(principal="support.amazonaws.com", name="AWS Support (service-linked)", acts_for_others=False,
                source="service-linked role: AWS owns its trust policy (IAM docs, 'Using service-linked roles')"),
)

_BY_PRINCIPAL = {s.principal: s for s in SERVICES}


def service_info(principal: str) -> ServiceInfo | None:
    """The row for a service principal (``.amazonaws.com.cn`` spellings map to the same row), or None."""
    key = principal.lower().removesuffix(".cn")
    return _BY_PRINCIPAL.get(key)


def acts_for_others(principal: str) -> bool:
    """True when the service principal is in the table as acting for other customers' resources."""
    info = service_info(principal)
    return info is not None and info.acts_for_others
