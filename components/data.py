"""The data tier: the relational database, the sessions table and the product-images bucket of one region, with
the customer-managed keys that encrypt them.

Who owns what (DESIGN §1):
- RDS: the primary stack owns the Multi-AZ writer; the secondary stack owns a cross-region read replica of it,
  created once the primary's ``databaseArn`` output exists (the plan's third step).
- DynamoDB: the primary stack owns the sessions table as a global table (version 2019.11.21: replicas listed on
  the table). Each replica's key lives in the replica's region but belongs to the primary stack (``region=``): a
  replica cannot exist without its key, and the table's owner is the one that adds or removes replicas. The
  secondary stack reads the table's name from the primary's outputs.
- S3: each stack owns its region's images bucket. Replication is one way, primary to secondary: the catalogue
  pipeline writes product images in the primary region only, and the secondary's copy is what the EU origin and
  the failover origin serve. Two-way replication would only matter if writes happened in both regions; it would
  also let a bad bulk delete in either region spread to both. The primary configures it once the secondary's
  ``imagesBucketArn`` and ``imagesKeyArn`` outputs exist (the plan's first step makes them).

What each store gets:
- Keys: one customer-managed key per store and region (``alias/securecart/<env>/database|sessions|images``), rotated,
  30-day deletion window; the account administers it, and callers of this account use it only through the store's
  service in the key's region (``kms:ViaService``, ``kms:CallerAccount``); the images key also lets CloudFront
  decrypt for this account's distributions.
- RDS: in the network's DB subnet group (exactly the isolated subnets), not public, Multi-AZ, gp3 with storage
  autoscaling, encrypted with the database key, IAM database authentication, a parameter group forcing TLS 1.2+
  and logging connections, backups, deletion protection and a final snapshot (a replica has none: RDS refuses it),
  Performance Insights, enhanced monitoring through a role only RDS monitoring of this account can assume, logs
  exported to KMS-encrypted groups made beforehand. Only the engine's major version is set: minor upgrades are
  automatic, and a pinned minor would make the next update try a downgrade. The master password is generated here
  (``random.RandomPassword``, without the characters RDS refuses) and kept in the secret
  ``securecart/<env>/database/master``, replicated to the secondary region under its database key; RDS cannot make
  a cross-region replica of a source whose password it manages itself, which is why it does not. Clients never use
  it: they connect with IAM authentication. Rotation: change ``database.passwordRotation`` and deploy the primary.
  The security group admits the database port only from the delivery services' groups (``clients`` narrows it) and
  has no egress.
- Sessions: on-demand, TTL, a NEW_AND_OLD_IMAGES stream (what replication reads), point-in-time recovery and
  deletion protection on the table and every replica, each encrypted with its own region's key.
- Images: versioned, SSE-KMS with a bucket key, every public-access block, ACLs disabled, a policy that denies
  non-TLS requests and lets only this account's CloudFront distributions read; access logs to a private SSE-S3
  bucket (what S3 delivers logs to) that logs into the network's archive. Replication covers SSE-KMS objects but not
  delete markers (a bulk delete in the primary must not empty the failover copy), with Replication Time Control
  and metrics (15 minutes); its role can read this bucket's versions and write replicas into that bucket only.
- Grants: each delivery service's task role may connect as a database user of its own name (``rds-db:connect`` on
  that user), and the customer-facing services (behind the ALB, or ``sessions.clients``) may get, put, update and
  delete session items of this region's table, nothing more.

Nothing here may be lost by accident: every store and key has ``protect=True`` as well as the service's own
deletion protection, and buckets are never force-destroyed; so have the images' replication rule and role, so that
if the secondary's outputs ever went missing an update fails rather than silently dropping the recovery copy.
"""

from dataclasses import dataclass
from functools import partial
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.buckets import PrivateBucket, private_bucket
from components.context import StackContext, Tier
from components.contract import DataOutputs, PeerData
from components.delivery import DeliveryTier
from components.documents import policy_document
from components.network import NetworkTier
from components.settings.data import DatabaseEngine, DataSettings
from components.settings.types import Role

# What RDS accepts in a master password besides letters and digits: printable ASCII except '/', '"', '@' and space.
RDS_PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?.,;~^"


def _in_region(arn: str, region: str) -> str:
    parts = arn.split(":")
    return ":".join([*parts[:3], region, *parts[4:]])


def _region_of(arn: str) -> str:
    return arn.split(":")[3]


# The data keys' uses, and the AWS service that uses each key on the callers' behalf.
KEY_SERVICES = {"database": ("rds", "secretsmanager"), "sessions": ("dynamodb",), "images": ("s3",)}


@dataclass(frozen=True)
class DataTierArgs:
    network: NetworkTier
    delivery: DeliveryTier | None  # its services are the database's and the sessions table's clients
    peer: PeerData  # what it reads of the peer stack (components.contract)
    # The edge's distribution, which alone may read the images (the primary's, or the peer's distributionArn);
    # None until it exists: then nothing outside the account reads them.
    distribution_arn: pulumi.Input[str] | None = None


def data_key_policy(use: str, account: str, region: str, partition: str,
                    distribution: str | None = None) -> str:
    """The account administers the key (and may delegate through IAM); the services of ``use`` may use it for
    callers of this account, in this key's region only; CloudFront may decrypt images for the allowed
    distributions (origin access control reads SSE-KMS objects as the CloudFront service)."""
    statements: list[dict[str, Any]] = [
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "UseThroughTheService", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey",
                    "kms:CreateGrant", "kms:ListGrants"],
         "Resource": "*",
         "Condition": {"StringEquals": {
             "kms:CallerAccount": account,
             "kms:ViaService": sorted(f"{svc}.{region}.amazonaws.com" for svc in KEY_SERVICES[use]),
         }}},
    ]
    if distribution is not None:
        statements.append({
            "Sid": "CloudFrontReadsImages", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": ["kms:Decrypt"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account, "aws:SourceArn": distribution}},
        })
    return policy_document(statements)


def images_bucket_policy(bucket_arn: str, account: str, distribution: str | None) -> str:
    """TLS only; the edge's distribution (origin access control) may read objects, once it exists; nothing else
    is granted here (the account's own principals get access through IAM)."""
    statements: list[dict[str, Any]] = [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [bucket_arn, f"{bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
    if distribution is not None:
        statements.append({
            "Sid": "CloudFrontReadsImages", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject", "Resource": f"{bucket_arn}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account, "aws:SourceArn": distribution}}})
    return policy_document(statements)


def access_log_bucket_policy(log_bucket_arn: str, source_bucket_arn: str, account: str) -> str:
    """TLS only; S3's log delivery may write the source bucket's access logs under its prefix, for this
    account only (with ACLs disabled, the bucket policy is how the logging service gets in)."""
    return policy_document([
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [log_bucket_arn, f"{log_bucket_arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{log_bucket_arn}/images/*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account},
                       "ArnLike": {"aws:SourceArn": source_bucket_arn}}},
    ])


def replication_trust_policy(account: str, source_bucket_arn: str) -> str:
    return policy_document([{
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account},
                      "ArnLike": {"aws:SourceArn": source_bucket_arn}},
    }])


def replication_policy(source_bucket_arn: str, source_key_arn: str, source_region: str, *,
                       destination_bucket_arn: str, destination_key_arn: str, destination_region: str) -> str:
    """Read this bucket's versions, write replicas into the destination bucket, decrypt with the source key and
    encrypt with the destination key, each only through S3 for those buckets: nothing else."""
    return policy_document([
        {"Sid": "ReadReplicationConfiguration", "Effect": "Allow",
         "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": [source_bucket_arn]},
        {"Sid": "ReadSourceVersions", "Effect": "Allow",
         "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
         "Resource": [f"{source_bucket_arn}/*"]},
        {"Sid": "WriteReplicas", "Effect": "Allow",
         "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
         "Resource": [f"{destination_bucket_arn}/*"]},
        # With S3 Bucket Keys the encryption context is the bucket's ARN, without them the object's: allow both.
        {"Sid": "DecryptSource", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [source_key_arn],
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{source_region}.amazonaws.com"},
                       "StringLike": {"kms:EncryptionContext:aws:s3:arn": [source_bucket_arn,
                                                                            f"{source_bucket_arn}/*"]}}},
        {"Sid": "EncryptReplicas", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"],
         "Resource": [destination_key_arn],
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{destination_region}.amazonaws.com"},
                       "StringLike": {"kms:EncryptionContext:aws:s3:arn": [destination_bucket_arn,
                                                                            f"{destination_bucket_arn}/*"]}}},
    ])


def data_access_policy(db_user_arn: str | None, table_arn: str | None) -> str:
    """A service's grant: connect to the database as its own user (IAM database authentication), and read and
    write session items. No scans, no table management."""
    statements: list[dict[str, Any]] = []
    if db_user_arn:
        statements.append({"Sid": "ConnectAsServiceUser", "Effect": "Allow", "Action": ["rds-db:connect"],
                           "Resource": [db_user_arn]})
    if table_arn:
        statements.append({"Sid": "SessionItems", "Effect": "Allow",
                           "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                      "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"],
                           "Resource": [table_arn]})
    return policy_document(statements)


def _db_user_arn(partition: pulumi.Input[str], account: pulumi.Input[str], region: str,
                 resource_id: pulumi.Input[str], user: str) -> pulumi.Output[str]:
    """The IAM-authentication resource of one database user (named after the service that connects as it)."""
    return pulumi.Output.concat("arn:", partition, ":rds-db:", region, ":", account, ":dbuser:", resource_id, "/",
                                user)


def monitoring_trust_policy(account: str) -> str:
    return policy_document([{
        "Effect": "Allow", "Principal": {"Service": "monitoring.rds.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }])


def monitoring_policy(region: str, account: str, partition: str) -> str:
    """What RDS enhanced monitoring writes: its RDSOSMetrics log group in this region (AWS's managed policy for
    this role, narrowed from every region to this one)."""
    group = f"arn:{partition}:logs:{region}:{account}:log-group:RDSOSMetrics"
    return policy_document([
        {"Sid": "EnhancedMonitoringGroup", "Effect": "Allow",
         "Action": ["logs:CreateLogGroup", "logs:PutRetentionPolicy"], "Resource": [group, f"{group}:*"]},
        {"Sid": "EnhancedMonitoringStreams", "Effect": "Allow",
         "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:GetLogEvents"],
         "Resource": [f"{group}:log-stream:*"]},
    ])


def tls_parameters(engine: DatabaseEngine) -> list[aws.rds.ParameterGroupParameterArgsDict]:
    """Clients must use TLS 1.2 or newer, and connections are logged. ``pending-reboot`` is accepted for static
    and dynamic parameters alike; a new instance starts with them."""
    if engine is DatabaseEngine.POSTGRES:
        values = {"rds.force_ssl": "1", "ssl_min_protocol_version": "TLSv1.2", "log_connections": "1",
                  "log_disconnections": "1"}
    else:
        # slow_query_log feeds the slowquery log export.
        values = {"require_secure_transport": "1", "tls_version": "TLSv1.2,TLSv1.3", "slow_query_log": "1"}
    return [{"name": k, "value": v, "apply_method": "pending-reboot"} for k, v in sorted(values.items())]


@dataclass(frozen=True)
class _InstanceSupport:
    """What the database instance is built on, made whether or not the instance can exist yet."""

    parameter_group: aws.rds.ParameterGroup
    monitoring_role: aws.iam.Role
    ready: list[pulumi.Resource]  # what RDS uses from its first minutes: the log groups, the role's policy


class DataTier(Tier):
    """The database, the sessions table and the images bucket of one region, with their keys and grants."""

    database_arn: pulumi.Output[str] | None
    database_endpoint: pulumi.Output[str] | None
    database_secret_arn: pulumi.Output[str] | None
    database_secret_arns: dict[str, pulumi.Output[str]] | None
    database_security_group_id: pulumi.Output[str]
    database_key_arn: pulumi.Output[str]
    sessions_table_name: pulumi.Output[str] | None
    sessions_table_arn: pulumi.Output[str] | None
    sessions_replica_regions: list[str]
    images_bucket_name: pulumi.Output[str]
    images_bucket_arn: pulumi.Output[str]
    images_bucket_regional_domain_name: pulumi.Output[str]
    images_key_arn: pulumi.Output[str]
    images_replicated_to: pulumi.Output[str] | None
    database: aws.rds.Instance | None  # the writer (primary) or the replica (secondary, once the writer exists)
    replication_destination: tuple[str, str] | None  # (rule ID, destination bucket name) of image replication

    def __init__(self, name: str, ctx: StackContext, args: DataTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:data:DataTier", name, ctx, opts)
        if ctx.settings.data is None:
            raise ValueError("the data tier needs securecart:data (validated when the settings load)")
        self.settings: DataSettings = ctx.settings.data
        self.network, self.delivery, self.peer = args.network, args.delivery, args.peer
        self.distribution_arn = args.distribution_arn
        self.primary = ctx.role is Role.PRIMARY
        self.keep = pulumi.ResourceOptions(parent=self, protect=True)
        # Keys: one per store, so each grant names exactly what it opens.
        self.database_key = self._data_key("database")
        self.images_key = self._data_key("images")
        self.database_security_group = self._database_security_group()
        self.replication_destination = None
        database = self.database = self._database()
        self._sessions()
        self.images = self._images_bucket()
        self.images_replicated_to = self._replication()
        self._client_grants(database)
        self.database_security_group_id = self.database_security_group.id
        self.database_key_arn = self.database_key.arn
        self.images_bucket_name = self.images.bucket.bucket
        self.images_bucket_arn = self.images.bucket.arn
        self.images_bucket_regional_domain_name = self.images.bucket.bucket_regional_domain_name
        self.images_key_arn = self.images_key.arn
        self.done()

    def exports(self) -> DataOutputs:
        """The stores' names, ARNs and keys; the database's and the table's once they exist here."""
        return DataOutputs(
            database_security_group_id=self.database_security_group_id,
            database_key_arn=self.database_key_arn,
            images_bucket_name=self.images_bucket_name,
            images_bucket_arn=self.images_bucket_arn,
            images_bucket_regional_domain_name=self.images_bucket_regional_domain_name,
            images_key_arn=self.images_key_arn,
            database_arn=self.database_arn,
            database_endpoint=self.database_endpoint,
            database_secret_arn=self.database_secret_arn,
            database_secret_arns=self.database_secret_arns or None,
            sessions_table_name=self.sessions_table_name,
            sessions_table_arn=self.sessions_table_arn,
            sessions_replica_regions=self.sessions_replica_regions or None,
            images_replicated_to=self.images_replicated_to,
        )

    @property
    def _peer_name(self) -> str:
        """The peer stack, as the log lines about waiting for it name it."""
        return self.ctx.peer_stack or "no peer stack"

    @property
    def _database_port(self) -> int:
        """The port the database listens on (the network's, which its ACLs admit)."""
        return self.ctx.settings.network.database_port

    @property
    def _database_identifier(self) -> str:
        """The instance's identifier, which also names its log groups."""
        return self.ctx.name("db")

    @property
    def _database_clients(self) -> list[str]:
        """The services that may reach the database: data.database.clients, else every delivery service."""
        clients = self.settings.database.clients
        groups = self.delivery.service_security_group_ids if self.delivery else {}
        return clients if clients is not None else sorted(groups)

    # --- keys ---------------------------------------------------------------------------------------------------

    def _data_key(self, use: str, region: str | None = None, **extra: str) -> aws.kms.Key:
        """A store's customer-managed key and alias (in ``region`` for a table replica): grants name what they open."""
        where = region or self.ctx.region
        suffix = f"-{region}" if region else ""
        # The images key lets the edge's distribution decrypt (origin access control reads as CloudFront).
        distribution = self.distribution_arn if use == "images" and region is None else None
        env = self.ctx.environment
        key = aws.kms.Key(
            f"{use}-key{suffix}", description=f"SecureCart {env} {where}: {use} data",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=pulumi.Output.all(self.ctx.account_id, self.ctx.partition, distribution).apply(
                lambda v: data_key_policy(use, v[0], where, v[1], v[2])),
            region=region, tags=self.tags(f"{use}-key{suffix}", **extra), opts=self.keep)
        aws.kms.Alias(f"{use}-key-alias{suffix}", name=f"alias/securecart/{env}/{use}", target_key_id=key.key_id,
                      region=region, opts=pulumi.ResourceOptions(parent=key, protect=False))
        return key

    # --- the database -------------------------------------------------------------------------------------------

    def _database_security_group(self) -> aws.ec2.SecurityGroup:
        """The database's security group: its port from the client services' security groups only, and from the
        analytics workload subnets where analytics reads the database."""
        port = self._database_port
        groups = self.delivery.service_security_group_ids if self.delivery else {}
        sg = aws.ec2.SecurityGroup(
            "database-sg", vpc_id=self.network.vpc.id, tags=self.tags("database-sg"), opts=self.child,
            description=f"Database: port {port} from the application services only")
        for client in self._database_clients:
            aws.vpc.SecurityGroupIngressRule(
                f"database-sg-from-{client}", security_group_id=sg.id, ip_protocol="tcp",
                from_port=port, to_port=port, referenced_security_group_id=groups[client],
                description=f"from the {client} tasks", opts=pulumi.ResourceOptions(parent=sg))
        # Analytics extract jobs read the database over the peering (securecart:analytics.databaseReads).
        analytics = self.ctx.settings.analytics
        for group in analytics.workloads if analytics is not None and analytics.database_reads else []:
            aws.vpc.SecurityGroupIngressRule(
                f"database-sg-from-analytics-{group.name}", security_group_id=sg.id, ip_protocol="tcp",
                from_port=port, to_port=port, cidr_ipv4=str(group.block),
                description=f"from the analytics {group.name} subnets", opts=pulumi.ResourceOptions(parent=sg))
        return sg

    def _database(self) -> aws.rds.Instance | None:
        """This region's database: the primary's writer, or the secondary's replica (``None`` until it can exist)."""
        self.database_arn = self.database_endpoint = self.database_secret_arn = None
        self.database_secret_arns = None
        support = self._instance_support()
        instance = self._writer(support) if self.primary else self._replica(support)
        if instance is not None:
            self.database_arn = instance.arn
            self.database_endpoint = instance.endpoint
        return instance

    def _instance_support(self) -> _InstanceSupport:
        """What the instance uses from its first minutes: TLS parameters, log groups, the monitoring role."""
        db, env = self.settings.database, self.ctx.environment
        params = aws.rds.ParameterGroup(
            "database-params", family=db.parameter_family, parameters=tls_parameters(db.engine),
            description=f"SecureCart {env}: TLS 1.2+ only, connections logged", tags=self.tags("database-params"),
            opts=self.child)
        ready: list[pulumi.Resource] = []
        for log in db.log_exports:
            ready.append(aws.cloudwatch.LogGroup(
                f"database-logs-{log}", name=f"/aws/rds/instance/{self._database_identifier}/{log}",
                kms_key_id=self.network.logs_key_arn, retention_in_days=db.log_retention_days,
                tags=self.tags(f"database-logs-{log}"), opts=self.child))
        monitoring_role = aws.iam.Role(
            "database-monitoring", description="RDS enhanced monitoring publishes OS metrics",
            assume_role_policy=pulumi.Output.from_input(self.ctx.account_id).apply(monitoring_trust_policy),
            opts=self.child)
        region = self.ctx.region
        ready.append(aws.iam.RolePolicy(
            "database-monitoring-policy", role=monitoring_role.id,
            policy=pulumi.Output.all(self.ctx.account_id, self.ctx.partition).apply(
                lambda v: monitoring_policy(region, v[0], v[1])),
            opts=pulumi.ResourceOptions(parent=monitoring_role)))
        return _InstanceSupport(params, monitoring_role, ready)

    def _writer(self, support: _InstanceSupport) -> aws.rds.Instance:
        """The primary's Multi-AZ writer and its master secret (region -> the secret's ARN there, for the peer)."""
        password = self._master_password()
        instance = self._instance(support, source=None, password=password)
        secret = self._master_secret(instance, password)
        self.database_secret_arn = secret.arn
        arns = {self.ctx.region: secret.arn}
        if self.peer.database_key_arn:
            # A replica keeps the primary's name and suffix: only the region differs in its ARN.
            peer_region = _region_of(self.peer.database_key_arn)
            arns[peer_region] = secret.arn.apply(partial(_in_region, region=peer_region))
        self.database_secret_arns = arns
        return instance

    def _replica(self, support: _InstanceSupport) -> aws.rds.Instance | None:
        """The secondary's cross-region read replica of the primary's writer, once the primary exports it."""
        source = self.peer.database_arn
        if not source:
            pulumi.log.info(
                f"data: the read replica waits for the primary's database: {self._peer_name} "
                f"has no databaseArn output yet (the deployment plan runs this stack again after the primary)",
                resource=self)
            return None
        instance = self._instance(support, source=source, password=None)
        secrets = self.peer.database_secret_arns or {}
        if self.ctx.region in secrets:
            # The replica shares the writer's credentials: this region's replica of the primary's secret.
            self.database_secret_arn = pulumi.Output.from_input(secrets[self.ctx.region])
        return instance

    def _master_password(self) -> random.RandomPassword:
        """The writer's master password: the program's, not RDS's, and rotated by its label."""
        # The master password is the program's, not RDS's: RDS cannot create a read replica of a source whose
        # password it manages in Secrets Manager (RDS User Guide, "Limitations for Secrets Manager integration").
        # It is generated as a Pulumi secret, set on the writer, and kept in a secret replicated to the secondary
        # region, so it is reachable after the loss of the primary's. Rotating it is changing
        # data.database.passwordRotation: a new value, written to the secret and set on the writer in place; the
        # replica follows through replication, and no client uses it (they connect with IAM authentication).
        return random.RandomPassword(
            "database-master-password", length=40, special=True, override_special=RDS_PASSWORD_SPECIALS,
            min_upper=1, min_lower=1, min_numeric=1, min_special=1,
            keepers={"rotation": self.settings.database.password_rotation}, opts=self.child)

    def _instance(self, support: _InstanceSupport, *, source: str | None,
                  password: random.RandomPassword | None) -> aws.rds.Instance:
        """The RDS instance: the writer (no ``source``) or a replica of ``source``, hardened alike."""
        db, primary, identifier = self.settings.database, self.primary, self._database_identifier
        # The secondary's is a cross-region read replica: engine, version, storage, user and password come
        # from the source, and RDS refuses a final snapshot of a replica (its data lives on in the writer and
        # the writer's final snapshot). Everything else is hardened alike.
        return aws.rds.Instance(
            "database",
            identifier=identifier,
            replicate_source_db=source,
            engine=db.engine.value if primary else None,
            engine_version=db.engine_version if primary else None,
            allocated_storage=db.allocated_storage if primary else None,
            max_allocated_storage=db.max_allocated_storage,
            db_name=db.database_name if primary else None,
            username=db.master_username if primary else None,
            password=password.result if password is not None else None,
            skip_final_snapshot=not primary,
            final_snapshot_identifier=f"{identifier}-final" if primary else None,
            instance_class=db.instance_class,
            multi_az=True,
            port=self._database_port,
            db_subnet_group_name=self.network.db_subnet_group.name,
            vpc_security_group_ids=[self.database_security_group.id],
            publicly_accessible=False,
            parameter_group_name=support.parameter_group.name,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=self.database_key.arn,
            iam_database_authentication_enabled=True,
            backup_retention_period=db.backup_retention_days,
            deletion_protection=True,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            performance_insights_enabled=True,
            performance_insights_kms_key_id=self.database_key.arn,
            performance_insights_retention_period=db.performance_insights_days,
            monitoring_interval=db.monitoring_interval,
            monitoring_role_arn=support.monitoring_role.arn,
            enabled_cloudwatch_logs_exports=list(db.log_exports),
            tags=self.tags("db", Replica="false" if primary else "true"),
            # RDS writes into the log groups and through the role from its first minutes.
            opts=pulumi.ResourceOptions(parent=self, protect=True, depends_on=support.ready),
        )

    def _master_secret(self, instance: aws.rds.Instance,
                       password: random.RandomPassword) -> aws.secretsmanager.Secret:
        """The master credentials as a Secrets Manager secret in the primary region, encrypted with the database
        key, replicated to the secondary region under that region's database key once the secondary exports it
        (in RDS's own secret layout, so AWS's rotation functions can take it over)."""
        db, env = self.settings.database, self.ctx.environment
        replicas: list[aws.secretsmanager.SecretReplicaArgsDict] = []
        if self.peer.database_key_arn:
            replicas.append({"region": _region_of(self.peer.database_key_arn),
                             "kms_key_id": self.peer.database_key_arn})
        else:
            pulumi.log.info(
                f"data: the master secret is not replicated yet: {self._peer_name} has no "
                f"databaseKeyArn output (the deployment plan runs the secondary first)", resource=self)
        secret = aws.secretsmanager.Secret(
            "database-master-secret", name=f"securecart/{env}/database/master",
            description=f"SecureCart {env}: master credentials of the database (break-glass only, "
                        f"clients use IAM authentication)",
            kms_key_id=self.database_key.arn, recovery_window_in_days=30, replicas=replicas,
            tags=self.tags("database-master-secret"), opts=pulumi.ResourceOptions(parent=self, protect=True))
        aws.secretsmanager.SecretVersion(
            "database-master-secret-value", secret_id=secret.id,
            secret_string=pulumi.Output.json_dumps({
                "engine": db.engine.value, "host": instance.address, "port": self._database_port,
                "username": db.master_username, "password": password.result, "dbname": db.database_name,
                "dbInstanceIdentifier": instance.identifier}),
            opts=pulumi.ResourceOptions(parent=secret))
        return secret

    # --- the sessions table -------------------------------------------------------------------------------------

    def _sessions(self) -> None:
        """The sessions table: the primary's global table, or (secondary) the primary's replica in this region."""
        self.sessions_table_name = self.sessions_table_arn = None
        self.sessions_replica_regions = []
        if self.primary:
            self._sessions_table()
        else:
            self._sessions_replica()

    def _sessions_table(self) -> None:
        """The primary's global table; its replicas' keys are this stack's (a replica cannot exist without one)."""
        sessions = self.settings.sessions
        sessions_key = self._data_key("sessions")
        replica_keys = {r: self._data_key("sessions", region=r, Replica="true") for r in sessions.replica_regions}
        table = aws.dynamodb.Table(
            "sessions",
            name=self.ctx.settings.sessions_table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key="sessionId",
            attributes=[{"name": "sessionId", "type": "S"}],
            stream_enabled=True,  # global tables replicate through the stream
            stream_view_type="NEW_AND_OLD_IMAGES",
            ttl={"attribute_name": sessions.ttl_attribute, "enabled": True},
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True, "kms_key_arn": sessions_key.arn},
            deletion_protection_enabled=True,
            replicas=[{"region_name": r, "kms_key_arn": k.arn, "point_in_time_recovery": True,
                       "propagate_tags": True, "deletion_protection_enabled": True}
                      for r, k in replica_keys.items()],
            tags=self.tags("sessions"),
            opts=self.keep,
        )
        self.sessions_table_name = table.name
        self.sessions_table_arn = table.arn
        self.sessions_replica_regions = list(sessions.replica_regions)

    def _sessions_replica(self) -> None:
        """The secondary uses the primary's table through its replica here, if the table has one."""
        name, region = self.peer.sessions_table_name, self.ctx.region
        if name and region in (self.peer.sessions_replica_regions or []):
            self.sessions_table_name = pulumi.Output.from_input(name)
            self.sessions_table_arn = pulumi.Output.concat(
                "arn:", self.ctx.partition, ":dynamodb:", region, ":", self.ctx.account_id, ":table/", name)
        elif name:
            pulumi.log.warn(
                f"data: the primary's sessions table has no replica in {region}: add {region} to "
                f"securecart:data.sessions.replicaRegions in the primary's stack file", resource=self)
        else:
            pulumi.log.info(
                f"data: the sessions table is the primary's; {self._peer_name} has no "
                f"sessionsTableName output yet", resource=self)

    # --- the product-images bucket ------------------------------------------------------------------------------

    def _replication_destination(self) -> tuple[str, str] | None:
        """The secondary's images bucket and key, once it exports them (primary only: replication is one way)."""
        bucket, key = self.peer.images_bucket_arn, self.peer.images_key_arn
        return (bucket, key) if self.primary and bucket and key else None

    def _images_log_bucket(self) -> PrivateBucket:
        """The images bucket's access-log bucket (SSE-S3: S3 delivers access logs to nothing else)."""
        # S3 delivers server access logs only to SSE-S3 buckets.
        return private_bucket("images-logs", parent=self, tags=self.tags("images-logs"), lifecycle_rules=[{
            "id": "expire-access-logs", "status": "Enabled", "filter": {"prefix": ""},
            "expiration": {"days": self.settings.images.access_log_days},
            "noncurrent_version_expiration": {"noncurrent_days": 7},
        }])

    def _images_bucket(self) -> PrivateBucket:
        """The images bucket (SSE-KMS, read by CloudFront) and its access logs, which log to the network's archive."""
        logs = self._images_log_bucket()
        # What the bucket is in the replication: source once the rule exists, pending while it waits for the
        # secondary's bucket (the gate then does not block the primary), destination on the secondary.
        replication = ("source" if self._replication_destination() else "pending") if self.primary \
            else "destination"
        images = private_bucket(
            "images", parent=self, bucket_name=self.ctx.settings.images_bucket_name, kms_key_arn=self.images_key.arn,
            tags=self.tags("images", Replication=replication),
            lifecycle_rules=[{
                "id": "expire-old-versions", "status": "Enabled", "filter": {"prefix": ""},
                "noncurrent_version_expiration": {"noncurrent_days": self.settings.images.noncurrent_version_days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }])
        account = self.ctx.account_id
        log_policy = aws.s3.BucketPolicy(
            "images-logs-policy", bucket=logs.bucket.id,
            policy=pulumi.Output.all(logs.bucket.arn, images.bucket.arn, account).apply(
                lambda v: access_log_bucket_policy(v[0], v[1], v[2])),
            opts=logs.settings)
        aws.s3.BucketLogging("images-logs-logging", bucket=logs.bucket.id,
                             target_bucket=self.network.access_log_bucket_id, target_prefix="images-logs/",
                             opts=logs.settings)
        aws.s3.BucketLogging("images-logging", bucket=images.bucket.id, target_bucket=logs.bucket.id,
                             target_prefix="images/",
                             opts=pulumi.ResourceOptions(parent=images.bucket, protect=False, depends_on=[log_policy]))
        aws.s3.BucketPolicy(
            "images-policy", bucket=images.bucket.id,
            policy=pulumi.Output.all(images.bucket.arn, account, self.distribution_arn).apply(
                lambda v: images_bucket_policy(v[0], v[1], v[2])),
            opts=images.settings)
        return images

    def _replication(self) -> pulumi.Output[str] | None:
        """One-way images replication to the secondary's bucket, once it exists; returns that bucket's ARN."""
        destination = self._replication_destination()
        if destination is None:
            if self.primary:
                pulumi.log.info(
                    f"data: image replication waits for the secondary's bucket: {self._peer_name} "
                    f"has no imagesBucketArn/imagesKeyArn outputs yet", resource=self)
            return None
        dest_bucket, dest_key = destination
        dest_region, region = _region_of(dest_key), self.ctx.region
        self.replication_destination = (f"images-to-{dest_region}", dest_bucket.split(":::")[-1])
        images = self.images.bucket
        # Replication is protected like the data: if the peer's outputs ever went missing, an update fails
        # instead of silently dropping the disaster-recovery copy.
        role = aws.iam.Role(
            "images-replication", description="S3 replicates product images to the secondary region",
            assume_role_policy=pulumi.Output.all(self.ctx.account_id, images.arn).apply(
                lambda v: replication_trust_policy(v[0], v[1])),
            opts=self.keep)
        role_policy = aws.iam.RolePolicy(
            "images-replication-policy", role=role.id,
            policy=pulumi.Output.all(images.arn, self.images_key.arn).apply(
                lambda v: replication_policy(v[0], v[1], region, destination_bucket_arn=dest_bucket,
                                             destination_key_arn=dest_key, destination_region=dest_region)),
            opts=pulumi.ResourceOptions(parent=role, protect=True))
        aws.s3.BucketReplicationConfig(
            "images-replication",
            bucket=images.id,
            role=role.arn,
            rules=[{
                "id": f"images-to-{dest_region}",
                "status": "Enabled",
                "priority": 1,
                "filter": {"prefix": ""},
                # Deletes stay in this region: a bulk delete here must not empty the failover copy too.
                "delete_marker_replication": {"status": "Disabled"},
                "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                "destination": {
                    "bucket": dest_bucket,
                    "storage_class": "STANDARD",
                    "encryption_configuration": {"replica_kms_key_id": dest_key},
                    "metrics": {"status": "Enabled", "event_threshold": {"minutes": 15}},
                    "replication_time": {"status": "Enabled", "time": {"minutes": 15}},
                },
            }],
            opts=pulumi.ResourceOptions(parent=images, protect=True, depends_on=[self.images.versioning, role_policy]),
        )
        return pulumi.Output.from_input(dest_bucket)

    # --- grants -------------------------------------------------------------------------------------------------

    def _client_grants(self, database: aws.rds.Instance | None) -> None:
        """What each service may use: its own database user, and (customer-facing services) session items."""
        roles = self.delivery.task_role_names if self.delivery else {}
        db_clients, session_clients = self._database_clients, self.ctx.settings.session_clients
        for client in sorted(set(db_clients) | set(session_clients)):
            if client not in roles:
                continue
            db_user = _db_user_arn(self.ctx.partition, self.ctx.account_id, self.ctx.region, database.resource_id,
                                   client) if client in db_clients and database is not None else None
            table_arn = self.sessions_table_arn if client in session_clients else None
            if db_user is None and table_arn is None:
                continue
            aws.iam.RolePolicy(
                f"{client}-data-access", role=roles[client],
                policy=pulumi.Output.all(db_user or "", table_arn or "").apply(
                    lambda v: data_access_policy(v[0] or None, v[1] or None)),
                opts=self.child)
