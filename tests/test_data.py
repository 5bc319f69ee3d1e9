"""The data tier as synthesized from the real program and stack files: what each database, table and bucket is
built on, where replicas come from, and that nothing stateful can be deleted by accident."""

import json
from typing import Any

import pulumi_aws as aws
import pytest
from securecart_rules import POLICIES
from securecart_rules._iam import Statement, statements

from automation.gate import evaluate
from automation.project import Project
from automation.synth import StackResult, SynthRun, synth_all, synth_stack
from components.buckets import with_abort
from components.settings.loader import parse_settings
from tests.conftest import Graph, policy_doc

SECRET, SECRET_VALUE = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"  # Pulumi's secret sig

INSTANCE = "aws:rds/instance:Instance"
TABLE = "aws:dynamodb/table:Table"
BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def key_for(graph: Graph, use: str, region: str | None = None) -> Any:
    """The data key of one use (database, sessions, images) by its alias, in the stack's region or another."""
    aliases = [a for a in graph.of_type(ALIAS) if a.inputs["name"].endswith(f"/{use}")
               and a.inputs.get("region") == region]
    assert len(aliases) == 1, [a.name for a in aliases]
    key = graph.ref(aliases[0].inputs["targetKeyId"])
    assert key.type == KEY
    return key


def test_the_database_lives_exactly_in_the_isolated_subnets(graph: Graph, stack: StackResult) -> None:
    (db,) = graph.of_type(INSTANCE)
    group = next(g for g in graph.of_type("aws:rds/subnetGroup:SubnetGroup")
                 if g.inputs["name"] == db.inputs["dbSubnetGroupName"])
    assert sorted(group.inputs["subnetIds"]) == sorted(s.id for s in graph.subnets("isolated"))
    assert sorted(group.inputs["subnetIds"]) == sorted(stack.outputs["subnetIds"]["isolated"])
    assert db.inputs["multiAz"] is True and db.inputs["publiclyAccessible"] is False


def test_the_database_is_hardened_alike_in_both_regions(graph: Graph, stack: StackResult, project: Project) -> None:
    settings = parse_settings(project.read_stack(stack.stack).values)
    assert settings.data is not None
    (db,) = graph.of_type(INSTANCE)
    i = db.inputs
    assert i["storageEncrypted"] is True and i["kmsKeyId"] == key_for(graph, "database").outputs["arn"]
    assert i["performanceInsightsEnabled"] is True and i["performanceInsightsKmsKeyId"] == i["kmsKeyId"]
    assert i["iamDatabaseAuthenticationEnabled"] is True and i["deletionProtection"] is True
    assert i["backupRetentionPeriod"] == settings.data.database.backup_retention_days >= 7
    assert i["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert i["port"] == settings.network.database_port and i["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    # TLS is forced by the instance's own parameter group.
    params = next(p for p in graph.of_type("aws:rds/parameterGroup:ParameterGroup")
                  if p.outputs["name"] == i["parameterGroupName"])
    assert {p["name"]: p["value"] for p in params.inputs["parameters"]}["rds.force_ssl"] == "1"
    # Exported logs land in log groups made beforehand: encrypted, with a retention.
    for log in i["enabledCloudwatchLogsExports"]:
        group = next(g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")
                     if g.inputs["name"] == f"/aws/rds/instance/{i['identifier']}/{log}")
        assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] == 365
    # Enhanced monitoring publishes through a role only RDS monitoring of this account can assume.
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.outputs["arn"] == i["monitoringRoleArn"])
    (trust,) = statements(role.inputs["assumeRolePolicy"]) or []
    assert trust.principals == ("monitoring.rds.amazonaws.com",)
    assert i["monitoringInterval"] == 60


def test_the_database_admits_its_port_only_from_the_service_security_groups(graph: Graph,
                                                                         stack: StackResult) -> None:
    (db,) = graph.of_type(INSTANCE)
    (sg_id,) = db.inputs["vpcSecurityGroupIds"]
    rules = [r for r in graph.of_type(INGRESS) if r.inputs["securityGroupId"] == sg_id]
    by_group = [r for r in rules if "cidrIpv4" not in r.inputs]
    assert {r.inputs["referencedSecurityGroupId"] for r in by_group} == set(stack.outputs["serviceSecurityGroupIds"]
                                                                            .values())
    # By address only the analytics VPC's workload block, over the peering (prod-us: analytics.databaseReads).
    assert sorted(r.inputs["cidrIpv4"] for r in rules if r not in by_group) == \
        {"prod-us": ["10.30.0.0/21"], "prod-eu": []}[stack.stack]
    for r in rules:
        assert r.inputs["fromPort"] == r.inputs["toPort"] == 5432
        assert "cidrIpv6" not in r.inputs
    assert not [r for r in graph.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                if r.inputs["securityGroupId"] == sg_id]


def test_the_primary_owns_the_writer_with_a_generated_password_kept_in_a_replicated_secret(
        synth_run: SynthRun) -> None:
    """RDS cannot replicate a source whose password it manages: the program generates the password (a Pulumi
    secret), sets it on the writer and keeps it in a secret replicated to the secondary region under that region's
    database key, so the credentials survive the loss of us-east-1."""
    us, eu = synth_run.results["prod-us"], synth_run.results["prod-eu"]
    graph = Graph(us)
    (db,) = us.by_type(INSTANCE)
    assert db.inputs["engine"] == "postgres" and "manageMasterUserPassword" not in db.inputs
    assert "masterUserSecretKmsKeyId" not in db.inputs and db.inputs["username"] == "securecart_admin"
    password = graph.one("random:index/randomPassword:RandomPassword", "database-master-password")
    assert db.property_dependencies["password"] == [password.urn]
    # The password reaches the engine as a secret (encrypted in state), never as plain text.
    assert db.inputs["password"] == {SECRET: SECRET_VALUE, "value": password.outputs["result"]}
    assert len(password.outputs["result"]) == 40 == password.inputs["length"]
    # RDS refuses '/', '"', '@' and spaces in a master password
    assert not set(password.inputs["overrideSpecial"]) & set('/"@ ')
    assert password.inputs["keepers"] == {"rotation": "initial"}
    assert db.inputs["skipFinalSnapshot"] is False
    assert db.inputs["finalSnapshotIdentifier"] == "securecart-prod-db-final"
    secret = graph.one("aws:secretsmanager/secret:Secret", "database-master-secret")
    assert secret.protect and secret.inputs["kmsKeyId"] == key_for(graph, "database").outputs["arn"]
    eu_key = key_for(Graph(eu), "database").outputs["arn"]
    assert secret.inputs["replicas"] == [{"region": "eu-west-1", "kmsKeyId": eu_key}]
    value = graph.one("aws:secretsmanager/secretVersion:SecretVersion", "database-master-secret-value")
    assert value.property_dependencies["secretString"] and password.urn in value.property_dependencies["secretString"]
    assert value.inputs["secretString"][SECRET] == SECRET_VALUE
    content = json.loads(value.inputs["secretString"]["value"])
    assert (content["username"], content["password"], content["engine"]) == \
        ("securecart_admin", password.outputs["result"], "postgres")
    assert us.outputs["databaseSecretArn"] == secret.outputs["arn"]
    assert us.outputs["databaseSecretArns"] == {
        "us-east-1": secret.outputs["arn"], "eu-west-1": secret.outputs["arn"].replace(":us-east-1:", ":eu-west-1:")}


def test_the_secondary_replicates_the_primarys_writer_across_regions(synth_run: SynthRun) -> None:
    us, eu = synth_run.results["prod-us"], synth_run.results["prod-eu"]
    (replica,) = eu.by_type(INSTANCE)
    assert replica.inputs["replicateSourceDb"] == us.outputs["databaseArn"]
    assert us.outputs["databaseArn"].startswith("arn:aws:rds:us-east-1:")
    assert replica.outputs["arn"].startswith("arn:aws:rds:eu-west-1:")  # the replica is in the other region
    eu_key = key_for(Graph(eu), "database")
    assert replica.inputs["kmsKeyId"] == eu_key.outputs["arn"] and ":eu-west-1:" in eu_key.outputs["arn"]
    # The source decides engine, storage and credentials; RDS refuses a final snapshot of a replica.
    assert not {"engine", "username", "password", "manageMasterUserPassword"} & set(replica.inputs)
    assert replica.inputs["skipFinalSnapshot"] is True and replica.inputs["multiAz"] is True
    # Its services find the writer's credentials (which the replica shares) in this region's replica secret.
    assert eu.outputs["databaseSecretArn"] == us.outputs["databaseSecretArns"]["eu-west-1"]
    assert eu.outputs["databaseSecretArn"].startswith("arn:aws:secretsmanager:eu-west-1:")


def test_before_the_primary_exists_the_secondary_waits_for_its_replica(project: Project) -> None:
    result = synth_stack(project, "prod-eu", {})
    assert result.by_type(INSTANCE) == []
    assert "databaseArn" not in result.outputs and "sessionsTableName" not in result.outputs
    assert any("read replica waits for the primary's database" in msg for _, msg in result.logs)
    assert "imagesBucketArn" in result.outputs  # what the primary needs from it exists from the first deploy


def test_the_sessions_table_is_a_global_table_owned_by_the_primary(synth_run: SynthRun) -> None:
    us, eu = synth_run.results["prod-us"], synth_run.results["prod-eu"]
    assert eu.by_type(TABLE) == []
    (table,) = us.by_type(TABLE)
    i = table.inputs
    assert i["billingMode"] == "PAY_PER_REQUEST" and i["deletionProtectionEnabled"] is True
    assert i["pointInTimeRecovery"]["enabled"] is True and i["ttl"] == {"attributeName": "expiresAt",
                                                                        "enabled": True}
    assert (i["streamEnabled"], i["streamViewType"]) == (True, "NEW_AND_OLD_IMAGES")
    graph = Graph(us)
    assert i["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key_for(graph, "sessions").outputs["arn"]}
    (replica,) = i["replicas"]
    replica_key = key_for(graph, "sessions", "eu-west-1")
    assert replica == {"regionName": "eu-west-1", "kmsKeyArn": replica_key.outputs["arn"],
                       "pointInTimeRecovery": True, "propagateTags": True, "deletionProtectionEnabled": True}
    assert replica_key.outputs["arn"].startswith("arn:aws:kms:eu-west-1:")
    # The secondary hands its services the replica in its own region.
    assert eu.outputs["sessionsTableName"] == us.outputs["sessionsTableName"] == "securecart-prod-sessions"
    assert eu.outputs["sessionsTableArn"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/securecart-prod-sessions"


def _allow(stmts: list[Statement]) -> list[Statement]:
    return [s for s in stmts if s.effect == "allow"]


def test_images_replicate_from_the_primary_to_the_secondary_with_rtc(synth_run: SynthRun) -> None:
    us, eu = synth_run.results["prod-us"], synth_run.results["prod-eu"]
    assert eu.by_type(REPLICATION) == []  # one way
    (config,) = us.by_type(REPLICATION)
    assert config.protect  # losing the peer's outputs fails an update instead of dropping the DR copy
    source = next(b for b in us.by_type(BUCKET) if b.name == "images")
    assert config.inputs["bucket"] == source.id
    assert source.inputs["tags"]["Replication"] == "source"
    assert next(b for b in eu.by_type(BUCKET) if b.name == "images").inputs["tags"]["Replication"] == "destination"
    (rule,) = config.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    # deletes stay in the primary region: a bulk delete there must not empty the failover copy
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    dest = rule["destination"]
    assert dest["bucket"] == eu.outputs["imagesBucketArn"] == "arn:aws:s3:::securecart-prod-product-images-eu-west-1"
    assert dest["encryptionConfiguration"] == {"replicaKmsKeyId": eu.outputs["imagesKeyArn"]}
    assert dest["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert dest["metrics"] == {"status": "Enabled", "eventThreshold": {"minutes": 15}}
    # The replication role: assumed by S3 for this bucket only, and it touches only the two buckets and keys.
    role = next(r for r in us.by_type("aws:iam/role:Role") if r.outputs["arn"] == config.inputs["role"])
    (trust,) = statements(role.inputs["assumeRolePolicy"]) or []
    assert trust.principals == ("s3.amazonaws.com",)
    assert trust.condition_values("aws:SourceArn") == [source.outputs["arn"]]
    policy = next(p for p in us.by_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id)
    stmts = statements(policy.inputs["policy"]) or []
    resources = {r for s in _allow(stmts) for r in s.resources}
    assert resources == {source.outputs["arn"], f"{source.outputs['arn']}/*", f"{dest['bucket']}/*",
                         key_for(Graph(us), "images").outputs["arn"], eu.outputs["imagesKeyArn"]}
    assert not [a for s in stmts for a in s.actions if a.endswith("*")]
    # Both buckets use S3 Bucket Keys, whose KMS encryption context is the bucket ARN (not the object's).
    by_sid = {s["Sid"]: s for s in policy_doc(policy.inputs["policy"])["Statement"]}
    assert source.outputs["arn"] in by_sid["DecryptSource"]["Condition"]["StringLike"][
        "kms:EncryptionContext:aws:s3:arn"]
    assert dest["bucket"] in by_sid["EncryptReplicas"]["Condition"]["StringLike"]["kms:EncryptionContext:aws:s3:arn"]


def the_distribution(synth_run: SynthRun) -> str:
    """The edge's distribution ARN: prod-us's own distribution, which it exports as distributionArn (the output
    the synth hands prod-eu)."""
    us = synth_run.results["prod-us"]
    (distribution,) = us.by_type("aws:cloudfront/distribution:Distribution")
    arn = distribution.outputs["arn"]
    assert arn.startswith("arn:aws:cloudfront::123456789012:distribution/") and "*" not in arn
    assert us.outputs["distributionArn"] == arn
    return str(arn)


def test_images_are_private_tls_only_and_readable_by_cloudfront_alone(graph: Graph, synth_run: SynthRun) -> None:
    images = graph.one(BUCKET, "images")
    policy = next(p for p in graph.of_type("aws:s3/bucketPolicy:BucketPolicy") if p.inputs["bucket"] == images.id)
    stmts = statements(policy.inputs["policy"]) or []
    deny = [s for s in stmts if s.effect == "deny"]
    assert len(deny) == 1 and deny[0].condition_values("aws:SecureTransport") == ["false"]
    (allow,) = _allow(stmts)
    assert allow.principals == ("cloudfront.amazonaws.com",) and [a.lower() for a in allow.actions] == ["s3:getobject"]
    # Only the edge's own distribution, in both regions (prod-eu through the primary's distributionArn output);
    # an exact match, no wildcard distribution of the account.
    (grant,) = [s for s in policy_doc(policy.inputs["policy"])["Statement"] if s["Effect"] == "Allow"]
    assert grant["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012",
                                                   "aws:SourceArn": the_distribution(synth_run)}}
    assert grant["Resource"] == f"{images.outputs['arn']}/*"
    sse = next(c for c in graph.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        if c.inputs["bucket"] == images.id)
    (rule,) = sse.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_for(graph, "images").outputs["arn"]}
    bpa = next(b for b in graph.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
               if b.inputs["bucket"] == images.id)
    assert all(bpa.inputs[f] for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                       "restrictPublicBuckets"))
    logging = next(x for x in graph.of_type("aws:s3/bucketLogging:BucketLogging") if x.inputs["bucket"] == images.id)
    assert logging.inputs["targetBucket"] == graph.one(BUCKET, "images-logs").id


def test_the_images_key_lets_the_same_distribution_alone_decrypt(graph: Graph, synth_run: SynthRun) -> None:
    key = key_for(graph, "images")
    by_sid = {s["Sid"]: s for s in policy_doc(key.inputs["policy"])["Statement"]}
    cloudfront = by_sid["CloudFrontReadsImages"]
    assert cloudfront["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert cloudfront["Action"] == ["kms:Decrypt"]
    assert cloudfront["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012",
                                                        "aws:SourceArn": the_distribution(synth_run)}}
    via = by_sid["UseThroughTheService"]["Condition"]["StringEquals"]
    assert via == {"kms:CallerAccount": "123456789012",
                   "kms:ViaService": [f"s3.{key.outputs['arn'].split(':')[3]}.amazonaws.com"]}
    assert all(not s.public_principal or s.narrowed for s in statements(key.inputs["policy"]) or [])
    # No other key lets CloudFront in.
    others = [k.name for k in graph.of_type(KEY) if k.id != key.id
              and "cloudfront.amazonaws.com" in json.dumps(policy_doc(k.inputs["policy"]))]
    assert others == []


def test_before_the_distribution_exists_nothing_outside_the_account_reads_the_images(project: Project) -> None:
    """prod-eu's first pass (no primary outputs yet): no CloudFront grant at all, rather than a wildcard one."""
    result = synth_stack(project, "prod-eu", {})
    graph = Graph(result)
    images = graph.one(BUCKET, "images")
    policy = next(p for p in graph.of_type("aws:s3/bucketPolicy:BucketPolicy") if p.inputs["bucket"] == images.id)
    assert _allow(statements(policy.inputs["policy"]) or []) == []
    sids = [s["Sid"] for s in policy_doc(key_for(graph, "images").inputs["policy"])["Statement"]]
    assert "CloudFrontReadsImages" not in sids


STATEFUL = (INSTANCE, TABLE, BUCKET, KEY)


def test_every_stateful_resource_is_protected_and_its_settings_are_not(graph: Graph) -> None:
    stateful = [r for r in graph.result.resources if r.type in STATEFUL]
    assert len(stateful) >= 6
    assert [r.name for r in stateful if not r.protect] == []
    for key in graph.of_type(KEY):
        assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30
    settings = [r for r in graph.result.resources if r.type.startswith("aws:s3/bucket")
                and r.type not in (BUCKET, REPLICATION)]
    assert settings and not [r.name for r in settings if r.protect]


@pytest.mark.parametrize("output", ["imagesBucketName", "imagesBucketRegionalDomainName", "databaseEndpoint",
                                    "sessionsTableName", "sessionsTableArn", "databaseSecurityGroupId"])
def test_exports_for_the_edge_and_application_tiers(stack: StackResult, output: str) -> None:
    assert stack.outputs[output]
    domain = stack.outputs["imagesBucketRegionalDomainName"]
    assert domain == f"{stack.outputs['imagesBucketName']}.s3.{stack.region}.amazonaws.com"


def test_policy_docs_of_the_tier_parse(graph: Graph) -> None:
    for key in graph.of_type(KEY):
        assert policy_doc(key.inputs["policy"])["Statement"]


def test_a_mysql_pair_is_hardened_the_same_way(project_copy: Any) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        config["securecart:data"].setdefault("database", {}).update(engine="mysql", engineVersion="8.0")

    run = synth_all(project_copy(edit))
    for result in run.results.values():
        (db,) = result.by_type(INSTANCE)
        params = next(p for p in result.by_type("aws:rds/parameterGroup:ParameterGroup")
                      if p.outputs["name"] == db.inputs["parameterGroupName"])
        assert params.inputs["family"] == "mysql8.0"
        assert {p["name"]: p["value"] for p in params.inputs["parameters"]}["require_secure_transport"] == "1"
        assert db.inputs["enabledCloudwatchLogsExports"] == ["error", "slowquery"]
        assert [v for v in evaluate(result, POLICIES) if v.level == "mandatory"] == []
    assert run.results["prod-eu"].by_type(INSTANCE)[0].inputs["replicateSourceDb"].startswith("arn:aws:rds:us-east-1")


def test_a_primary_deployed_before_its_peer_waits_without_failing_the_gate(project: Project) -> None:
    result = synth_stack(project, "prod-us", {})
    images = next(b for b in result.by_type(BUCKET) if b.name == "images")
    assert images.inputs["tags"]["Replication"] == "pending" and result.by_type(REPLICATION) == []
    assert any("image replication waits" in m for _, m in result.logs)
    # The edge waits for the secondary's region too, and says so; its own distribution reads its own bucket.
    assert any(m.startswith("edge: prod-eu's region is left out until it exports its load balancer")
               for level, m in result.logs if level == "info")
    (distribution,) = result.by_type("aws:cloudfront/distribution:Distribution")
    policy = next(p for p in result.by_type("aws:s3/bucketPolicy:BucketPolicy") if p.inputs["bucket"] == images.id)
    (grant,) = _allow(statements(policy.inputs["policy"]) or [])
    assert grant.condition_values("aws:SourceArn") == [distribution.outputs["arn"]]
    assert [v for v in evaluate(result, POLICIES) if v.level == "mandatory"] == []


def test_each_service_may_connect_as_its_own_user_and_only_customer_facing_ones_touch_sessions(
    graph: Graph, stack: StackResult
) -> None:
    (db,) = graph.of_type(INSTANCE)
    roles = {r.outputs["name"]: r for r in graph.of_type("aws:iam/role:Role")}
    grants = {p.name.removesuffix("-data-access"): p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy")
              if p.name.endswith("-data-access")}
    assert sorted(grants) == sorted(stack.outputs["serviceNames"]) == ["checkout", "integrations", "payment",
                                                                      "storefront"]
    for service, grant in grants.items():
        assert roles[grant.inputs["role"]].name == f"{service}-task"  # the task role, not the execution role
        by_sid = {s["Sid"]: s for s in policy_doc(grant.inputs["policy"])["Statement"]}
        assert by_sid["ConnectAsServiceUser"]["Resource"] == [
            f"arn:aws:rds-db:{stack.region}:123456789012:dbuser:{db.outputs['resourceId']}/{service}"]
        if service in ("storefront", "checkout"):  # behind the ALB
            assert by_sid["SessionItems"]["Resource"] == [stack.outputs["sessionsTableArn"]]
            assert not [a for a in by_sid["SessionItems"]["Action"] if "*" in a or a.endswith("Scan")]
        else:
            assert "SessionItems" not in by_sid


Rule = aws.s3.BucketLifecycleConfigurationRuleArgsDict


def test_every_bucket_aborts_incomplete_multipart_uploads(graph: Graph) -> None:
    """Parts of an upload never completed are stored, and billed, until aborted: every lifecycle rule of every
    bucket (the log buckets too) aborts them after a week (FSBP S3.13, Checkov CKV_AWS_300)."""
    lifecycles = graph.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert len(lifecycles) >= 4
    for lifecycle in lifecycles:
        for rule in lifecycle.inputs["rules"]:
            assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}, (lifecycle.name, rule)


def test_a_rule_filtered_by_tags_is_left_without_the_abort() -> None:
    """S3 refuses AbortIncompleteMultipartUpload in a rule filtered by object tags."""
    plain: Rule = {"id": "a", "status": "Enabled", "filter": {"prefix": ""}, "expiration": {"days": 30}}
    by_tag: Rule = {"id": "b", "status": "Enabled", "filter": {"tag": {"key": "k", "value": "v"}},
                    "expiration": {"days": 1}}
    both: Rule = {"id": "c", "status": "Enabled", "filter": {"and_": {"prefix": "x/", "tags": {"k": "v"}}},
                  "expiration": {"days": 1}}
    own: Rule = {**plain, "abort_incomplete_multipart_upload": {"days_after_initiation": 2}}
    assert with_abort([plain, by_tag, both, own]) == [
        {**plain, "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}, by_tag, both, own]
