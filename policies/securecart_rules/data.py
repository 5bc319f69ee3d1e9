"""Data rules: RDS, DynamoDB, S3 (its v7 split resources joined through property dependencies) and KMS."""

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from securecart_rules._common import (
    as_list,
    attached,
    get,
    num,
    of_type,
    refs,
    tags_of,
    truthy,
)
from securecart_rules._iam import public_allows, statements
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    CLOUDFRONT_DISTRIBUTION,
    DYNAMODB_GLOBAL_TABLE,
    DYNAMODB_TABLE,
    DYNAMODB_TABLE_REPLICA,
    KMS_EXTERNAL_KEY,
    KMS_KEY,
    KMS_REPLICA_EXTERNAL_KEY,
    KMS_REPLICA_KEY,
    LOAD_BALANCERS,
    RANDOM_PASSWORD,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_CLUSTER_PARAMETER_GROUP,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    S3_BUCKET_ACL,
    S3_BUCKET_ACL_V2,
    S3_BUCKET_LIFECYCLE_CONFIGURATION,
    S3_BUCKET_LIFECYCLE_CONFIGURATION_V2,
    S3_BUCKET_LOGGING,
    S3_BUCKET_LOGGING_V2,
    S3_BUCKET_OWNERSHIP_CONTROLS,
    S3_BUCKET_POLICY,
    S3_BUCKET_PUBLIC_ACCESS_BLOCK,
    S3_BUCKET_REPLICATION_CONFIG,
    S3_BUCKET_SSE_CONFIGURATION,
    S3_BUCKET_SSE_CONFIGURATION_V2,
    S3_BUCKET_VERSIONING,
    S3_BUCKET_VERSIONING_V2,
    S3_BUCKETS,
    SECRETSMANAGER_SECRET_VERSION,
)

RDS = (RDS_INSTANCE, RDS_CLUSTER)
KMS_REPLICA_KEYS = (KMS_REPLICA_KEY, KMS_REPLICA_EXTERNAL_KEY, KMS_EXTERNAL_KEY)

VERSIONING = (S3_BUCKET_VERSIONING, S3_BUCKET_VERSIONING_V2)
ENCRYPTION = (S3_BUCKET_SSE_CONFIGURATION, S3_BUCKET_SSE_CONFIGURATION_V2)
LOGGING = (S3_BUCKET_LOGGING, S3_BUCKET_LOGGING_V2)
REPLICATION = (S3_BUCKET_REPLICATION_CONFIG,)
POLICY = (S3_BUCKET_POLICY,)
ACL = (S3_BUCKET_ACL, S3_BUCKET_ACL_V2)
OWNERSHIP = (S3_BUCKET_OWNERSHIP_CONTROLS,)
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
REPLICATION_TAG = "Replication"  # "source" or "destination": the bucket holds cross-region replicated content


# --- RDS -------------------------------------------------------------------------------------------------------

@resource_rule(
    name="rds-storage-encrypted",
    description="RDS instances and clusters encrypt their storage.",
    source="FSBP RDS.3, RDS.27; cdk-nag AwsSolutions-RDS2; AWSGuard rds-storage-encrypted",
    types=RDS, level=MANDATORY, severity=Severity.HIGH,
)
def rds_storage_encrypted(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == RDS_CLUSTER and str(args.props.get("engineMode") or "") == "serverless":
        return  # Aurora Serverless v1 is always encrypted
    if not truthy(args.props.get("storageEncrypted")):
        report("Storage is not encrypted: set storage_encrypted=True with a customer-managed KMS key.")


@resource_rule(
    name="rds-multi-az",
    description="RDS instances are Multi-AZ and clusters span at least two AZs.",
    source="seed: RDS Multi-AZ; FSBP RDS.5, RDS.15; cdk-nag AwsSolutions-RDS3; AWSGuard rds-instance-multi-az-enabled",
    types=RDS, level=MANDATORY, severity=Severity.HIGH,
)
def rds_multi_az(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == RDS_INSTANCE:
        if args.props.get("clusterIdentifier"):
            return  # an Aurora cluster member: the cluster spreads over AZs
        if not truthy(args.props.get("multiAz")):
            report("The instance is single-AZ: set multi_az=True so it survives the loss of an AZ.")
    elif args.props.get("availabilityZones") is not None and len(as_list(args.props.get("availabilityZones"))) < 2:
        report("The cluster spans fewer than two AZs.")


@resource_rule(
    name="rds-not-public",
    description="RDS instances (and Aurora cluster instances) are not publicly accessible and live in a DB subnet "
                "group of the VPC.",
    source="FSBP RDS.2, RDS.18; cdk-nag RDSInstancePublicAccess; AWSGuard rds-instance-public-access",
    types=[RDS_INSTANCE, RDS_CLUSTER_INSTANCE], level=MANDATORY, severity=Severity.CRITICAL,
)
def rds_not_public(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if truthy(args.props.get("publiclyAccessible")):
        report("The database is publicly accessible: set publicly_accessible=False.")
    if args.resource_type == RDS_CLUSTER_INSTANCE:
        return  # it lives in its cluster's DB subnet group
    source = str(args.props.get("replicateSourceDb") or "")
    # A same-region replica (source named by identifier) lives in its source's subnet group; a cross-region one
    # (source named by ARN) falls back to the region's default subnet group unless it names one.
    if not args.props.get("dbSubnetGroupName") and (not source or source.startswith("arn:")):
        report("The database names no DB subnet group, so it would land in the default VPC's subnets.")


BACKUP = {"minBackupDays": {"type": "integer", "minimum": 1, "maximum": 35, "default": 7,
                            "description": "Fewest days of automated backups."}}


@resource_rule(
    name="rds-backup-retention",
    description="RDS automated backups are kept at least 7 days.",
    source="FSBP RDS.11; cdk-nag AwsSolutions-RDS13; AWSGuard rds-instance-backup-enabled",
    types=RDS, level=MANDATORY, severity=Severity.HIGH, config=BACKUP,
)
def rds_backup_retention(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    if args.resource_type == RDS_INSTANCE and args.props.get("clusterIdentifier"):
        return
    days = num(args.props.get("backupRetentionPeriod"))
    minimum = int(settings["minBackupDays"])
    if days is None or days < minimum:
        report(f"Automated backups are kept {0 if days is None else int(days)} day(s): keep at least {minimum}.")


@resource_rule(
    name="rds-deletion-protection",
    description="RDS instances and clusters have deletion protection.",
    source="FSBP RDS.7, RDS.8; cdk-nag AwsSolutions-RDS10",
    types=RDS, level=MANDATORY, severity=Severity.HIGH,
)
def rds_deletion_protection(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == RDS_INSTANCE and args.props.get("clusterIdentifier"):
        return
    if not truthy(args.props.get("deletionProtection")):
        report("Deletion protection is off: set deletion_protection=True.")


@resource_rule(
    name="rds-iam-authentication",
    description="RDS uses IAM database authentication.",
    source="FSBP RDS.10, RDS.12",
    types=RDS, level=ADVISORY, severity=Severity.MEDIUM,
)
def rds_iam_authentication(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not truthy(args.props.get("iamDatabaseAuthenticationEnabled")):
        report("IAM database authentication is off.")


@resource_rule(
    name="rds-log-exports",
    description="RDS exports its logs to CloudWatch Logs.",
    source="FSBP RDS.9; cdk-nag RDSLoggingEnabled",
    types=RDS, level=ADVISORY, severity=Severity.MEDIUM,
)
def rds_log_exports(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == RDS_INSTANCE and args.props.get("clusterIdentifier"):
        return
    if not as_list(args.props.get("enabledCloudwatchLogsExports")):
        report("No database logs are exported to CloudWatch Logs.")


# The parameter that makes each engine refuse connections without TLS, and the values that turn it on.
TLS_PARAMETERS = {"postgres": ("rds.force_ssl", ("1", "on", "true")),
                  "mysql": ("require_secure_transport", ("1", "on", "true")),
                  "mariadb": ("require_secure_transport", ("1", "on", "true"))}


def _standalone(args: ResourceValidationArgs) -> bool:
    """An instance that is neither an Aurora cluster member nor a read replica (those inherit from elsewhere)."""
    return not (args.resource_type == RDS_INSTANCE and
                (args.props.get("clusterIdentifier") or args.props.get("replicateSourceDb")))


def _engine_of_family(family: str) -> str | None:
    return next((e for e in TLS_PARAMETERS if family.startswith(e) or family.startswith(f"aurora-{e}")), None)


def _forces_tls(group: PolicyResource) -> bool:
    engine = _engine_of_family(str(group.props.get("family") or ""))
    if engine is None:
        return False
    name, values = TLS_PARAMETERS[engine]
    return any(str(get(p, "name")) == name and str(get(p, "value")).strip().lower() in values
               for p in as_list(group.props.get("parameters")))


@stack_rule(
    name="rds-tls-enforced",
    description="RDS databases refuse connections without TLS (rds.force_ssl / require_secure_transport in their "
                "own parameter group).",
    source="FSBP RDS.38, RDS.39 (third-party mapping); catalogue #40",
    level=MANDATORY, severity=Severity.HIGH,
)
def rds_tls_enforced(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    for r in of_type(list(args.resources), RDS_INSTANCE, RDS_CLUSTER):
        if r.resource_type == RDS_INSTANCE and r.props.get("clusterIdentifier"):
            continue  # an Aurora member: its cluster's parameter group decides
        prop = "parameterGroupName" if r.resource_type == RDS_INSTANCE else "dbClusterParameterGroupName"
        groups = [g for g in refs(r, prop) if g.resource_type in (RDS_PARAMETER_GROUP, RDS_CLUSTER_PARAMETER_GROUP)]
        if not groups:
            report("The database uses a parameter group this stack does not define, so nothing shows it refuses "
                   "connections without TLS: give it one that sets rds.force_ssl=1 (PostgreSQL) or "
                   "require_secure_transport=1 (MySQL).", r.urn)
        elif not any(_forces_tls(g) for g in groups):
            report("The database's parameter group does not force TLS: set rds.force_ssl=1 (PostgreSQL) or "
                   "require_secure_transport=1 (MySQL).", r.urn)


def _generated_and_kept(resources: list[PolicyResource], db: PolicyResource, prop: str) -> bool:
    """The password property was computed from a generated password that a Secrets Manager secret also holds."""
    generators = {g.urn for g in refs(db, prop) if g.resource_type == RANDOM_PASSWORD}
    return bool(generators) and any(
        d.urn in generators for v in of_type(resources, SECRETSMANAGER_SECRET_VERSION) for d in refs(v, "secretString"))


@stack_rule(
    name="rds-master-password-secret",
    description="RDS master passwords are never written in code or config: RDS manages them in Secrets Manager, "
                "or the program generates them (a Pulumi secret) and keeps them in a Secrets Manager secret.",
    source="catalogue #80: FSBP SecretsManager.1, cdk-nag AwsSolutions-SMG4; DESIGN §3 (no plain secrets)",
    level=MANDATORY, severity=Severity.HIGH,
)
def rds_master_password_secret(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    inherited = ("snapshotIdentifier", "restoreToPointInTime", "replicationSourceIdentifier",
                 "globalClusterIdentifier", "s3Import", "replicateSourceDb", "clusterIdentifier")
    for db in of_type(resources, *RDS):
        prop = "password" if db.resource_type == RDS_INSTANCE else "masterPassword"
        given = db.props.get(prop)
        if any(db.props.get(k) for k in inherited) and not given:
            continue  # restored, replicated or a cluster member: the credentials come from the source
        if given:
            if not _generated_and_kept(resources, db, prop):
                report(f"The master password is written in the program or config ({prop}): generate it "
                       f"(random.RandomPassword) and keep it in a Secrets Manager secret, or let RDS manage it.",
                       db.urn)
        elif not truthy(db.props.get("manageMasterUserPassword")):
            report("The database has no master password from a secret: let RDS manage it "
                   "(manage_master_user_password), or generate one and keep it in Secrets Manager.", db.urn)


@stack_rule(
    name="rds-replica-source-credentials",
    description="No RDS read replica replicates a source whose master password RDS manages (RDS refuses to "
                "create it).",
    source="catalogue gap (deploy readiness): RDS User Guide, Limitations for Secrets Manager integration; "
           "DESIGN §7",
    level=MANDATORY, severity=Severity.HIGH,
)
def rds_replica_source_credentials(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    instances = of_type(list(args.resources), RDS_INSTANCE)
    names: dict[str, PolicyResource] = {}
    for db in instances:
        for key in ("identifier", "arn"):
            if isinstance(db.props.get(key), str):
                names[db.props[key]] = db
    for replica in instances:
        source_ref = replica.props.get("replicateSourceDb")
        if not source_ref:
            continue
        sources = [d for d in refs(replica, "replicateSourceDb") if d.resource_type == RDS_INSTANCE]
        if isinstance(source_ref, str) and source_ref in names:
            sources.append(names[source_ref])
        for source in sources:
            if truthy(source.props.get("manageMasterUserPassword")):
                report(f"The replica's source {source.name} has its master password managed by RDS in Secrets "
                       f"Manager, and RDS cannot create a read replica of such a source: give the source a "
                       f"generated password kept in a secret of the program's own.", replica.urn)


@resource_rule(
    name="rds-final-snapshot",
    description="Deleting an RDS database (not a replica) leaves a final snapshot.",
    source="seed: RDS Multi-AZ; catalogue gap: nothing in the data tier may be lost by accident",
    types=RDS, level=MANDATORY, severity=Severity.HIGH,
)
def rds_final_snapshot(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not _standalone(args):
        return  # RDS refuses final snapshots of replicas; a cluster member's data is its cluster's
    if truthy(args.props.get("skipFinalSnapshot")):
        report("Deleting the database would keep no final snapshot: set skip_final_snapshot=False and a "
               "final_snapshot_identifier.")
    elif not args.props.get("finalSnapshotIdentifier"):
        report("No final_snapshot_identifier is set, so a delete would fail rather than keep a snapshot.")


@resource_rule(
    name="rds-enhanced-monitoring",
    description="RDS instances publish enhanced (OS-level) monitoring.",
    source="FSBP RDS.6; cdk-nag RDSEnhancedMonitoringEnabled; catalogue #39",
    types=[RDS_INSTANCE], level=ADVISORY, severity=Severity.LOW,
)
def rds_enhanced_monitoring(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type != RDS_INSTANCE:
        return
    interval = num(args.props.get("monitoringInterval"))
    if not interval:
        report("Enhanced monitoring is off: set monitoring_interval (60 or less) and a monitoring role.")
    elif not args.props.get("monitoringRoleArn"):
        report("Enhanced monitoring has no monitoring_role_arn to publish with.")


@resource_rule(
    name="rds-auto-minor-version-upgrade",
    description="RDS instances take minor version (security patch) upgrades automatically.",
    source="FSBP RDS.13; cdk-nag RDSAutomaticMinorVersionUpgradeEnabled; catalogue #39",
    types=[RDS_INSTANCE, RDS_CLUSTER_INSTANCE], level=ADVISORY, severity=Severity.MEDIUM,
)
def rds_auto_minor_version_upgrade(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    value = args.props.get("autoMinorVersionUpgrade")
    if value is not None and not truthy(value):  # the provider's default is true
        report("Automatic minor version upgrades are off: security patches wait for a manual upgrade.")


@resource_rule(
    name="rds-copy-tags-to-snapshot",
    description="RDS snapshots carry the database's tags.",
    source="FSBP RDS.16, RDS.17; catalogue #39",
    types=RDS, level=ADVISORY, severity=Severity.LOW,
)
def rds_copy_tags_to_snapshot(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == RDS_INSTANCE and args.props.get("clusterIdentifier"):
        return
    if not truthy(args.props.get("copyTagsToSnapshot")):
        report("Snapshots would not carry the database's tags (owner, cost centre): set copy_tags_to_snapshot=True.")


# --- DynamoDB --------------------------------------------------------------------------------------------------

@resource_rule(
    name="dynamodb-pitr",
    description="DynamoDB tables and every replica have point-in-time recovery.",
    source="FSBP DynamoDB.2; cdk-nag AwsSolutions-DDB3",
    types=[DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA], level=MANDATORY, severity=Severity.HIGH,
)
def dynamodb_pitr(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    pitr = args.props.get("pointInTimeRecovery")
    enabled = truthy(pitr) if args.resource_type == DYNAMODB_TABLE_REPLICA else truthy(get(pitr, "enabled"))
    if not enabled:
        report("Point-in-time recovery is off: enable it.")
    for replica in as_list(args.props.get("replicas")):
        if not truthy(get(replica, "pointInTimeRecovery")):
            report(f"The replica in {get(replica, 'regionName')} has no point-in-time recovery.")


CMK = {"requireCustomerManagedKey": {"type": "boolean", "default": True,
                                     "description": "Tables must be encrypted with a customer-managed KMS key."}}


@resource_rule(
    name="dynamodb-encrypted-with-cmk",
    description="DynamoDB tables and replicas are encrypted with customer-managed KMS keys.",
    source="AWSGuard dynamodb-table-encryption-enabled (strengthened to a CMK)",
    types=[DYNAMODB_TABLE], level=MANDATORY, severity=Severity.HIGH, config=CMK,
)
def dynamodb_encrypted_with_cmk(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    sse = args.props.get("serverSideEncryption")
    if settings["requireCustomerManagedKey"] and not (truthy(get(sse, "enabled")) and get(sse, "kmsKeyArn")):
        report("The table is encrypted with an AWS-owned key: set server_side_encryption with enabled=True and a "
               "customer-managed key.")
    for replica in as_list(args.props.get("replicas")):
        if settings["requireCustomerManagedKey"] and not get(replica, "kmsKeyArn"):
            report(f"The replica in {get(replica, 'regionName')} names no customer-managed key of its region.")


@resource_rule(
    name="dynamodb-deletion-protection",
    description="DynamoDB tables have deletion protection.",
    source="FSBP DynamoDB.6 (third-party mapping)",
    types=[DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA], level=MANDATORY, severity=Severity.HIGH,
)
def dynamodb_deletion_protection(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not truthy(args.props.get("deletionProtectionEnabled")):
        report("Deletion protection is off: set deletion_protection_enabled=True.")


@resource_rule(
    name="dynamodb-scales",
    description="DynamoDB tables scale with demand (on-demand billing).",
    source="FSBP DynamoDB.1; cdk-nag DynamoDBAutoScalingEnabled",
    types=[DYNAMODB_TABLE], level=ADVISORY, severity=Severity.MEDIUM,
)
def dynamodb_scales(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if str(args.props.get("billingMode") or "PROVISIONED") != "PAY_PER_REQUEST":
        report("The table uses provisioned capacity: use on-demand (PAY_PER_REQUEST) or add autoscaling for sale "
               "peaks.")


@resource_rule(
    name="dynamodb-global-table-current",
    description="Global tables use the current version (replicas listed on the table, stream NEW_AND_OLD_IMAGES).",
    source="seed: DynamoDB Global Tables for sessions; catalogue gap",
    types=[DYNAMODB_TABLE, DYNAMODB_GLOBAL_TABLE], level=ADVISORY, severity=Severity.MEDIUM,
)
def dynamodb_global_table_current(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.resource_type == DYNAMODB_GLOBAL_TABLE:
        report("This is a global table of the 2017.11.29 version, which AWS is retiring: list replicas on an "
               "aws.dynamodb.Table (version 2019.11.21) instead.")
        return
    if as_list(args.props.get("replicas")) and not (
            truthy(args.props.get("streamEnabled"))
            and str(args.props.get("streamViewType") or "") == "NEW_AND_OLD_IMAGES"):
        report("A table with replicas needs its stream on with NEW_AND_OLD_IMAGES: replication reads it.")


# --- S3 ----------------------------------------------------------------------------------------------------------

def _by_bucket(resources: list[PolicyResource], types: tuple[str, ...]) -> dict[str, list[PolicyResource]]:
    return attached(resources, types, "bucket")


def _log_targets(resources: list[PolicyResource]) -> set[str]:
    """Buckets that receive S3 server access logs or load balancer access logs."""
    targets = {d.urn for r in of_type(resources, *LOGGING) for d in refs(r, "targetBucket")}
    targets |= {d.urn for r in of_type(resources, *LOAD_BALANCERS) for d in refs(r, "accessLogs")}
    targets |= {d.urn for r in of_type(resources, CLOUDFRONT_DISTRIBUTION) for d in refs(r, "loggingConfig")}
    return targets & {b.urn for b in of_type(resources, *S3_BUCKETS)}


@stack_rule(
    name="s3-block-public-access",
    description="Every bucket blocks public access with all four settings.",
    source="FSBP S3.8; cdk-nag AwsSolutions-S2",
    level=MANDATORY, severity=Severity.CRITICAL,
)
def s3_block_public_access(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    resources = list(args.resources)
    blocks_of = _by_bucket(resources, (S3_BUCKET_PUBLIC_ACCESS_BLOCK,))
    for bucket in of_type(resources, *S3_BUCKETS):
        blocks = blocks_of.get(bucket.urn, [])
        if not blocks:
            report("The bucket has no public access block: add one with all four settings true.", bucket.urn)
            continue
        off = [f for f in flags if not any(truthy(b.props.get(f)) for b in blocks)]
        if off:
            report(f"The bucket's public access block leaves {', '.join(off)} off.", bucket.urn)


@stack_rule(
    name="s3-no-public-grants",
    description="No bucket ACL or policy grants public access, and ACLs are disabled (bucket owner enforced).",
    source="FSBP S3.2, S3.3, S3.6, S3.12; cdk-nag AwsSolutions-S5",
    level=MANDATORY, severity=Severity.CRITICAL,
)
def s3_no_public_grants(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    for acl in of_type(resources, *ACL):
        if str(acl.props.get("acl") or "") in PUBLIC_ACLS:
            report(f"The bucket ACL '{acl.props.get('acl')}' makes objects public.", acl.urn)
        for grant in as_list(get(acl.props, "accessControlPolicy", "grants")):
            if get(grant, "grantee", "uri") in PUBLIC_GRANTEES:
                report("The bucket ACL grants access to all (authenticated) users.", acl.urn)
    for policy in of_type(resources, *POLICY):
        stmts = statements(policy.props.get("policy"))
        if stmts is None:
            report("The bucket policy is not a policy document.", policy.urn)
            continue
        for s in public_allows(stmts):
            report(f"The bucket policy allows {', '.join(s.actions) or 'actions'} to any principal without a "
                   f"narrowing condition (for CloudFront, condition on AWS:SourceArn).", policy.urn)
    controls_of = _by_bucket(resources, OWNERSHIP)
    for bucket in of_type(resources, *S3_BUCKETS):
        controls = controls_of.get(bucket.urn, [])
        enforced = any(get(c.props, "rule", "objectOwnership") == "BucketOwnerEnforced" for c in controls)
        if not enforced:
            report("ACLs are not disabled: add ownership controls with object_ownership='BucketOwnerEnforced'.",
                   bucket.urn)


def _denies_insecure_transport(policy: PolicyResource) -> bool:
    for s in statements(policy.props.get("policy")) or []:
        if s.effect == "deny" and s.public_principal and \
                any(v.lower() == "false" for v in s.condition_values("aws:SecureTransport")):
            return True
    return False


@stack_rule(
    name="s3-tls-only",
    description="Every bucket's policy denies requests that do not use TLS.",
    source="FSBP S3.5; cdk-nag AwsSolutions-S10",
    level=MANDATORY, severity=Severity.HIGH,
)
def s3_tls_only(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    policies_of = _by_bucket(resources, POLICY)
    for bucket in of_type(resources, *S3_BUCKETS):
        if not any(_denies_insecure_transport(p) for p in policies_of.get(bucket.urn, [])):
            report("No bucket policy denies requests without TLS: deny when aws:SecureTransport is false.",
                   bucket.urn)


@stack_rule(
    name="s3-access-logging",
    description="Buckets have server access logging, log buckets included; one terminal bucket per stack holds "
                "only S3 access logs and logs nowhere.",
    source="FSBP S3.9; cdk-nag AwsSolutions-S1; AWSGuard s3-bucket-logging-enabled",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def s3_access_logging(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    """Every bucket logs, log buckets too (who read or deleted an audit trail is itself audit), except one terminal
    bucket per stack that holds only S3 server access logs (logging it would add a log record per record)."""
    resources = list(args.resources)
    buckets = of_type(resources, *S3_BUCKETS)
    access_targets = {d.urn for r in of_type(resources, *LOGGING) for d in refs(r, "targetBucket")}
    other_targets = _log_targets(resources) - access_targets
    logging_of = _by_bucket(resources, LOGGING)
    silent = [b for b in buckets if not logging_of.get(b.urn) and not b.props.get("loggings")]
    # The one exempt terminal bucket is the first by name, so the finding is the same on every run.
    terminal = sorted((b for b in silent if b.urn in access_targets and b.urn not in other_targets),
                      key=lambda b: b.name)
    for bucket in silent:
        if bucket in terminal[:1]:
            continue
        why = " (it is a log bucket: log its own access into the stack's access-log bucket)" \
            if bucket.urn in access_targets or bucket.urn in other_targets else ""
        report(f"The bucket has no server access logging{why}.", bucket.urn)


def _sse_algorithms(configs: list[PolicyResource]) -> set[str]:
    return {str(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"))
            for c in configs for rule in as_list(c.props.get("rules"))}


@stack_rule(
    name="s3-default-encryption-kms",
    description="Buckets default to SSE-KMS encryption (log buckets, which AWS requires to use SSE-S3, to SSE-S3).",
    source="FSBP S3.17 (third-party mapping); cdk-nag S3DefaultEncryptionKMS",
    level=MANDATORY, severity=Severity.HIGH,
)
def s3_default_encryption_kms(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    targets = _log_targets(resources)
    encryption_of = _by_bucket(resources, ENCRYPTION)
    for bucket in of_type(resources, *S3_BUCKETS):
        algorithms = _sse_algorithms(encryption_of.get(bucket.urn, []))
        if bucket.urn in targets:
            # S3 server access logs and ELB access logs can only be delivered to SSE-S3 buckets.
            if not algorithms & {"AES256", "aws:kms", "aws:kms:dsse"}:
                report("The log bucket has no default encryption: set SSE-S3 (AES256).", bucket.urn)
        elif not algorithms & {"aws:kms", "aws:kms:dsse"}:
            report("The bucket does not default to SSE-KMS: add a server-side encryption configuration with "
                   "aws:kms and a customer-managed key.", bucket.urn)


def _versioned(versioning_of: dict[str, list[PolicyResource]], bucket: PolicyResource) -> bool:
    return any(str(get(v.props, "versioningConfiguration", "status")) == "Enabled"
               for v in versioning_of.get(bucket.urn, []))


@stack_rule(
    name="s3-versioning",
    description="Every bucket has versioning enabled (required for replication, protects against overwrites).",
    source="cdk-nag S3BucketVersioningEnabled; FSBP S3.14 (third-party mapping)",
    level=MANDATORY, severity=Severity.HIGH,
)
def s3_versioning(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    versioning_of = _by_bucket(resources, VERSIONING)
    for bucket in of_type(resources, *S3_BUCKETS):
        if not _versioned(versioning_of, bucket):
            report("Versioning is not enabled: add a bucket versioning resource with status 'Enabled'.", bucket.urn)


@stack_rule(
    name="s3-cross-region-replication",
    description="Buckets tagged Replication=source replicate across regions, and every replicated bucket "
                "(source or destination) is versioned.",
    source="seed: S3 cross-region replication of product images; cdk-nag S3BucketReplicationEnabled; FSBP S3.7",
    level=MANDATORY, severity=Severity.HIGH,
)
def s3_cross_region_replication(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    versioning_of = _by_bucket(resources, VERSIONING)
    replication_of = _by_bucket(resources, REPLICATION)
    for bucket in of_type(resources, *S3_BUCKETS):
        role = tags_of(bucket.props).get(REPLICATION_TAG, "").lower()
        if not role:
            continue
        if role == "source":
            configs = replication_of.get(bucket.urn, [])
            enabled = [r for c in configs for r in as_list(c.props.get("rules"))
                       if str(get(r, "status")) == "Enabled" and get(r, "destination", "bucket")]
            if not enabled:
                report("The bucket holds content to replicate but has no enabled cross-region replication rule.",
                       bucket.urn)
        if not _versioned(versioning_of, bucket):
            report("Replicated content needs versioning on the bucket.", bucket.urn)


LIFECYCLE = (S3_BUCKET_LIFECYCLE_CONFIGURATION,
             S3_BUCKET_LIFECYCLE_CONFIGURATION_V2)


def _replication_rules(args: StackValidationArgs) -> list[tuple[PolicyResource, PolicyResource | None, Any]]:
    """(replication config, its source bucket if in the stack, one enabled rule) for every enabled rule."""
    resources = list(args.resources)
    buckets = {b.urn: b for b in of_type(resources, *S3_BUCKETS)}
    found = []
    for config in of_type(resources, *REPLICATION):
        source = next((buckets[d.urn] for d in refs(config, "bucket") if d.urn in buckets), None)
        for rule in as_list(config.props.get("rules")):
            if str(get(rule, "status")) == "Enabled":
                found.append((config, source, rule))
    return found


@stack_rule(
    name="s3-replication-encrypted",
    description="Replication of SSE-KMS buckets replicates the encrypted objects and encrypts the replicas with a "
                "key of the destination region.",
    source="seed: S3 cross-region replication of product images; catalogue gap (KMS objects silently left out)",
    level=MANDATORY, severity=Severity.HIGH,
)
def s3_replication_encrypted(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    encryption_of = _by_bucket(list(args.resources), ENCRYPTION)
    for config, source, rule in _replication_rules(args):
        kms_source = source is None or bool(
            _sse_algorithms(encryption_of.get(source.urn, [])) & {"aws:kms", "aws:kms:dsse"})
        if not kms_source:
            continue
        if str(get(rule, "sourceSelectionCriteria", "sseKmsEncryptedObjects", "status")) != "Enabled":
            report(f"Rule {get(rule, 'id') or '(unnamed)'} skips SSE-KMS objects, which are all of this bucket's: "
                   f"enable source_selection_criteria.sse_kms_encrypted_objects, or nothing is replicated.",
                   config.urn)
        if not get(rule, "destination", "encryptionConfiguration", "replicaKmsKeyId"):
            report(f"Rule {get(rule, 'id') or '(unnamed)'} names no replica_kms_key_id: replicas of KMS-encrypted "
                   f"objects need a key in the destination region.", config.urn)


@stack_rule(
    name="s3-replication-time-control",
    description="Cross-region replication rules use Replication Time Control and replication metrics.",
    source="seed: S3 cross-region replication of product images; catalogue gap",
    level=ADVISORY, severity=Severity.MEDIUM,
)
def s3_replication_time_control(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    for config, _source, rule in _replication_rules(args):
        rid = get(rule, "id") or "(unnamed)"
        missing = []
        if str(get(rule, "destination", "replicationTime", "status")) != "Enabled":
            missing.append("Replication Time Control (15 minutes)")
        if str(get(rule, "destination", "metrics", "status")) != "Enabled":
            missing.append("replication metrics")
        if missing:
            report(f"Rule {rid} has no {', '.join(missing)}: a regional failover could serve stale or "
                   f"deleted content without anyone being told.", config.urn)


@stack_rule(
    name="s3-replication-keeps-deletes",
    description="Replication to the failover region does not replicate delete markers, so deletes in one region "
                "cannot empty the other's copy.",
    source="seed: survive the loss of a region (S3 cross-region replication); catalogue gap",
    level=MANDATORY, severity=Severity.HIGH,
)
def s3_replication_keeps_deletes(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    for config, _source, rule in _replication_rules(args):
        if str(get(rule, "deleteMarkerReplication", "status")) == "Enabled":
            report(f"Rule {get(rule, 'id') or '(unnamed)'} replicates delete markers: a bulk delete in this region "
                   f"would empty the failover copy too. Set delete_marker_replication status Disabled.", config.urn)


@stack_rule(
    name="s3-noncurrent-version-expiry",
    description="Versioned buckets expire noncurrent versions through a lifecycle rule.",
    source="FSBP S3.10, S3.13; catalogue #54",
    level=ADVISORY, severity=Severity.LOW,
)
def s3_noncurrent_version_expiry(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    versioning_of = _by_bucket(resources, VERSIONING)
    lifecycle_of = _by_bucket(resources, LIFECYCLE)
    for bucket in of_type(resources, *S3_BUCKETS):
        if not _versioned(versioning_of, bucket):
            continue
        rules = [r for c in lifecycle_of.get(bucket.urn, []) for r in as_list(c.props.get("rules"))
                 if str(get(r, "status")) == "Enabled"]
        if not any(get(r, "noncurrentVersionExpiration") for r in rules):
            report("Old object versions are kept forever: add a lifecycle rule with noncurrent_version_expiration.",
                   bucket.urn)


# --- KMS -----------------------------------------------------------------------------------------------------------

@resource_rule(
    name="kms-key-rotation",
    description="Customer-managed symmetric KMS keys rotate.",
    source="FSBP KMS.4 (third-party mapping); cdk-nag AwsSolutions-KMS5; AWSGuard cmk-backing-key-rotation-enabled",
    types=[KMS_KEY], level=MANDATORY, severity=Severity.HIGH,
)
def kms_key_rotation(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if str(args.props.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return  # AWS rotates only symmetric keys
    if not truthy(args.props.get("enableKeyRotation")):
        report("Key rotation is off: set enable_key_rotation=True.")


@resource_rule(
    name="kms-key-policy-not-public",
    description="KMS key policies allow no unrestricted public principal.",
    source="FSBP KMS.5 (third-party mapping)",
    types=[KMS_KEY], level=MANDATORY, severity=Severity.CRITICAL,
)
def kms_key_policy_not_public(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    raw = args.props.get("policy")
    if not raw:
        return  # the default key policy: the account only
    stmts = statements(raw)
    if stmts is None:
        report("The key policy is not a policy document.")
        return
    for s in public_allows(stmts):
        report(f"The key policy lets any principal use {', '.join(s.actions)} with no narrowing condition.")


@resource_rule(
    name="kms-key-deletion-window",
    description="KMS keys wait at least 30 days between scheduled deletion and deletion.",
    source="FSBP KMS.3 (as a deploy-time setting)",
    types=[KMS_KEY, *KMS_REPLICA_KEYS], level=ADVISORY, severity=Severity.MEDIUM,
    config={"minDeletionWindowDays": {"type": "integer", "minimum": 7, "maximum": 30, "default": 30,
                                      "description": "Fewest days of a key's deletion window."}},
)
def kms_key_deletion_window(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    days = num(args.props.get("deletionWindowInDays"))
    if (days or 30) < int(settings["minDeletionWindowDays"]):
        report(f"The key can be deleted {int(days or 0)} days after scheduling: keep the window at least "
               f"{int(settings['minDeletionWindowDays'])} days, time enough to notice a mistake.")


STATEFUL = (RDS_INSTANCE, RDS_CLUSTER, DYNAMODB_TABLE, DYNAMODB_TABLE_REPLICA, KMS_KEY, *KMS_REPLICA_KEYS, *S3_BUCKETS)


@resource_rule(
    name="stateful-resources-protected",
    description="Databases, tables, buckets and KMS keys are protected (protect=True) in the Pulumi state.",
    source="SecureCart DESIGN §3; catalogue gap: nothing in the data tier may be lost by accident",
    types=STATEFUL, level=MANDATORY, severity=Severity.HIGH,
)
def stateful_resources_protected(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not args.opts.protect:
        report("This holds data (or the key to it) but is not protected: pass protect=True so no update or "
               "destroy can delete it by accident.")
