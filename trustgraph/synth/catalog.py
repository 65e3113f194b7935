"""Fixed vocabularies of the generated organizations: the role mix, vendors, OUs, permission sets, services."""

from __future__ import annotations

ROLE_MIX: tuple[tuple[str, float], ...] = (
    ("service", 0.36),
    ("service-linked", 0.15),
    ("cross-account-tooling", 0.13),
    ("same-account-operator", 0.09),
    ("vendor", 0.08),
    ("github-oidc", 0.06),
    ("chained", 0.05),
    ("org-scoped", 0.04),
    ("cross-service", 0.025),
    ("public", 0.005),
)
"""Kinds of the drawn roles of the ``mix`` profile and their shares (see :mod:`trustgraph.synth` for the
reasoning)."""

VENDORS = ("acme-monitoring", "cloudcost", "secscan", "logship", "backupco", "example-corp")
OUS = ("Security", "Infrastructure", "Workloads-Prod", "Workloads-NonProd", "Sandbox")
PERMISSION_SETS = ("AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "Billing", "SecurityAudit",
                   "DataScientist")
SERVICES = (  # (principal, name stem, weight, managed policy or None, instance profile)
    ("ec2.amazonaws.com", "Ec2", 0.30, "AmazonSSMManagedInstanceCore", True),
    ("lambda.amazonaws.com", "Lambda", 0.40, "AWSLambdaBasicExecutionRole", False),
    ("ecs-tasks.amazonaws.com", "EcsTask", 0.15, "AmazonECSTaskExecutionRolePolicy", False),
    ("glue.amazonaws.com", "Glue", 0.05, None, False),
    ("codebuild.amazonaws.com", "CodeBuild", 0.05, None, False),
    ("states.amazonaws.com", "StepFunctions", 0.05, None, False),
)
SERVICE_LINKED = (  # (service principal, role name, AWS managed policy name)
    ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing",
     "AWSElasticLoadBalancingServiceRolePolicy"),
    ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"),
    ("rds.amazonaws.com", "AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy"),
    ("ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    ("cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy"),
    ("config.amazonaws.com", "AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy"),
    ("guardduty.amazonaws.com", "AWSServiceRoleForAmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy"),
    ("securityhub.amazonaws.com", "AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy"),
    ("ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy"),
    ("eks.amazonaws.com", "AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy"),
    ("dynamodb.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
     "AWSApplicationAutoscalingDynamoDBTablePolicy"),
    ("backup.amazonaws.com", "AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup"),
)
GITHUB_HOST = "token.actions.githubusercontent.com"
GITLAB_HOST = "gitlab.com"
SSO_AUDIENCE = "https://signin.aws.amazon.com/saml"
