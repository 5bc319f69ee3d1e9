"""Constraints AWS states only in prose: the service model's documentation of a member, or a user-guide page.

botocore's shapes carry ``pattern``/``min``/``max``/``enum`` for many services, but EC2 (and parts of ELBv2, RDS,
ECS, S3, KMS, CloudWatch Logs, ACM, Route 53, CloudFront, Global Accelerator) state their rules only in the
documentation text, and the API enforces them all the same. Each entry here is one such rule, written small,
with its source. Where the source is the model's own documentation, ``quote`` is a sentence of it: the tests
check that the installed botocore still says so, so a rule that AWS changes fails the suite rather than drifting.
"""

import functools
import re
from dataclasses import dataclass
from typing import Any

from securecart_rules._common import num as _number  # the pack's reader of numbers

API = "https://docs.aws.amazon.com"


@dataclass(frozen=True)
class Problem:
    """Why a value fails a constraint: ``says`` names the constraint, ``bad_chars`` the characters it does not
    allow (empty when the value's shape or size is at fault, not a character)."""

    says: str
    bad_chars: frozenset[str] = frozenset()
    whole_value: bool = False  # the value as a whole is refused (an enum, a range): not any part of it
    detail: str = ""  # what in the value breaks it ("';' not allowed", "40 characters")


@dataclass(frozen=True)
class Documented:
    """A hand-written constraint. ``says`` reads after "AWS requires"; ``source`` is where AWS states it."""

    says: str
    source: str
    url: str
    quote: str = ""  # a sentence of the member's documentation in the model stating the rule ("" when it does not)
    alphabet: str | None = None  # a regex character class: the characters allowed
    pattern: str | None = None  # the whole value's form (a Python regex, matched against the whole value)
    min_len: int | None = None
    max_len: int | None = None
    not_prefixes: tuple[str, ...] = ()
    values: tuple[Any, ...] = ()  # the only values allowed (strings or numbers)
    ranges: tuple[tuple[float, float], ...] = ()  # a number's ranges (inclusive)

    @property
    def label(self) -> str:
        return f"{self.says} ({self.source})"

    def check(self, value: Any) -> Problem | None:
        if self.values:
            if _number(value) is not None and all(_number(v) is not None for v in self.values):
                ok = _number(value) in {_number(v) for v in self.values}
            else:
                ok = str(value) in {str(v) for v in self.values}
            return None if ok else Problem(self.label, whole_value=True)
        if self.ranges:
            number = _number(value)
            if number is None:
                return None
            ok = any(low <= number <= high for low, high in self.ranges)
            return None if ok else Problem(self.label, whole_value=True)
        if not isinstance(value, str):
            return None
        bad: frozenset[str] = frozenset()
        if self.alphabet is not None:
            allowed = _compile(f"[{self.alphabet}]")
            bad = frozenset(c for c in value if not allowed.fullmatch(c))
        if bad:
            return Problem(self.label, bad, detail=f"{', '.join(repr(c) for c in sorted(bad))} not allowed")
        if (self.min_len is not None and len(value) < self.min_len) or (
                self.max_len is not None and len(value) > self.max_len):
            return Problem(self.label, detail=f"{len(value)} characters")
        prefix = next((p for p in self.not_prefixes if value.startswith(p)), None)
        if prefix is not None:
            return Problem(self.label, detail=f"starts with {prefix}")
        if self.pattern is not None and not _compile(self.pattern).fullmatch(value):
            return Problem(self.label)
        return None


@functools.cache
def _compile(text: str) -> re.Pattern[str]:
    return re.compile(text, re.DOTALL)


def rule(says: str, source: str, url: str, quote: str = "", **limits: Any) -> Documented:
    return Documented(says=says, source=source, url=url, quote=quote, **limits)


# --- EC2 ------------------------------------------------------------------------------------------------------
_EC2_SG_CHARS = r"a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*"
_EC2_SG = f"{API}/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
_EC2_RULE = f"{API}/AWSEC2/latest/APIReference/API_IpRange.html"

EC2_SG_DESCRIPTION = rule(
    "characters a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* and at most 255 of them",
    "EC2 API reference, CreateSecurityGroup GroupDescription", _EC2_SG,
    quote="Valid characters: a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
    alphabet=_EC2_SG_CHARS, max_len=255)
EC2_SG_NAME = rule(
    "characters a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*, at most 255 of them, not starting with sg-",
    "EC2 API reference, CreateSecurityGroup GroupName", _EC2_SG,
    quote="Up to 255 characters in length. Can't start with sg- .",
    alphabet=_EC2_SG_CHARS, max_len=255, not_prefixes=("sg-",))
EC2_RULE_DESCRIPTION = rule(
    "characters a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* and at most 255 of them",
    "EC2 API reference, IpRange Description (security group rules)", _EC2_RULE,
    quote="Allowed characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
    alphabet=_EC2_SG_CHARS, max_len=255)
EC2_NACL_RULE_NUMBER = rule(
    "a rule number from 1 to 32766", "EC2 API reference, CreateNetworkAclEntry RuleNumber",
    f"{API}/AWSEC2/latest/APIReference/API_CreateNetworkAclEntry.html",
    quote="Positive integer from 1 to 32766.", ranges=((1, 32766),))
EC2_FLOW_LOG_INTERVAL = rule(
    "60 or 600 seconds", "EC2 API reference, CreateFlowLogs MaxAggregationInterval",
    f"{API}/AWSEC2/latest/APIReference/API_CreateFlowLogs.html",
    quote="The possible values are 60 seconds (1 minute) or 600 seconds (10 minutes).", values=(60, 600))
EC2_PREFIX_LIST_NAME = rule(
    "at most 255 characters, not starting with com.amazonaws",
    "EC2 API reference, CreateManagedPrefixList PrefixListName",
    f"{API}/AWSEC2/latest/APIReference/API_CreateManagedPrefixList.html",
    quote="Up to 255 characters in length. The name cannot start with com.amazonaws .",
    max_len=255, not_prefixes=("com.amazonaws",))
EC2_PREFIX_LIST_ENTRY = rule(
    "at most 255 characters", "EC2 API reference, AddPrefixListEntry Description",
    f"{API}/AWSEC2/latest/APIReference/API_AddPrefixListEntry.html",
    quote="Up to 255 characters in length.", max_len=255)
EC2_CUSTOMER_GATEWAY_DEVICE = rule(
    "at most 255 characters", "EC2 API reference, CreateCustomerGateway DeviceName",
    f"{API}/AWSEC2/latest/APIReference/API_CreateCustomerGateway.html",
    quote="Length Constraints: Up to 255 characters.", max_len=255)
EC2_CUSTOMER_GATEWAY_ASN = rule(
    "an ASN from 1 to 2,147,483,647", "EC2 API reference, CreateCustomerGateway BgpAsn",
    f"{API}/AWSEC2/latest/APIReference/API_CreateCustomerGateway.html",
    quote="Valid values: 1 to 2,147,483,647", ranges=((1, 2147483647),))

_VPN = "EC2 API reference, VpnTunnelOptionsSpecification"
_VPN_URL = f"{API}/AWSEC2/latest/APIReference/API_VpnTunnelOptionsSpecification.html"
VPN_DPD_TIMEOUT_ACTION = rule("one of clear, none, restart", f"{_VPN} DPDTimeoutAction", _VPN_URL,
                              quote="Valid Values: clear | none | restart", values=("clear", "none", "restart"))
VPN_STARTUP_ACTION = rule("one of add, start", f"{_VPN} StartupAction", _VPN_URL,
                          quote="Valid Values: add | start", values=("add", "start"))
VPN_IKE_VERSION = rule("one of ikev1, ikev2", f"{_VPN} IKEVersions", _VPN_URL,
                       quote="Valid values: ikev1 | ikev2", values=("ikev1", "ikev2"))
VPN_ENCRYPTION = rule("one of AES128, AES256, AES128-GCM-16, AES256-GCM-16",
                      f"{_VPN} Phase1/Phase2EncryptionAlgorithms", _VPN_URL,
                      quote="Valid values: AES128 | AES256 | AES128-GCM-16 | AES256-GCM-16",
                      values=("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16"))
VPN_INTEGRITY = rule("one of SHA1, SHA2-256, SHA2-384, SHA2-512", f"{_VPN} Phase1/Phase2IntegrityAlgorithms",
                     _VPN_URL, quote="Valid values: SHA1 | SHA2-256 | SHA2-384 | SHA2-512",
                     values=("SHA1", "SHA2-256", "SHA2-384", "SHA2-512"))
VPN_PHASE1_DH = rule("one of 2, 14-24, 35", f"{_VPN} Phase1DHGroupNumbers", _VPN_URL,
                     quote="Valid values: 2 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 35",
                     values=(2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 35))
VPN_PHASE2_DH = rule("one of 2, 5, 14-24, 35-37", f"{_VPN} Phase2DHGroupNumbers", _VPN_URL,
                     quote="Valid values: 2 | 5 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23 | 24 | 35 | 36 | 37",
                     values=(2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 35, 36, 37))
VPN_LOG_FORMAT = rule("one of json, text", "EC2 API reference, CloudWatchLogOptionsSpecification LogOutputFormat",
                      f"{API}/AWSEC2/latest/APIReference/API_CloudWatchLogOptionsSpecification.html",
                      quote="Valid values: json | text", values=("json", "text"))
VPN_PRESHARED_KEY = rule(
    "8 to 64 letters, digits, periods and underscores, not starting with 0", f"{_VPN} PreSharedKey", _VPN_URL,
    quote="Allowed characters are alphanumeric characters, periods (.), and underscores (_). Must be between 8 "
          "and 64 characters in length and cannot start with zero (0).",
    alphabet=r"a-zA-Z0-9._", min_len=8, max_len=64, not_prefixes=("0",))

# BGP's private ASN ranges (RFC 6996), which both the Transit Gateway and the Direct Connect gateway require.
PRIVATE_ASN_RANGES = ((64512, 65534), (4200000000, 4294967294))

TGW_ASN = rule("a private ASN: 64512-65534 or 4200000000-4294967294",
               "EC2 API reference, TransitGatewayRequestOptions AmazonSideAsn",
               f"{API}/AWSEC2/latest/APIReference/API_TransitGatewayRequestOptions.html",
               quote="The range is 64512 to 65534 for 16-bit ASNs and 4200000000 to 4294967294 for 32-bit ASNs.",
               ranges=PRIVATE_ASN_RANGES)

# --- ELBv2 ----------------------------------------------------------------------------------------------------
ELB_NAME = rule(
    "at most 32 alphanumerics or hyphens, not starting or ending with a hyphen, not starting with internal-",
    "ELBv2 API reference, CreateLoadBalancer Name",
    f"{API}/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    quote="can have a maximum of 32 characters, must contain only alphanumeric characters or hyphens, must not "
          "begin or end with a hyphen, and must not begin with \"internal-\".",
    alphabet=r"a-zA-Z0-9\-", max_len=32, pattern=r"(?!-).*(?<!-)", not_prefixes=("internal-",))
ELB_TARGET_GROUP_NAME = rule(
    "at most 32 alphanumerics or hyphens, not starting or ending with a hyphen",
    "ELBv2 API reference, CreateTargetGroup Name",
    f"{API}/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html",
    quote="can have a maximum of 32 characters, must contain only alphanumeric characters or hyphens, and must "
          "not begin or end with a hyphen.",
    alphabet=r"a-zA-Z0-9\-", max_len=32, pattern=r"(?!-).*(?<!-)")

ELB_SSL_POLICY = rule(
    "a predefined security policy (ELBSecurityPolicy-...): ELBv2 has no custom ones",
    "Application and Network Load Balancers Guides, Security policies",
    f"{API}/elasticloadbalancing/latest/application/describe-ssl-policies.html",
    quote="For more information, see Security policies in the Application Load Balancers Guide",
    pattern=r"ELBSecurityPolicy-[A-Za-z0-9\-]+")

# --- RDS ------------------------------------------------------------------------------------------------------
_RDS = f"{API}/AmazonRDS/latest/APIReference"
_RDS_NAME_FORM = r"[a-zA-Z](?!.*--)(?:.*[^-])?"  # a letter first, no "--", no trailing hyphen
RDS_INSTANCE_IDENTIFIER = rule(
    "1 to 63 letters, digits or hyphens, starting with a letter, without -- or a trailing hyphen",
    "RDS API reference, CreateDBInstance DBInstanceIdentifier", f"{_RDS}/API_CreateDBInstance.html",
    quote="Must contain from 1 to 63 letters, numbers, or hyphens. First character must be a letter. Can't end "
          "with a hyphen or contain two consecutive hyphens.",
    alphabet=r"a-zA-Z0-9\-", min_len=1, max_len=63, pattern=_RDS_NAME_FORM)
RDS_SNAPSHOT_IDENTIFIER = rule(
    "1 to 255 letters, digits or hyphens, starting with a letter, without -- or a trailing hyphen",
    "RDS API reference, DeleteDBInstance FinalDBSnapshotIdentifier", f"{_RDS}/API_DeleteDBInstance.html",
    quote="First character must be a letter. Can't end with a hyphen or contain two consecutive hyphens.",
    alphabet=r"a-zA-Z0-9\-", min_len=1, max_len=255, pattern=_RDS_NAME_FORM)
RDS_PARAMETER_GROUP_NAME = rule(
    "1 to 255 letters, digits or hyphens, starting with a letter, without -- or a trailing hyphen",
    "RDS API reference, CreateDBParameterGroup DBParameterGroupName", f"{_RDS}/API_CreateDBParameterGroup.html",
    quote="Must be 1 to 255 letters, numbers, or hyphens. First character must be a letter Can't end with a "
          "hyphen or contain two consecutive hyphens",
    alphabet=r"a-zA-Z0-9\-", min_len=1, max_len=255, pattern=_RDS_NAME_FORM)
RDS_SUBNET_GROUP_NAME = rule(
    "at most 255 letters, digits, periods, underscores, spaces or hyphens, starting with a letter, not default",
    "RDS API reference, CreateDBSubnetGroup DBSubnetGroupName", f"{_RDS}/API_CreateDBSubnetGroup.html",
    quote="Must contain no more than 255 letters, numbers, periods, underscores, spaces, or hyphens. Must not be "
          "default. First character must be a letter.",
    alphabet=r"a-zA-Z0-9._ \-", max_len=255, pattern=r"(?!default$)[a-zA-Z].*")
RDS_ENGINE = rule(
    "an RDS engine name", "RDS API reference, CreateDBInstance Engine", f"{_RDS}/API_CreateDBInstance.html",
    quote="Valid Values: aurora-mysql (for Aurora MySQL DB instances)",
    values=("aurora-mysql", "aurora-postgresql", "custom-oracle-ee", "custom-oracle-ee-cdb", "custom-oracle-se2",
            "custom-oracle-se2-cdb", "custom-sqlserver-ee", "custom-sqlserver-se", "custom-sqlserver-web",
            "custom-sqlserver-dev", "db2-ae", "db2-ce", "db2-se", "mariadb", "mysql", "oracle-ee", "oracle-ee-cdb",
            "oracle-se2", "oracle-se2-cdb", "postgres", "sqlserver-dev-ee", "sqlserver-ee", "sqlserver-se",
            "sqlserver-ex", "sqlserver-web"))
RDS_PORT = rule("a port from 1150 to 65535", "RDS API reference, CreateDBInstance Port",
                f"{_RDS}/API_CreateDBInstance.html", quote="Valid Values: 1150-65535", ranges=((1150, 65535),))
RDS_BACKUP_RETENTION = rule("0 to 35 days", "RDS API reference, CreateDBInstance BackupRetentionPeriod",
                            f"{_RDS}/API_CreateDBInstance.html", quote="Must be a value from 0 to 35.",
                            ranges=((0, 35),))
RDS_MONITORING_INTERVAL = rule("one of 0, 1, 5, 10, 15, 30, 60 seconds",
                               "RDS API reference, CreateDBInstance MonitoringInterval",
                               f"{_RDS}/API_CreateDBInstance.html",
                               quote="Valid Values: 0 | 1 | 5 | 10 | 15 | 30 | 60",
                               values=(0, 1, 5, 10, 15, 30, 60))
RDS_PI_RETENTION = rule("7, a multiple of 31 up to 713 (months), or 731 days",
                        "RDS API reference, CreateDBInstance PerformanceInsightsRetentionPeriod",
                        f"{_RDS}/API_CreateDBInstance.html",
                        quote="month * 31, where month is a number of months from 1-23.",
                        values=(7, *(31 * m for m in range(1, 24)), 731))

RDS_STORAGE_TYPE = rule("one of gp2, gp3, io1, io2, standard", "RDS API reference, CreateDBInstance StorageType",
                        f"{_RDS}/API_CreateDBInstance.html", quote="Valid Values: gp2 | gp3 | io1 | io2 | standard",
                        values=("gp2", "gp3", "io1", "io2", "standard"))

# --- ECS ------------------------------------------------------------------------------------------------------
_ECS = f"{API}/AmazonECS/latest/APIReference"
_ECS_NAME = dict(alphabet=r"a-zA-Z0-9_\-", min_len=1, max_len=255)
ECS_FAMILY = rule("up to 255 letters, digits, underscores and hyphens",
                  "ECS API reference, RegisterTaskDefinition family", f"{_ECS}/API_RegisterTaskDefinition.html",
                  quote="Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.",
                  **_ECS_NAME)
ECS_SERVICE_NAME = rule("up to 255 letters, digits, underscores and hyphens",
                        "ECS API reference, CreateService serviceName", f"{_ECS}/API_CreateService.html",
                        quote="Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are "
                              "allowed.", **_ECS_NAME)
ECS_CLUSTER_NAME = rule("up to 255 letters, digits, underscores and hyphens",
                        "ECS API reference, CreateCluster clusterName", f"{_ECS}/API_CreateCluster.html",
                        quote="Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are "
                              "allowed.", **_ECS_NAME)
ECS_CONTAINER_NAME = rule("up to 255 letters, digits, underscores and hyphens",
                          "ECS API reference, ContainerDefinition name", f"{_ECS}/API_ContainerDefinition.html",
                          quote="Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are "
                                "allowed.", **_ECS_NAME)

# --- KMS, S3, CloudWatch Logs, SNS, DynamoDB -----------------------------------------------------------------
KMS_ALIAS_PREFIX = rule("a name starting with alias/ but not alias/aws/", "KMS API reference, CreateAlias AliasName",
                        f"{API}/kms/latest/APIReference/API_CreateAlias.html",
                        quote="This value must begin with alias/ followed by a name",
                        pattern=r"alias/.+", not_prefixes=("alias/aws/",))
KMS_DELETION_WINDOW = rule("7 to 30 days", "KMS API reference, ScheduleKeyDeletion PendingWindowInDays",
                           f"{API}/kms/latest/APIReference/API_ScheduleKeyDeletion.html",
                           quote="If you include a value, it must be between 7 and 30, inclusive.", ranges=((7, 30),))
S3_BUCKET_NAME = rule(
    "3 to 63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit, no two "
    "adjacent dots, not an IP address, no xn--/sthree- prefix or -s3alias/--ol-s3 suffix",
    "Amazon S3 User Guide, general purpose bucket naming rules",
    f"{API}/AmazonS3/latest/userguide/bucketnamingrules.html",
    quote="For information about bucket naming restrictions, see Bucket naming rules",
    alphabet=r"a-z0-9.\-", min_len=3, max_len=63,
    pattern=r"(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)(?!.*(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$)"
            r"[a-z0-9](?:.*[a-z0-9])?",
    not_prefixes=("xn--", "sthree-", "amzn-s3-demo-"))
CLOUDWATCH_DASHBOARD_NAME = rule(
    "at most 255 characters of A-Z, a-z, 0-9, - and _", "CloudWatch API reference, PutDashboard DashboardName",
    f"{API}/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
    quote='The maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_".',
    alphabet=r"A-Za-z0-9_\-", max_len=255)
SNS_SUBSCRIPTION_PROTOCOL = rule(
    "one of http, https, email, email-json, sms, sqs, application, lambda, firehose",
    "SNS API reference, Subscribe Protocol", f"{API}/sns/latest/api/API_Subscribe.html",
    values=("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"))
LOGS_RETENTION_DAYS = rule(
    "one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, "
    "3653 days", "CloudWatch Logs API reference, PutRetentionPolicy retentionInDays",
    f"{API}/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
    quote="Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
          "2557, 2922, 3288, and 3653.",
    values=(1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
            3653))
CLOUDWATCH_TREAT_MISSING_DATA = rule(
    "one of breaching, notBreaching, ignore, missing", "CloudWatch API reference, PutMetricAlarm TreatMissingData",
    f"{API}/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
    quote="Valid Values: breaching | notBreaching | ignore | missing",
    values=("breaching", "notBreaching", "ignore", "missing"))
DX_ASN = rule("a private ASN: 64512-65534 or 4200000000-4294967294",
              "Direct Connect API reference, CreateDirectConnectGateway amazonSideAsn",
              f"{API}/directconnect/latest/APIReference/API_CreateDirectConnectGateway.html",
              quote="The ASN must be in the private range of 64,512 to 65,534 or 4,200,000,000 to 4,294,967,294.",
              ranges=PRIVATE_ASN_RANGES)
SNS_TOPIC_NAME = rule(
    "1 to 256 ASCII letters, digits, underscores and hyphens (a FIFO topic ends in .fifo)",
    "SNS API reference, CreateTopic Name", f"{API}/sns/latest/api/API_CreateTopic.html",
    quote="Topic names must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and "
          "hyphens, and must be between 1 and 256 characters long.",
    alphabet=r"a-zA-Z0-9_\-.", min_len=1, max_len=256, pattern=r"[^.]*(?:\.fifo)?")
SECRET_NAME = rule(
    "1 to 512 ASCII letters, digits and /_+=.@-", "Secrets Manager API reference, CreateSecret Name",
    f"{API}/secretsmanager/latest/apireference/API_CreateSecret.html",
    quote="The secret name can contain ASCII letters, numbers, and the following characters: /_+=.@-",
    alphabet=r"a-zA-Z0-9/_+=.@\-", min_len=1, max_len=512)
SECRET_RECOVERY_WINDOW = rule(
    "7 to 30 days", "Secrets Manager API reference, DeleteSecret RecoveryWindowInDays",
    f"{API}/secretsmanager/latest/apireference/API_DeleteSecret.html",
    quote="The number of days from 7 to 30 that Secrets Manager waits before permanently deleting the secret.",
    ranges=((7, 30),))
DYNAMODB_TABLE_NAME = rule(
    "3 to 255 characters a-z, A-Z, 0-9, _, - and .", "DynamoDB Developer Guide, naming rules",
    f"{API}/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
    alphabet=r"a-zA-Z0-9_.\-", min_len=3, max_len=255)

# --- ACM, Route 53, CloudFront, Global Accelerator (the edge) ------------------------------------------------
ACM_COMMON_NAME = rule(
    "at most 64 characters (the certificate's common name: a longer name goes in the alternative names)",
    "ACM API reference, RequestCertificate DomainName",
    f"{API}/acm/latest/APIReference/API_RequestCertificate.html",
    quote="the length of the domain name (technically, the Common Name) that you provide cannot exceed 64 octets "
          "(characters), including periods.", max_len=64)

_R53 = f"{API}/Route53/latest/DeveloperGuide"
ROUTE53_DNS_NAME = rule(
    "a DNS name of at most 255 characters in labels of 1 to 63 (an optional trailing dot)",
    "Route 53 Developer Guide, DNS domain name format", f"{_R53}/DomainNameFormat.html",
    max_len=255, pattern=r"(?:[^.]{1,63}\.)*[^.]{1,63}\.?")
ROUTE53_CONTINENT = rule(
    "one of AF, AN, AS, EU, OC, NA, SA", "Route 53 API reference, GeoLocation ContinentCode",
    f"{API}/Route53/latest/APIReference/API_GeoLocation.html",
    quote="Amazon Route 53 supports the following continent codes: AF : Africa AN : Antarctica AS : Asia EU : "
          "Europe OC : Oceania NA : North America SA : South America",
    values=("AF", "AN", "AS", "EU", "OC", "NA", "SA"))
ROUTE53_COUNTRY = rule(
    "an ISO 3166-1 alpha-2 country code (two capital letters), or * for every other location",
    "Route 53 API reference, GeoLocation CountryCode", f"{API}/Route53/latest/APIReference/API_GeoLocation.html",
    quote="Amazon Route 53 uses the two-letter country codes that are specified in ISO standard 3166-1 alpha-2",
    pattern=r"[A-Z]{2}|\*")
ROUTE53_REQUEST_INTERVAL = rule(
    "10 or 30 seconds (fast or standard)", "Route 53 Developer Guide, values for health checks (Request interval)",
    f"{_R53}/health-checks-creating-values.html", values=(10, 30))
ROUTE53_RESOURCE_PATH = rule(
    "a path starting with / (Route 53 answers InvalidInput: Health check resource path must start with /)",
    "Route 53 Developer Guide, values for health checks (Path)", f"{_R53}/health-checks-creating-values.html",
    pattern=r"/.*")

_CLOUDFRONT = f"{API}/cloudfront/latest/APIReference"
CLOUDFRONT_COMMENT = rule(
    "at most 128 characters", "CloudFront API reference, the Comment of a distribution or policy",
    f"{_CLOUDFRONT}/API_DistributionConfig.html",
    quote="The comment cannot be longer than 128 characters.", max_len=128)
CLOUDFRONT_OAC_NAME = rule(
    "at most 64 characters", "CloudFront API reference, OriginAccessControlConfig Name",
    f"{_CLOUDFRONT}/API_OriginAccessControlConfig.html", quote="You can specify up to 64 characters.", max_len=64)
CLOUDFRONT_CONNECTION_ATTEMPTS = rule(
    "1 to 3 attempts", "CloudFront API reference, Origin ConnectionAttempts", f"{_CLOUDFRONT}/API_Origin.html",
    quote="The minimum number is 1, the maximum is 3", ranges=((1, 3),))
CLOUDFRONT_CONNECTION_TIMEOUT = rule(
    "1 to 10 seconds", "CloudFront API reference, Origin ConnectionTimeout", f"{_CLOUDFRONT}/API_Origin.html",
    quote="The minimum timeout is 1 second, the maximum is 10 seconds", ranges=((1, 10),))
CLOUDFRONT_FAILOVER_STATUS = rule(
    "one of 400, 403, 404, 416, 500, 502, 503, 504", "CloudFront Developer Guide, origin failover",
    f"{API}/AmazonCloudFront/latest/DeveloperGuide/high_availability_origin_failover.html",
    values=(400, 403, 404, 416, 500, 502, 503, 504))

_GA = f"{API}/global-accelerator/latest/api"
GA_ACCELERATOR_NAME = rule(
    "at most 64 letters, digits, periods or hyphens, not starting or ending with a period or hyphen",
    "Global Accelerator API reference, CreateAccelerator Name", f"{_GA}/API_CreateAccelerator.html",
    quote="The name can have a maximum of 64 characters, must contain only alphanumeric characters, periods (.), "
          "or hyphens (-), and must not begin or end with a hyphen or period.",
    alphabet=r"a-zA-Z0-9.\-", max_len=64, pattern=r"(?![.-]).*(?<![.-])")
GA_HEALTH_CHECK_INTERVAL = rule(
    "10 or 30 seconds", "Global Accelerator API reference, CreateEndpointGroup HealthCheckIntervalSeconds",
    f"{_GA}/API_CreateEndpointGroup.html", quote="The time—10 seconds or 30 seconds—between each health check",
    values=(10, 30))

# --- API Gateway (REST), PrivateLink, Shield (protection and partner access) -------------------------------------
_APIGW = f"{API}/apigateway/latest/api"
_APIGW_GUIDE = f"{API}/apigateway/latest/developerguide"
APIGW_STAGE_NAME = rule(
    "1 to 128 letters, digits, hyphens and underscores", "API Gateway API reference, CreateStage stageName",
    f"{_APIGW}/API_CreateStage.html",
    quote="Stage names can only contain alphanumeric characters, hyphens, and underscores. Maximum length is 128 "
          "characters.", alphabet=r"a-zA-Z0-9_\-", min_len=1, max_len=128)
APIGW_STAGE_VARIABLE_NAME = rule(
    "letters, digits and underscores", "API Gateway API reference, CreateStage variables (names)",
    f"{_APIGW}/API_CreateStage.html", quote="Variable names can have alphanumeric and underscore characters",
    alphabet=r"a-zA-Z0-9_")
APIGW_STAGE_VARIABLE_VALUE = rule(
    "characters A-Za-z0-9-._~:/?#&=, only", "API Gateway API reference, CreateStage variables (values)",
    f"{_APIGW}/API_CreateStage.html", quote="the values must match [A-Za-z0-9-._~:/?#&=,]+",
    alphabet=r"A-Za-z0-9\-._~:/?#&=,", min_len=1)
APIGW_PATH_PART = rule(
    "a path part of letters, digits and ._-: or a {parameter} (a trailing + inside the braces: greedy), without "
    "slashes (API Gateway answers: Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning "
    "and the end and an optional plus sign before the closing brace)",
    "API Gateway API reference, CreateResource pathPart", f"{_APIGW}/API_CreateResource.html",
    pattern=r"[a-zA-Z0-9._:\-]+|\{[a-zA-Z0-9._:\-]+\+?\}")
APIGW_AUTHORIZATION = rule(
    "one of NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS (JWT is an HTTP API's)",
    "API Gateway API reference, PutMethod authorizationType", f"{_APIGW}/API_PutMethod.html",
    quote="Valid values are NONE for open access, AWS_IAM for using Amazon Web Services IAM permissions, CUSTOM for "
          "using a custom authorizer, COGNITO_USER_POOLS for using a Cognito user pool",
    values=("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"))
APIGW_HTTP_METHOD = rule(
    "one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY (upper case)",
    "API Gateway Developer Guide, methods for REST APIs", f"{_APIGW_GUIDE}/how-to-method-settings.html",
    values=("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"))
APIGW_INTEGRATION_URI = rule(
    "an http(s) URL (HTTP and private integrations) or an arn:aws:apigateway:<region>:… service URI (AWS "
    "integrations)", "API Gateway API reference, PutIntegration uri", f"{_APIGW}/API_PutIntegration.html",
    quote="the URI must be a fully formed, encoded HTTP(S) URL according to the RFC-3986 specification",
    pattern=r"(?:https?://|arn:aws[a-z\-]*:apigateway:)\S+")
APIGW_INTEGRATION_TIMEOUT = rule(
    "50 to 29,000 milliseconds (longer only for regional or private APIs, after a quota increase)",
    "API Gateway API reference, PutIntegration timeoutInMillis", f"{_APIGW}/API_PutIntegration.html",
    quote="Custom timeout between 50 and 29,000 milliseconds.", ranges=((50, 29000),))
APIGW_PASSTHROUGH = rule(
    "one of WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER", "API Gateway API reference, PutIntegration passthroughBehavior",
    f"{_APIGW}/API_PutIntegration.html",
    quote="There are three valid values: WHEN_NO_MATCH , WHEN_NO_TEMPLATES , and NEVER .",
    values=("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"))
APIGW_MIN_COMPRESSION = rule(
    "0 to 10485760 bytes", "API Gateway API reference, CreateRestApi minimumCompressionSize",
    f"{_APIGW}/API_CreateRestApi.html", quote="with non-negative between 0 and 10485760 (10M) bytes, inclusive",
    ranges=((0, 10485760),))
APIGW_MODEL_NAME = rule(
    "letters and digits only (an auto-name's hyphen is refused too: name every model)",
    "API Gateway API reference, CreateModel name", f"{_APIGW}/API_CreateModel.html",
    quote="The name of the model. Must be alphanumeric.", alphabet=r"a-zA-Z0-9", min_len=1)
APIGW_MODEL_SCHEMA = rule(
    "at most 400 KB", "API Gateway API reference, CreateModel schema", f"{_APIGW}/API_CreateModel.html",
    quote="The maximum size of the model is 400 KB.", max_len=400 * 1024)
APIGW_API_KEY_NAME = rule(
    "at most 1024 characters", "API Gateway Developer Guide, usage plans and API keys",
    f"{_APIGW_GUIDE}/api-gateway-api-usage-plans.html", max_len=1024)
APIGW_API_KEY_VALUE = rule(
    "20 to 128 characters (letters and digits)", "API Gateway Developer Guide, usage plans and API keys",
    f"{_APIGW_GUIDE}/api-gateway-api-usage-plans.html", min_len=20, max_len=128)
APIGW_USAGE_PLAN_KEY_TYPE = rule(
    "API_KEY (the only key type)", "API Gateway API reference, UsagePlanKey type",
    f"{_APIGW}/API_UsagePlanKey.html", values=("API_KEY",))
_THROTTLE = "API Gateway Developer Guide, throttling (a usage plan's per-client limits cannot be higher than the " \
            "account's per-Region limits: 10,000 requests per second, bursts of 5,000, unless AWS raised them)"
APIGW_THROTTLE_RATE = rule(
    "0 to 10,000 requests per second", _THROTTLE, f"{_APIGW_GUIDE}/api-gateway-request-throttling.html",
    ranges=((0, 10000),))
APIGW_THROTTLE_BURST = rule(
    "0 to 5,000 requests", _THROTTLE, f"{_APIGW_GUIDE}/api-gateway-request-throttling.html", ranges=((0, 5000),))
APIGW_LOGGING_LEVEL = rule(
    "one of OFF, ERROR, INFO (the stage's execution logging level)", "API Gateway API reference, MethodSetting "
    "loggingLevel", f"{_APIGW}/API_MethodSetting.html", values=("OFF", "ERROR", "INFO"))
APIGW_CACHE_TTL = rule(
    "0 to 3600 seconds", "API Gateway Developer Guide, caching (the maximum TTL is 3600 seconds)",
    f"{_APIGW_GUIDE}/api-gateway-caching.html", ranges=((0, 3600),))
APIGW_VPC_LINK_TARGET = rule(
    "a network load balancer's ARN (…:loadbalancer/net/…)", "API Gateway API reference, CreateVpcLink targetArns",
    f"{_APIGW}/API_CreateVpcLink.html",
    quote="The ARN of the network load balancer of the VPC targeted by the VPC link.",
    pattern=r"arn:aws[a-z\-]*:elasticloadbalancing:[a-z0-9\-]+:\d{12}:loadbalancer/net/[^/]+/[0-9a-f]+")

_EC2 = f"{API}/AWSEC2/latest/APIReference"
EC2_ENDPOINT_PRINCIPAL = rule(
    "a principal's ARN (an account's arn:aws:iam::<account>:root, a user's or role's, an organization's or OU's), "
    "a service principal, or * (which the pack refuses)", "EC2 API reference, AllowedPrincipal (principal types "
    "All, Service, OrganizationUnit, Account, User, Role)", f"{_EC2}/API_AllowedPrincipal.html",
    quote="The Amazon Resource Names (ARN) of the principals.",
    pattern=r"\*|arn:aws[a-z\-]*:iam::\d{12}:(?:root|user/\S+|role/\S+)"
            r"|arn:aws[a-z\-]*:organizations::\d{12}:(?:organization|ou)/\S+|[a-z0-9.\-]+\.amazonaws\.com(?:\.cn)?")
EC2_ENDPOINT_IP_TYPE = rule(
    "one of ipv4, ipv6", "EC2 API reference, CreateVpcEndpointServiceConfiguration SupportedIpAddressTypes",
    f"{_EC2}/API_CreateVpcEndpointServiceConfiguration.html", quote="The possible values are ipv4 and ipv6 .",
    values=("ipv4", "ipv6"))
EC2_ENDPOINT_SERVICE_NAME = rule(
    "a service name: com.amazonaws.<region>.<service> (or aws.…) for an AWS service, "
    "com.amazonaws.vpce.<region>.vpce-svc-<17 hex> for an endpoint service",
    "AWS PrivateLink Guide, endpoint service names",
    f"{API}/vpc/latest/privatelink/privatelink-share-your-services.html",
    pattern=r"com\.amazonaws\.vpce\.[a-z0-9\-]+\.vpce-svc-[0-9a-f]{8}(?:[0-9a-f]{9})?"
            r"|(?!com\.amazonaws\.vpce\.)(?:com\.amazonaws|cn\.com\.amazonaws|aws)\.[a-z0-9][a-z0-9.\-]*")
SHIELD_AUTOMATIC_RESPONSE_ACTION = rule(
    "BLOCK or COUNT", "Shield API reference, ResponseAction (Block or Count)",
    f"{API}/waf/latest/DDOSAPIReference/API_ResponseAction.html", values=("BLOCK", "COUNT"))

ALL: dict[str, Documented] = {name: value for name, value in globals().items() if isinstance(value, Documented)}
