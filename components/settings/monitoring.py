"""Settings of the monitoring tier (``securecart:monitoring``, both stacks): where alarms go, the thresholds that fit
SecureCart, X-Ray's sampling, and what the flow-log analysis watches.

Every threshold names its unit in its key (``…Seconds``, ``…Percent``, ``…GiB``, ``…PerMinute``) and takes a plain
positive number: ``1500ms`` or ``-1`` is refused with the key and the unit it wants.
"""

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from components.settings.types import Model

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_HTTPS = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s]*)?$")
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,2})?)$")


def _number(unit: str) -> Any:
    """A number in ``unit``: a string such as '1500ms' or '2s' is refused naming the unit the key wants."""
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{value!r} is not a number of {unit}: write the number alone, in {unit}")
        return value
    return BeforeValidator(check)


def _positive(unit: str) -> Any:
    def check(value: float) -> float:
        if value <= 0:
            raise ValueError(f"{value:g} is not a positive number of {unit}: alarms fire above a positive threshold")
        return value
    return AfterValidator(check)


def _percent(value: float) -> float:
    if not 0 < value <= 100:
        raise ValueError(f"{value:g} is not a percentage: use a number above 0 and at most 100")
    return value


Seconds = Annotated[float, _number("seconds"), _positive("seconds")]
Milliseconds = Annotated[float, _number("milliseconds"), _positive("milliseconds")]
Percent = Annotated[float, _number("percent"), AfterValidator(_percent)]
GiB = Annotated[float, _number("GiB"), _positive("GiB")]
Count = Annotated[int, _number("a count"), Field(ge=1)]
def _fraction(value: float) -> float:
    if not 0 <= value <= 1:
        raise ValueError(f"{value:g} is {'above 1' if value > 1 else 'below 0'}: a sampling rate is a fraction from "
                         f"0 to 1")
    return value


Rate = Annotated[float, _number("a sampling rate (0 to 1)"), AfterValidator(_fraction)]


class Subscription(Model):
    protocol: Literal["email", "https"] = Field(
        description="Required. email (an on-call address) or https (a webhook: the paging tool's endpoint).")
    endpoint: str = Field(description="Required. The address (email) or the https:// URL (https).")
    auto_confirms: bool = Field(
        default=False, alias="autoConfirms",
        description="https only: the webhook confirms the subscription itself (PagerDuty, Opsgenie); default false: "
                    "someone confirms it. When true, pulumi up waits for the confirmation and fails without it.")

    @model_validator(mode="after")
    def _endpoint_fits(self) -> "Subscription":
        if self.protocol == "email" and not _EMAIL.match(self.endpoint):
            raise ValueError(f"endpoint: {self.endpoint!r} is not an email address (name@domain.tld)")
        if self.protocol == "email" and self.auto_confirms:
            raise ValueError("autoConfirms: an email subscription is confirmed by its recipient: remove autoConfirms")
        if self.protocol == "https" and not _HTTPS.match(self.endpoint):
            raise ValueError(f"endpoint: {self.endpoint!r} is not an HTTPS URL: a webhook must be https://host/path "
                             f"(SNS would send alarms in clear over http)")
        return self


class LatencyTarget(Model):
    percentile: str = Field(description="Required. The percentile of the checkout target group's response time, "
                                        "e.g. p99 or p50 (p0.1 to p99.99).")
    seconds: Seconds = Field(description="Required. The alarm's threshold, in seconds.")

    @field_validator("percentile")
    @classmethod
    def _is_percentile(cls, v: str) -> str:
        m = _PERCENTILE.match(v)
        if m is None or not 0 < float(m.group(1)) < 100:
            raise ValueError(f"{v!r} is not a percentile: write p and a number between 0 and 100, e.g. p99 or "
                             f"p99.9")
        return v


class Thresholds(Model):
    checkout_latency: list[LatencyTarget] = Field(
        default_factory=lambda: [LatencyTarget(percentile="p99", seconds=1.5),
                                 LatencyTarget(percentile="p50", seconds=0.4)],
        alias="checkoutLatency", min_length=1,
        description="Response-time alarms on the checkout target group; default p99 above 1.5 s and p50 above "
                    "0.4 s, each in 3 of 5 minutes.")
    anomaly_band: float = Field(
        default=3, alias="anomalyBand", gt=0, le=10,
        description="Width of the ALB request-count anomaly band, in standard deviations; default 3 (a surge or a "
                    "collapse beyond it alarms).")
    waf_blocked_per_minute: Count = Field(
        default=1000, alias="wafBlockedPerMinute",
        description="Requests the regional web ACL blocks in a minute before it alarms (an attack under way); "
                    "default 1000.")
    alb_5xx_percent: Percent = Field(
        default=1, alias="alb5xxPercent",
        description="Share of the ALB's requests answered 5XX (by the ALB or the targets) before it alarms; default "
                    "1 percent.")
    unhealthy_hosts: Count = Field(
        default=1, alias="unhealthyHosts",
        description="Unhealthy targets in a target group (ALB and NLB) that alarm; default 1.")
    service_cpu_percent: Percent = Field(
        default=80, alias="serviceCpuPercent", description="ECS service CPU utilization that alarms; default 80.")
    service_memory_percent: Percent = Field(
        default=85, alias="serviceMemoryPercent",
        description="ECS service memory utilization that alarms; default 85.")
    database_cpu_percent: Percent = Field(
        default=80, alias="databaseCpuPercent", description="Database CPU utilization that alarms; default 80.")
    database_free_storage_gib: GiB = Field(
        default=20, alias="databaseFreeStorageGiB",
        description="Free database storage below which it alarms, in GiB; default 20.")
    database_connections: Count = Field(
        default=400, alias="databaseConnections",
        description="Database connections above which it alarms; default 400 (db.r6g.large allows about 1,600).")
    replica_lag_seconds: Seconds = Field(
        default=60, alias="replicaLagSeconds",
        description="The secondary's read replica lag that alarms, in seconds; default 60.")
    table_replication_ms: Milliseconds = Field(
        default=3000, alias="tableReplicationMs",
        description="DynamoDB global-table replication latency that alarms, in milliseconds; default 3000.")
    bucket_replication_seconds: Seconds = Field(
        default=900, alias="bucketReplicationSeconds",
        description="S3 replication latency of the product images that alarms, in seconds; default 900 (the "
                    "15-minute replication time control).")
    dropped_packets_per_minute: Count = Field(
        default=100, alias="droppedPacketsPerMinute",
        description="Packets a NAT gateway or the Transit Gateway drops in a minute before it alarms; default 100.")
    cloudfront_5xx_percent: Percent = Field(
        default=1, alias="cloudFront5xxPercent",
        description="CloudFront's 5XX error rate that alarms (primary); default 1 percent.")
    rejected_flows_per_5_minutes: Count = Field(
        default=1000, alias="rejectedFlowsPer5Minutes",
        description="Rejected flow-log records in 5 minutes that alarm (a scan, or a broken rule); default 1000.")

    @model_validator(mode="after")
    def _distinct_percentiles(self) -> "Thresholds":
        names = [t.percentile for t in self.checkout_latency]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"checkoutLatency: {', '.join(dupes)} listed twice: one threshold per percentile")
        return self


class XRaySettings(Model):
    sampling_rates: dict[str, Rate] = Field(
        default_factory=lambda: {"checkout": 0.2, "payment": 0.5},
        alias="samplingRates",
        description="Fraction of requests traced per delivery service (0 to 1); default checkout 0.2 and payment "
                    "0.5, so slow payment calls are found; every other service takes defaultRate.")
    default_rate: Rate = Field(
        default=0.05, alias="defaultRate",
        description="Fraction of other requests traced (browsing, the partners' API); default 0.05.")
    reservoir_per_second: int = Field(
        default=1, alias="reservoirPerSecond", ge=0, le=100,
        description="Requests per second each rule traces before the rate applies; default 1.")
    slow_payment_seconds: Seconds = Field(
        default=1, alias="slowPaymentSeconds",
        description="A payment call slower than this, in seconds, lands in the slow-payments X-Ray group; default 1.")


DEFAULT_UNUSED_PORTS = (22, 23, 135, 139, 445, 1433, 3306, 3389, 5900, 6379, 9200, 11211, 27017)


class FlowLogAnalysis(Model):
    unused_ports: list[Annotated[int, Field(ge=0, le=65535)]] = Field(
        default_factory=lambda: list(DEFAULT_UNUSED_PORTS), alias="unusedPorts", min_length=1, max_length=20,
        description="Destination ports nothing in SecureCart listens on; a connection attempt to one alarms; "
                    "default SSH, telnet, RPC/NetBIOS/SMB, SQL Server, MySQL, RDP, VNC, Redis, Elasticsearch, "
                    "memcached and MongoDB.")
    transit_gateway_flow_logs: bool = Field(
        default=True, alias="transitGatewayFlowLogs",
        description="Flow logs of the Transit Gateway (every attachment) to their own encrypted log group; "
                    "default true.")


class MonitoringSettings(Model):
    subscriptions: list[Subscription] = Field(
        default_factory=list, max_length=10,
        description="Who the alarm topic notifies (email addresses, HTTPS webhooks); default none: subscribe the "
                    "on-call tooling before production.")
    thresholds: Thresholds = Field(
        default_factory=Thresholds, description="Alarm thresholds; default values that fit SecureCart (see "
                                                "Thresholds).")
    xray: XRaySettings = Field(
        default_factory=XRaySettings, description="X-Ray sampling and groups; default checkout 0.2, payment 0.5, "
                                                  "others 0.05; slow payments above 1 s.")
    flow_logs: FlowLogAnalysis = Field(
        default_factory=FlowLogAnalysis, alias="flowLogs",
        description="Flow-log analysis: the unused ports, Transit Gateway flow logs; default the common attack "
                    "ports, Transit Gateway flow logs on.")

    @field_validator("subscriptions")
    @classmethod
    def _distinct(cls, v: list[Subscription]) -> list[Subscription]:
        seen = [(s.protocol, s.endpoint) for s in v]
        dupes = sorted({e for p, e in seen if seen.count((p, e)) > 1})
        if dupes:
            raise ValueError(f"{', '.join(dupes)} subscribed twice")
        return v
