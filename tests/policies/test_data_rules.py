"""RDS, DynamoDB, S3 (v7's split bucket resources, joined by property dependencies) and KMS rules."""

import json
from typing import Any

import pytest
from securecart_rules import data as d
from securecart_rules.types import (
    DYNAMODB_GLOBAL_TABLE,
    DYNAMODB_TABLE,
    DYNAMODB_TABLE_REPLICA,
    KMS_KEY,
    KMS_REPLICA_KEY,
    LB_LOAD_BALANCER,
    RANDOM_PASSWORD,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
    S3_BUCKET,
    S3_BUCKET_PUBLIC_ACCESS_BLOCK,
    S3_BUCKET_V2,
)

from tests.policies.harness import Case, cases, check, res

INSTANCE = {"storageEncrypted": True, "multiAz": True, "publiclyAccessible": False, "dbSubnetGroupName": "db",
            "backupRetentionPeriod": 14, "deletionProtection": True, "iamDatabaseAuthenticationEnabled": True,
            "enabledCloudwatchLogsExports": ["postgresql"]}


def db(name: str = "db", **props: Any) -> Any:
    return res(RDS_INSTANCE, name, {**INSTANCE, **props})


TABLE = {"pointInTimeRecovery": {"enabled": True}, "deletionProtectionEnabled": True, "billingMode": "PAY_PER_REQUEST",
         "serverSideEncryption": {"enabled": True, "kmsKeyArn": "arn:aws:kms:us-east-1:1:key/a"},
         "replicas": [{"regionName": "eu-west-1", "pointInTimeRecovery": True, "kmsKeyArn": "arn:aws:kms:eu:1:key/b"}]}


def table(name: str = "sessions", **props: Any) -> Any:
    return res(DYNAMODB_TABLE, name, {**TABLE, **props})


def tls_policy(*extra: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        *extra]})


CLOUDFRONT_READ = {"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::b/*",
                   "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1"}}}
PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def bucket_set(name: str = "images", *, tags: dict[str, str] | None = None, sse: str = "aws:kms",
               versioned: bool = True, logged: bool = True, bpa: bool = True, policy: str | None = None,
               replicate: bool = False, owner_enforced: bool = True, log_bucket: Any = None) -> list[Any]:
    bucket = res(S3_BUCKET, name, {"tags": tags or {}})
    out = [bucket]
    if bpa:
        out.append(res(S3_BUCKET_PUBLIC_ACCESS_BLOCK, f"{name}-bpa", {"blockPublicAcls": True,
                                                                      "blockPublicPolicy": True,
                                              "ignorePublicAcls": True, "restrictPublicBuckets": True},
                       bucket=bucket))
    out.append(res(d.ENCRYPTION[0], f"{name}-sse", {"rules": [{"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": sse}}]}, bucket=bucket))
    if versioned:
        out.append(res(d.VERSIONING[0], f"{name}-versioning", {"versioningConfiguration": {"status": "Enabled"}},
                       bucket=bucket))
    if logged and log_bucket is not None:
        out.append(res(d.LOGGING[0], f"{name}-logging", {"targetPrefix": name}, bucket=bucket,
                       targetBucket=log_bucket))
    out.append(res(d.POLICY[0], f"{name}-policy", {"policy": policy or tls_policy(CLOUDFRONT_READ)}, bucket=bucket))
    if owner_enforced:
        out.append(res(d.OWNERSHIP[0], f"{name}-ownership", {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
                       bucket=bucket))
    if replicate:
        out.append(res(d.REPLICATION[0], f"{name}-crr", {"rules": [{"status": "Enabled", "destination": {
            "bucket": "arn:aws:s3:::images-eu"}}]}, bucket=bucket))
    return out


def params(name: str = "params", family: str = "postgres16", **values: str) -> Any:
    return res(RDS_PARAMETER_GROUP, name, {"family": family, "parameters": [
        {"name": k.replace("__", "."), "value": v, "applyMethod": "pending-reboot"} for k, v in values.items()]})


PG_TLS = params(rds__force_ssl="1")
MYSQL_TLS = params("mysql-params", family="mysql8.0", require_secure_transport="1")


def replication(name: str, bucket: Any, **rule: Any) -> Any:
    full = {"id": "images-to-eu", "status": "Enabled", "deleteMarkerReplication": {"status": "Disabled"},
            "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
            "destination": {"bucket": "arn:aws:s3:::images-eu",
                            "encryptionConfiguration": {"replicaKmsKeyId": "arn:aws:kms:eu-west-1:1:key/b"},
                            "metrics": {"status": "Enabled", "eventThreshold": {"minutes": 15}},
                            "replicationTime": {"status": "Enabled", "time": {"minutes": 15}}}}
    full.update(rule)
    return res(d.REPLICATION[0], name, {"rules": [full]}, bucket=bucket)


def lifecycle(name: str, bucket: Any, **rule: Any) -> Any:
    return res(d.LIFECYCLE[0], name, {"rules": [{"id": "r", "status": "Enabled", **rule}]}, bucket=bucket)


def protected(reg: Any) -> Any:
    reg.protect = True
    return reg


PASSWORD = res("random:index/randomPassword:RandomPassword", "master-password", {"length": 40})
GENERATED_AND_KEPT = [
    PASSWORD,
    res("aws:secretsmanager/secretVersion:SecretVersion", "master-secret", {"secretString": "{}"},
        secretString=PASSWORD),
    res(RDS_INSTANCE, "writer", {**INSTANCE, "password": "g3n", "identifier": "writer"}, password=PASSWORD),
]
MANAGED_WRITER = db("managed", identifier="managed-db", manageMasterUserPassword=True)
LOGS = bucket_set("logs", sse="AES256", logged=False)
GOOD_BUCKETS = [*LOGS, *bucket_set(log_bucket=LOGS[0])]

CASES = cases(
    Case(d.rds_storage_encrypted,
         good=[db(), res(RDS_CLUSTER, "aurora", {"storageEncrypted": True})],
         bad=[db(storageEncrypted=False), res(RDS_CLUSTER, "aurora", {})], flagged={"db", "aurora"}),
    Case(d.rds_multi_az,
         good=[db(), db("member", multiAz=False, clusterIdentifier="c"),
               res(RDS_CLUSTER, "c", {"availabilityZones": ["a", "b"]})],
         bad=[db(multiAz=False), res(RDS_CLUSTER, "c", {"availabilityZones": ["a"]})], flagged={"db", "c"}),
    Case(d.rds_not_public,
         good=[db(), db("replica", dbSubnetGroupName=None, replicateSourceDb="orders"),
               db("cross-region", replicateSourceDb="arn:aws:rds:us-east-1:1:db:x")],
         bad=[db(publiclyAccessible=True), db("no-vpc", dbSubnetGroupName=None),
              res(RDS_CLUSTER_INSTANCE, "aurora-1", {"publiclyAccessible": True}),
              db("cross-region", dbSubnetGroupName=None, replicateSourceDb="arn:aws:rds:us-east-1:1:db:x")],
         flagged={"db", "no-vpc", "aurora-1", "cross-region"}),
    Case(d.rds_backup_retention,
         good=[db()], bad=[db(backupRetentionPeriod=3), db("unset", backupRetentionPeriod=None)],
         flagged={"db", "unset"}, says="kept 3 day(s): keep at least 7"),
    Case(d.rds_backup_retention, label="configured",
         good=[db(backupRetentionPeriod=30)], bad=[db()], flagged={"db"}, config={"minBackupDays": 21}),
    Case(d.rds_deletion_protection,
         good=[db()], bad=[db(deletionProtection=False)], flagged={"db"}),
    Case(d.rds_iam_authentication,
         good=[db()], bad=[db(iamDatabaseAuthenticationEnabled=False)], flagged={"db"}),
    Case(d.rds_log_exports,
         good=[db()], bad=[db(enabledCloudwatchLogsExports=[])], flagged={"db"}),
    Case(d.dynamodb_pitr,
         good=[table(), res(DYNAMODB_TABLE_REPLICA, "replica", {"pointInTimeRecovery": True})],
         bad=[table(pointInTimeRecovery={"enabled": False}),
              table("replica-off", replicas=[{"regionName": "eu-west-1", "pointInTimeRecovery": False}]),
              res(DYNAMODB_TABLE_REPLICA, "replica", {"pointInTimeRecovery": False})],
         flagged={"sessions", "replica-off", "replica"}),
    Case(d.dynamodb_encrypted_with_cmk,
         good=[table()],
         bad=[table(serverSideEncryption=None), table("replica", replicas=[{"regionName": "eu-west-1"}])],
         flagged={"sessions", "replica"}),
    Case(d.dynamodb_deletion_protection,
         good=[table()], bad=[table(deletionProtectionEnabled=False)], flagged={"sessions"}),
    Case(d.dynamodb_scales,
         good=[table()], bad=[table(billingMode="PROVISIONED")], flagged={"sessions"}),
    Case(d.s3_block_public_access,
         good=GOOD_BUCKETS,
         bad=[*bucket_set("nobpa", bpa=False),
              res(S3_BUCKET_V2, "half"), res(S3_BUCKET_PUBLIC_ACCESS_BLOCK, "half-bpa", {"blockPublicAcls": True},
                                             bucket=res(S3_BUCKET_V2,
                                                                                                     "half"))],
         flagged={"nobpa", "half"}, says="blockPublicPolicy"),
    Case(d.s3_no_public_grants,
         good=GOOD_BUCKETS,
         bad=[*bucket_set("pub", policy=tls_policy(PUBLIC_READ)), *bucket_set("acls", owner_enforced=False),
              res(d.ACL[0], "acl", {"acl": "public-read"})],
         flagged={"pub-policy", "acls", "acl"}),
    Case(d.s3_tls_only,
         good=GOOD_BUCKETS,
         bad=bucket_set(policy=json.dumps({"Statement": [CLOUDFRONT_READ]})), flagged={"images"}),
    Case(d.s3_access_logging,
         good=GOOD_BUCKETS, bad=[*GOOD_BUCKETS, *bucket_set("unlogged")], flagged={"unlogged"}),
    # A log bucket logs too: ELB's log bucket into the terminal archive; a second terminal bucket is one too many.
    Case(d.s3_access_logging, label="log-buckets",
         good=[*LOGS, *bucket_set("lb-logs", sse="AES256", log_bucket=LOGS[0]),
               res(LB_LOAD_BALANCER, "alb", {"accessLogs": {"enabled": True}}, accessLogs=res(S3_BUCKET, "lb-logs")),
               *bucket_set("images-logs", sse="AES256", log_bucket=LOGS[0]),
               *bucket_set(log_bucket=res(S3_BUCKET, "images-logs"))],
         bad=[*LOGS, *bucket_set("lb-logs", sse="AES256", logged=False),
              res(LB_LOAD_BALANCER, "alb", {"accessLogs": {"enabled": True}}, accessLogs=res(S3_BUCKET, "lb-logs")),
              *bucket_set("images-logs", sse="AES256", logged=False),
              *bucket_set(log_bucket=res(S3_BUCKET, "images-logs")),
              *bucket_set("more", log_bucket=LOGS[0])],
         flagged={"lb-logs", "logs"}, says="it is a log bucket"),
    Case(d.s3_default_encryption_kms,
         good=GOOD_BUCKETS, bad=[*LOGS, *bucket_set(sse="AES256", log_bucket=LOGS[0])], flagged={"images"},
         says="SSE-KMS"),
    Case(d.s3_versioning,
         good=GOOD_BUCKETS, bad=bucket_set(versioned=False), flagged={"images"}),
    Case(d.s3_cross_region_replication,
         good=[*bucket_set(tags={"Replication": "source"}, replicate=True),
               *bucket_set("images-eu", tags={"Replication": "destination"})],
         bad=[*bucket_set(tags={"Replication": "source"}),
              *bucket_set("images-eu", tags={"Replication": "destination"}, versioned=False)],
         flagged={"images", "images-eu"}),
    Case(d.kms_key_rotation,
         good=[res(KMS_KEY, "k", {"enableKeyRotation": True}),
               res(KMS_KEY, "signing", {"customerMasterKeySpec": "ECC_NIST_P256"})],
         bad=[res(KMS_KEY, "k", {})], flagged={"k"}),
    Case(d.kms_key_policy_not_public,
         good=[res(KMS_KEY, "k", {"policy": json.dumps({"Statement": [
             {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "kms:*", "Resource": "*"},
             {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt"], "Resource": "*",
              "Condition": {"StringEquals": {"kms:CallerAccount": "1",
                                             "kms:ViaService": "s3.us-east-1.amazonaws.com"}}},
         ]})})],
         bad=[res(KMS_KEY, "k", {"policy": json.dumps({"Statement": [
             {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]})})],
         flagged={"k"}),
    Case(d.rds_tls_enforced,
         good=[PG_TLS, res(RDS_INSTANCE, "db", INSTANCE, parameterGroupName=PG_TLS), MYSQL_TLS,
               res(RDS_INSTANCE, "mysql", INSTANCE, parameterGroupName=MYSQL_TLS),
               db("member", clusterIdentifier="c")],
         bad=[params("weak", log_connections="1"), res(RDS_INSTANCE, "db", INSTANCE, parameterGroupName=params(
             "weak", log_connections="1")), db("default-group"),
              res(RDS_INSTANCE, "off", INSTANCE, parameterGroupName=params("off", rds__force_ssl="0"))],
         flagged={"db", "default-group", "off"}, says="does not force TLS"),
    Case(d.rds_master_password_secret,
         good=[db(manageMasterUserPassword=True), db("replica", replicateSourceDb="arn:aws:rds:us-east-1:1:db:x"),
               db("member", clusterIdentifier="c"), db("restored", snapshotIdentifier="snap-1"),
               db("pitr", restoreToPointInTime={"sourceDbInstanceIdentifier": "orders"}),
               res(RDS_CLUSTER, "aurora", {"manageMasterUserPassword": True}),
               res(RDS_CLUSTER, "global-secondary", {"globalClusterIdentifier": "g"}),
               *GENERATED_AND_KEPT],
         bad=[db(password="hunter2"), db("unmanaged"), res(RDS_CLUSTER, "aurora", {"masterPassword": "x"}),
              # generated, but kept in no secret: only state and the database know it
              res(RDS_INSTANCE, "unkept", {**INSTANCE, "password": "g3n"},
                  password=res(RANDOM_PASSWORD, "lonely", {"length": 40}))],
         flagged={"db", "unmanaged", "aurora", "unkept"}, says="keep it in a Secrets Manager secret"),
    Case(d.rds_replica_source_credentials,
         good=[*GENERATED_AND_KEPT,
               res(RDS_INSTANCE, "replica", {**INSTANCE, "replicateSourceDb": "writer"},
                   replicateSourceDb=GENERATED_AND_KEPT[-1])],
         bad=[MANAGED_WRITER,
              res(RDS_INSTANCE, "replica", {**INSTANCE, "replicateSourceDb": "managed"},
                  replicateSourceDb=MANAGED_WRITER),
              db("by-name", identifier="by-name", replicateSourceDb="managed-db")],
         flagged={"replica", "by-name"}, says="RDS cannot create a read replica of such a source"),
    Case(d.rds_final_snapshot,
         good=[db(skipFinalSnapshot=False, finalSnapshotIdentifier="db-final"),
               db("replica", skipFinalSnapshot=True, replicateSourceDb="arn:aws:rds:us-east-1:1:db:x")],
         bad=[db(skipFinalSnapshot=True), db("no-id", skipFinalSnapshot=False)],
         flagged={"db", "no-id"}),
    Case(d.rds_enhanced_monitoring,
         good=[db(monitoringInterval=60, monitoringRoleArn="arn:aws:iam::1:role/m")],
         bad=[db(), db("no-role", monitoringInterval=30)], flagged={"db", "no-role"}),
    Case(d.rds_auto_minor_version_upgrade,
         good=[db(), db("explicit", autoMinorVersionUpgrade=True)],
         bad=[db(autoMinorVersionUpgrade=False)], flagged={"db"}),
    Case(d.rds_copy_tags_to_snapshot,
         good=[db(copyTagsToSnapshot=True), db("member", clusterIdentifier="c")],
         bad=[db(), res(RDS_CLUSTER, "aurora", {"copyTagsToSnapshot": False})], flagged={"db", "aurora"}),
    Case(d.dynamodb_global_table_current,
         good=[table(streamEnabled=True, streamViewType="NEW_AND_OLD_IMAGES"), table("local", replicas=[])],
         bad=[table(streamEnabled=True, streamViewType="KEYS_ONLY"),
              res(DYNAMODB_GLOBAL_TABLE, "legacy", {"replicas": [{"regionName": "eu-west-1"}]})],
         flagged={"sessions", "legacy"}),
    Case(d.s3_replication_encrypted,
         good=[*bucket_set("src"), replication("crr", res(S3_BUCKET, "src"))],
         bad=[*bucket_set("src"), replication("skips", res(S3_BUCKET, "src"), sourceSelectionCriteria={}),
              *bucket_set("src2"), replication("unkeyed", res(S3_BUCKET, "src2"),
                                                destination={"bucket": "arn:aws:s3:::x"})],
         flagged={"skips", "unkeyed"}, says="nothing is replicated"),
    Case(d.s3_replication_encrypted, label="sse-s3-source",
         good=[*bucket_set("plain", sse="AES256"), replication("crr", res(S3_BUCKET, "plain"),
                                                               sourceSelectionCriteria={},
                                                               destination={"bucket": "arn:aws:s3:::x"})],
         bad=[*bucket_set("src"), replication("crr", res(S3_BUCKET, "src"), sourceSelectionCriteria={})],
         flagged={"crr"}),
    Case(d.s3_replication_time_control,
         good=[*bucket_set("src"), replication("crr", res(S3_BUCKET, "src"))],
         bad=[*bucket_set("src"), replication("crr", res(S3_BUCKET, "src"),
                                              destination={"bucket": "arn:aws:s3:::x"}),
              *bucket_set("src2"), replication("no-metrics", res(S3_BUCKET, "src2"), destination={
                  "bucket": "arn:aws:s3:::x", "replicationTime": {"status": "Enabled", "time": {"minutes": 15}}})],
         flagged={"crr", "no-metrics"}, says="has no "),
    Case(d.s3_replication_keeps_deletes,
         good=[*bucket_set("src"), replication("crr", res(S3_BUCKET, "src")),
               *bucket_set("src2"), replication("unset", res(S3_BUCKET, "src2"), deleteMarkerReplication=None)],
         bad=[*bucket_set("src"), replication("crr", res(S3_BUCKET, "src"),
                                              deleteMarkerReplication={"status": "Enabled"})],
         flagged={"crr"}, says="would empty the failover copy"),
    Case(d.s3_noncurrent_version_expiry,
         good=[*bucket_set("images"), lifecycle("images-lc", res(S3_BUCKET, "images"),
                                                noncurrentVersionExpiration={"noncurrentDays": 90}),
               *bucket_set("unversioned", versioned=False)],
         bad=[*bucket_set("images"), lifecycle("images-lc", res(S3_BUCKET, "images"),
                                               expiration={"days": 30}),
              *bucket_set("none")],
         flagged={"images", "none"}),
    Case(d.kms_key_deletion_window,
         good=[res(KMS_KEY, "k", {"deletionWindowInDays": 30}), res(KMS_KEY, "default", {})],
         bad=[res(KMS_KEY, "k", {"deletionWindowInDays": 7})], flagged={"k"}, says="at least 30 days"),
    Case(d.stateful_resources_protected,
         good=[protected(db()), protected(table()), protected(res(KMS_KEY, "k", {})),
               protected(res(S3_BUCKET, "images", {})), res(RDS_PARAMETER_GROUP, "params", {})],
         bad=[db(), table(), res(KMS_KEY, "k", {}), res(S3_BUCKET, "images", {}),
              res(DYNAMODB_TABLE_REPLICA, "replica", {}), res(KMS_REPLICA_KEY, "replica-key", {})],
         flagged={"db", "sessions", "k", "images", "replica", "replica-key"}, says="protect=True"),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)
