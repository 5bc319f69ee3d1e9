"""The monitoring tier: every alarm of the stack in one place, where it goes, the dashboards, X-Ray and the flow-log
analysis. It is built last and reads the other tiers' resources; nothing else makes an alarm.

- Alarm routing: one SNS topic per region under a key of its own (CloudWatch cannot publish under ``aws/sns``); its
  policy lets only CloudWatch alarms of this account and region publish and refuses anything over plain HTTP; the
  subscriptions come from ``monitoring.subscriptions`` (email, HTTPS webhooks). Every alarm, metric and composite,
  notifies it on ALARM and on OK. The primary's global alarms (Route 53 health checks, CloudFront) have their metrics
  in us-east-1, the primary's region, so they route to the primary's topic.
- Alarms, thresholds from ``monitoring.thresholds``, each bound to a resource of this stack by its dimensions:
  checkout latency (each configured percentile of every ALB service's target group); abnormal traffic (an anomaly
  band on the ALB's requests; requests the ALB's web ACL blocks); errors (the ALB's 5XX share of requests, as metric
  math; unhealthy targets in every target group, ALB and NLB); services (CPU and memory per ECS service, running
  tasks below the desired count); data (database CPU, free storage, connections; the replica's lag in the
  secondary; DynamoDB throttles and, on the primary, replication latency to each replica; S3 replication latency
  and failed operations); network (NAT port-allocation errors and dropped packets per gateway, Transit Gateway
  drops, each VPN's tunnels); edge (primary: each region's health check, CloudFront's 5XX rate, and the
  accelerator's endpoints, whose health Global Accelerator takes from the ALB's targets: its own metrics live in
  us-west-2 and report only while traffic flows, so the accelerator ALB's healthy-target count stands for them);
  and a composite "checkout degraded" that pages once for latency, 5XX or unhealthy checkout targets.
- Dashboards: one per region along the checkout path (edge, ALB, services, database, network), and a global one in
  the primary (health checks, CloudFront, the accelerator's endpoints, replication).
- X-Ray: sampling rules per delivery service (``monitoring.xray.samplingRates``; checkout and payment above
  browsing), the partners' API stage and a default; groups for slow payment calls and for faults, with insights;
  traces encrypted under a key of their own (X-Ray uses it through a grant; readers of traces need kms:Decrypt).
- Flow-log analysis: metric filters on the VPC's flow-log group (``components.flowlogs``: the network tier's format,
  field for field) for rejected traffic, traffic into the database tier from anything but its readers, and
  connection attempts to ports nothing uses, each with an alarm; rejected traffic in the analytics VPC's own flow
  logs (primary); the Transit Gateway's flow logs; saved Logs Insights queries for the usual investigations.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import dashboards, flowlogs
from components.analytics import AnalyticsTier
from components.connectivity import ConnectivityTier
from components.context import StackContext, Tier, options
from components.contract import MonitoringOutputs
from components.data import DataTier
from components.delivery import DeliveryTier
from components.documents import policy_document
from components.edge import EdgeTier
from components.network import NetworkTier, flow_logs_role_policy, flow_logs_trust_policy
from components.partners import PartnersTier
from components.settings.delivery import LoadBalancerKind
from components.settings.monitoring import MonitoringSettings
from components.settings.network import SubnetType
from components.settings.types import Role

GIB = 1024 ** 3
Query = aws.cloudwatch.MetricAlarmMetricQueryArgsDict
FLOW_NAMESPACE = "SecureCart/FlowLogs"


def alarms_key_policy(account: str, region: str, partition: str) -> str:
    """The topic's key: the account administers it; CloudWatch alarms of this account and region may use it."""
    return policy_document([
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account},
                       "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"}}},
    ])


def topic_policy(topic_arn: str, account: str, region: str, partition: str) -> str:
    """Only this account's CloudWatch alarms in this region publish; nothing reaches the topic over plain HTTP."""
    return policy_document([
        {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": account},
                       "ArnLike": {"aws:SourceArn": f"arn:{partition}:cloudwatch:{region}:{account}:alarm:*"}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:*",
         "Resource": topic_arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ])


def xray_key_policy(account: str, region: str, partition: str) -> str:
    """The traces' key: the account administers it and grants its use through IAM (X-Ray's grant, made by the
    deployer; readers of traces through their own policies)."""
    return policy_document([
        {"Sid": "AccountAdministers", "Effect": "Allow", "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
         "Action": "kms:*", "Resource": "*"},
    ])


@dataclass(frozen=True)
class MonitoringTierArgs:
    network: NetworkTier
    delivery: DeliveryTier | None = None
    data: DataTier | None = None
    links: ConnectivityTier | None = None
    edge: EdgeTier | None = None
    partners: PartnersTier | None = None
    analytics: AnalyticsTier | None = None


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric: namespace, name, dimensions (values may be outputs), statistic and period."""

    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    stat: str = "Average"  # or Sum, Minimum, Maximum, p99 (an extended statistic)
    period: int = 60


class MonitoringTier(Tier):
    settings: MonitoringSettings
    topic: aws.sns.Topic
    alarms: dict[str, aws.cloudwatch.MetricAlarm]  # logical name -> alarm

    def __init__(self, name: str, ctx: StackContext, args: MonitoringTierArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("securecart:monitoring:MonitoringTier", name, ctx, opts)
        self.settings, self.args = ctx.settings.monitoring, args
        self.thresholds = self.settings.thresholds
        self.alarms = {}
        self.topic = self._topic()
        self._delivery_alarms()
        self._data_alarms()
        self._network_alarms()
        self._edge_alarms()
        self._composites()
        self.flow_log_filters = self._flow_log_analysis()
        self._xray()
        self.dashboards = self._dashboards()
        self.done()

    def exports(self) -> MonitoringOutputs:
        return MonitoringOutputs(
            alarm_topic_arn=self.topic.arn,
            alarm_names=sorted(self.alarm_names),
            dashboard_names=[d.dashboard_name for d in self.dashboards],
        )

    @property
    def alarm_names(self) -> list[str]:
        return [self.ctx.name(n) for n in self.alarms]

    # --- alarm routing ------------------------------------------------------------------------------------------

    def _topic(self) -> aws.sns.Topic:
        """The region's alarm topic: its key, its policy, its subscriptions. (The key and the topic were the
        delivery tier's: the aliases keep them, and the key's protection, where they are.) A subscription receives
        nothing until its endpoint confirms it; an HTTPS webhook that confirms itself (``autoConfirms``) is waited
        for, so a deploy fails if it cannot."""
        ident = pulumi.Output.all(self.ctx.account_id, self.ctx.region, self.ctx.partition)
        delivery = self.args.delivery
        moved = [pulumi.Alias(parent=delivery)] if delivery is not None else []
        key = aws.kms.Key(
            "alarms-key", description=f"SecureCart {self.ctx.environment} {self.ctx.region}: alarm topic encryption",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=ident.apply(lambda v: alarms_key_policy(v[0], v[1], v[2])),
            tags=self.tags("alarms-key"), opts=pulumi.ResourceOptions(parent=self, protect=True, aliases=moved))
        topic = aws.sns.Topic("alarms", kms_master_key_id=key.arn, tags=self.tags("alarms"),
                              opts=pulumi.ResourceOptions(parent=self, aliases=moved))
        aws.sns.TopicPolicy(
            "alarms-policy", arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, self.ctx.account_id, self.ctx.region, self.ctx.partition).apply(
                lambda v: topic_policy(v[0], v[1], v[2], v[3])),
            opts=options(topic))
        for i, sub in enumerate(self.settings.subscriptions):
            aws.sns.TopicSubscription(
                f"alarms-{sub.protocol}-{i + 1}", topic=topic.arn, protocol=sub.protocol, endpoint=sub.endpoint,
                endpoint_auto_confirms=sub.auto_confirms, opts=options(topic))
        return topic

    # --- the alarm builders -------------------------------------------------------------------------------------

    def _alarm(self, name: str, description: str, metric: Metric, threshold: float, operator: str, *,
               evaluations: int = 5, datapoints: int = 3, missing: str = "notBreaching") -> aws.cloudwatch.MetricAlarm:
        """A metric alarm named ``securecart-<env>-<name>``, notifying the topic on ALARM and OK."""
        extended = metric.stat.startswith("p")
        alarm = aws.cloudwatch.MetricAlarm(
            name, name=self.ctx.name(name), alarm_description=description, namespace=metric.namespace,
            metric_name=metric.name, dimensions=dict(metric.dimensions), period=metric.period,
            statistic=None if extended else metric.stat, extended_statistic=metric.stat if extended else None,
            threshold=threshold, comparison_operator=operator, evaluation_periods=evaluations,
            datapoints_to_alarm=datapoints, treat_missing_data=missing,
            alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn], tags=self.tags(name), opts=self.child)
        self.alarms[name] = alarm
        return alarm

    def _math_alarm(self, name: str, description: str, queries: Sequence[Query], threshold: float,
                    operator: str, *, evaluations: int = 5, datapoints: int = 3,
                    threshold_metric_id: str | None = None) -> aws.cloudwatch.MetricAlarm:
        """An alarm on metric math (``queries``: the last with return_data is the alarm's value)."""
        alarm = aws.cloudwatch.MetricAlarm(
            name, name=self.ctx.name(name), alarm_description=description, metric_queries=list(queries),
            threshold=None if threshold_metric_id else threshold, threshold_metric_id=threshold_metric_id,
            comparison_operator=operator, evaluation_periods=evaluations, datapoints_to_alarm=datapoints,
            treat_missing_data="notBreaching", alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn],
            tags=self.tags(name), opts=self.child)
        self.alarms[name] = alarm
        return alarm

    @staticmethod
    def _query(query_id: str, metric: Metric, *, returned: bool = False) -> Query:
        return {"id": query_id, "return_data": returned, "metric": {
            "namespace": metric.namespace, "metric_name": metric.name, "period": metric.period, "stat": metric.stat,
            "dimensions": dict(metric.dimensions)}}

    # --- delivery: latency, traffic, errors, targets, services --------------------------------------------------

    def _delivery_alarms(self) -> None:
        d, t = self.args.delivery, self.thresholds
        if d is None:
            return
        alb = {"LoadBalancer": d.alb.arn_suffix}
        for svc in d.settings.services:
            if svc.load_balancer is not LoadBalancerKind.ALB:
                continue
            group = {**alb, "TargetGroup": d.target_groups[svc.name].arn_suffix}
            for target in t.checkout_latency:
                self._alarm(f"{svc.name}-latency-{target.percentile.replace('.', '_')}",
                            f"{svc.name}: {target.percentile} response time above {target.seconds:g} s in 3 of 5 "
                            f"minutes", Metric("AWS/ApplicationELB", "TargetResponseTime", group, target.percentile),
                            target.seconds, "GreaterThanThreshold")
        self._math_alarm(
            "alb-traffic-anomaly", f"ALB requests outside the expected band ({t.anomaly_band:g} standard deviations): "
            f"a surge, an attack or a collapse", [
                self._query("requests", Metric("AWS/ApplicationELB", "RequestCount", alb, "Sum", 300), returned=True),
                {"id": "band", "expression": f"ANOMALY_DETECTION_BAND(requests, {t.anomaly_band:g})",
                 "label": "expected requests", "return_data": True}],
            0, "LessThanLowerOrGreaterThanUpperThreshold", evaluations=3, datapoints=2, threshold_metric_id="band")
        self._math_alarm(
            "alb-5xx-rate", f"More than {t.alb_5xx_percent:g}% of the ALB's requests end in 5XX (the ALB's or the "
            f"targets')", [
                self._query("elb", Metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, "Sum")),
                self._query("targets", Metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb, "Sum")),
                self._query("requests", Metric("AWS/ApplicationELB", "RequestCount", alb, "Sum")),
                {"id": "rate", "expression": "100 * (FILL(elb, 0) + FILL(targets, 0)) / requests",
                 "label": "5XX percent", "return_data": True}],
            t.alb_5xx_percent, "GreaterThanThreshold")
        if d.web_acl is not None:  # WAF publishes under the web ACL's metric name, not its name
            self._alarm("alb-waf-blocked", f"The ALB's web ACL blocks more than {t.waf_blocked_per_minute} requests a "
                        f"minute (an attack under way)",
                        Metric("AWS/WAFV2", "BlockedRequests",
                               {"WebACL": d.web_acl_metric_name, "Region": self.ctx.region, "Rule": "ALL"}, "Sum"),
                        t.waf_blocked_per_minute, "GreaterThanThreshold", evaluations=3, datapoints=2)
        self._target_alarms(d)
        self._service_alarms(d)

    def _target_alarms(self, d: DeliveryTier) -> None:
        """Unhealthy targets in every target group: behind the ALB, the NLB, the accelerator ALB and the endpoint
        NLB. The accelerator ALB's healthy count also stands for the accelerator's endpoint health."""
        t = self.thresholds
        groups: list[tuple[str, aws.lb.LoadBalancer, aws.lb.TargetGroup, str]] = []
        for svc in d.settings.services:
            on_alb = svc.load_balancer is LoadBalancerKind.ALB
            groups.append((svc.name, d.alb if on_alb else d.nlb, d.target_groups[svc.name],
                           "AWS/ApplicationELB" if on_alb else "AWS/NetworkELB"))
        if d.accelerator_alb is not None:
            groups += [(f"{n}-ga", d.accelerator_alb, tg, "AWS/ApplicationELB")
                       for n, tg in d.accelerator_target_groups.items()]
        if d.endpoint_nlb is not None and d.endpoint_target_group is not None:
            groups.append(("endpoint", d.endpoint_nlb, d.endpoint_target_group, "AWS/NetworkELB"))
        for label, lb, tg, namespace in groups:
            dims = {"LoadBalancer": lb.arn_suffix, "TargetGroup": tg.arn_suffix}
            self._alarm(f"{label}-unhealthy-targets", f"{label}: {t.unhealthy_hosts} or more unhealthy targets",
                        Metric(namespace, "UnHealthyHostCount", dims, "Maximum"), t.unhealthy_hosts,
                        "GreaterThanOrEqualToThreshold", evaluations=3, datapoints=2)
        if d.accelerator_alb is not None:
            for name, tg in d.accelerator_target_groups.items():
                self._alarm(f"{name}-accelerator-endpoint", f"{name}: the accelerator's endpoint in "
                            f"{self.ctx.region} has no healthy target (Global Accelerator routes around the region)",
                            Metric("AWS/ApplicationELB", "HealthyHostCount",
                                   {"LoadBalancer": d.accelerator_alb.arn_suffix, "TargetGroup": tg.arn_suffix},
                                   "Minimum"), 1, "LessThanThreshold", evaluations=2, datapoints=2,
                            missing="breaching")

    def _service_alarms(self, d: DeliveryTier) -> None:
        t = self.thresholds
        for name, service in d.ecs_services.items():
            if name in d.waiting:
                continue  # runs no task yet: nothing to measure, and desired 0 is not degraded
            dims = {"ClusterName": d.cluster.name, "ServiceName": service.name}
            self._alarm(f"{name}-cpu", f"{name}: CPU above {t.service_cpu_percent:g}%",
                        Metric("AWS/ECS", "CPUUtilization", dims), t.service_cpu_percent, "GreaterThanThreshold")
            self._alarm(f"{name}-memory", f"{name}: memory above {t.service_memory_percent:g}%",
                        Metric("AWS/ECS", "MemoryUtilization", dims), t.service_memory_percent,
                        "GreaterThanThreshold")
            self._math_alarm(
                f"{name}-tasks-missing", f"{name}: fewer tasks running than desired for 5 minutes", [
                    self._query("running", Metric("ECS/ContainerInsights", "RunningTaskCount", dims)),
                    self._query("desired", Metric("ECS/ContainerInsights", "DesiredTaskCount", dims)),
                    {"id": "missing", "expression": "desired - running", "label": "tasks missing",
                     "return_data": True}],
                0, "GreaterThanThreshold", evaluations=5, datapoints=5)

    # --- data ---------------------------------------------------------------------------------------------------

    def _data_alarms(self) -> None:
        data, t = self.args.data, self.thresholds
        if data is None:
            return
        if data.database is not None:
            dims = {"DBInstanceIdentifier": data.database.identifier}
            self._alarm("database-cpu", f"Database CPU above {t.database_cpu_percent:g}%",
                        Metric("AWS/RDS", "CPUUtilization", dims), t.database_cpu_percent, "GreaterThanThreshold")
            self._alarm("database-free-storage", f"Database free storage below {t.database_free_storage_gib:g} GiB",
                        Metric("AWS/RDS", "FreeStorageSpace", dims, "Minimum"), t.database_free_storage_gib * GIB,
                        "LessThanThreshold", missing="breaching")
            self._alarm("database-connections", f"More than {t.database_connections} database connections",
                        Metric("AWS/RDS", "DatabaseConnections", dims, "Maximum"), t.database_connections,
                        "GreaterThanThreshold")
            if self.ctx.role is Role.SECONDARY:
                self._alarm("database-replica-lag", f"The read replica lags the writer by more than "
                            f"{t.replica_lag_seconds:g} s", Metric("AWS/RDS", "ReplicaLag", dims, "Maximum"),
                            t.replica_lag_seconds, "GreaterThanThreshold")
        table = {"TableName": self.ctx.settings.sessions_table_name}
        for kind in ("Read", "Write"):
            self._alarm(f"sessions-{kind.lower()}-throttles", f"The sessions table throttles {kind.lower()}s",
                        Metric("AWS/DynamoDB", f"{kind}ThrottleEvents", table, "Sum"), 0, "GreaterThanThreshold",
                        evaluations=5, datapoints=2)
        for region in data.sessions_replica_regions:
            self._alarm(f"sessions-replication-{region}", f"Session writes reach {region} more than "
                        f"{t.table_replication_ms:g} ms late",
                        Metric("AWS/DynamoDB", "ReplicationLatency", {**table, "ReceivingRegion": region}),
                        t.table_replication_ms, "GreaterThanThreshold")
        destination = data.replication_destination
        if destination is not None:
            rule, bucket = destination
            replicated: dict[str, pulumi.Input[str]] = {"SourceBucket": data.images_bucket_name,
                                                        "DestinationBucket": bucket, "RuleId": rule}
            self._alarm("images-replication-latency", f"Product images reach the other region more than "
                        f"{t.bucket_replication_seconds:g} s late",
                        Metric("AWS/S3", "ReplicationLatency", replicated, "Maximum"), t.bucket_replication_seconds,
                        "GreaterThanThreshold")
            self._alarm("images-replication-failed", "Product images fail to replicate to the other region",
                        Metric("AWS/S3", "OperationsFailedReplication", replicated, "Sum"), 0, "GreaterThanThreshold",
                        evaluations=5, datapoints=1)

    # --- network ------------------------------------------------------------------------------------------------

    def _network_alarms(self) -> None:
        t, network = self.thresholds, self.args.network
        for zone, nat in network.nat_gateways.items():
            dims = {"NatGatewayId": nat.id}
            self._alarm(f"nat-{zone}-port-allocation", f"The NAT gateway in {zone} cannot allocate source ports",
                        Metric("AWS/NATGateway", "ErrorPortAllocation", dims, "Sum"), 0, "GreaterThanThreshold",
                        evaluations=5, datapoints=1)
            self._alarm(f"nat-{zone}-dropped", f"The NAT gateway in {zone} drops more than "
                        f"{t.dropped_packets_per_minute} packets a minute",
                        Metric("AWS/NATGateway", "PacketsDropCount", dims, "Sum"), t.dropped_packets_per_minute,
                        "GreaterThanThreshold")
        links = self.args.links
        if links is None:
            return
        tgw = {"TransitGateway": links.transit_gateway.id}
        self._math_alarm(
            "tgw-dropped", f"The Transit Gateway drops more than {t.dropped_packets_per_minute} packets a minute "
            f"(no route, or a blackhole)", [
                self._query("noroute", Metric("AWS/TransitGateway", "PacketDropCountNoRoute", tgw, "Sum")),
                self._query("blackhole", Metric("AWS/TransitGateway", "PacketDropCountBlackhole", tgw, "Sum")),
                {"id": "dropped", "expression": "FILL(noroute, 0) + FILL(blackhole, 0)", "label": "dropped",
                 "return_data": True}],
            t.dropped_packets_per_minute, "GreaterThanThreshold")
        for site, vpn_id in links.vpn_connection_ids.items():
            self._alarm(f"vpn-{site}-tunnel-down", f"A tunnel of the {site} VPN is down: no redundancy left",
                        Metric("AWS/VPN", "TunnelState", {"VpnId": vpn_id}, "Minimum", 300), 1, "LessThanThreshold",
                        evaluations=3, datapoints=3, missing="breaching")

    # --- edge (primary) -----------------------------------------------------------------------------------------

    def _edge_alarms(self) -> None:
        edge, t = self.args.edge, self.thresholds
        if edge is None:
            return
        for region, check in edge.health_checks.items():
            # Moved from the edge tier, where it hung under its health check.
            self._alarm(f"health-{region}", f"{region}: Route 53 sees the region unhealthy (customers fail over)",
                        Metric("AWS/Route53", "HealthCheckStatus", {"HealthCheckId": check.id}, "Minimum"), 1,
                        "LessThanThreshold", evaluations=1, datapoints=1, missing="breaching")
        self._math_alarm(
            "cloudfront-5xx-rate", f"CloudFront answers more than {t.cloudfront_5xx_percent:g}% of requests with 5XX",
            [self._query("rate", Metric("AWS/CloudFront", "5xxErrorRate",
                                        {"DistributionId": edge.distribution.id, "Region": "Global"}), returned=True)],
            t.cloudfront_5xx_percent, "GreaterThanThreshold")

    def _composites(self) -> None:
        """One page for checkout degraded: its latency, the ALB's 5XX share or unhealthy checkout targets."""
        d = self.args.delivery
        if d is None:
            return
        checkout = next((s.name for s in d.settings.services if s.accelerated), None) or "checkout"
        members = [n for n in self.alarms if n.startswith(f"{checkout}-latency-")]
        members += [n for n in ("alb-5xx-rate", f"{checkout}-unhealthy-targets") if n in self.alarms]
        if not members:
            return
        rule = " OR ".join(f'ALARM("{self.ctx.name(n)}")' for n in members)
        aws.cloudwatch.CompositeAlarm(
            "checkout-degraded", alarm_name=self.ctx.name("checkout-degraded"), alarm_rule=rule,
            alarm_description=f"Checkout is degraded: {', '.join(members)}",
            alarm_actions=[self.topic.arn], ok_actions=[self.topic.arn], tags=self.tags("checkout-degraded"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.alarms[n] for n in members]))

    # --- flow-log analysis --------------------------------------------------------------------------------------

    def _flow_log_analysis(self) -> dict[str, aws.cloudwatch.LogMetricFilter]:
        """Metric filters on the VPC's flow logs, each watched by an alarm; the Transit Gateway's flow logs; saved
        Logs Insights queries."""
        network, t = self.args.network, self.thresholds
        group = network.flow_log_group
        databases = [str(g.block) for g in network.settings.groups(SubnetType.ISOLATED)]
        # Its readers: the application tier, the database tier itself (a Multi-AZ pair), analytics where it reads.
        readers = [str(g.block) for g in network.settings.groups(SubnetType.PRIVATE)] + databases
        analytics = self.ctx.settings.analytics
        if analytics is not None and analytics.database_reads:
            readers += [str(w.block) for w in analytics.workloads]
        patterns = {
            "rejected": (flowlogs.rejected_pattern(), t.rejected_flows_per_5_minutes,
                         "Rejected flows (a scan, or a rule that breaks something)"),
            "database-intrusion": (flowlogs.database_intrusion_pattern(databases, readers), 1,
                                   "Traffic into the database tier from something other than its readers"),
            "unused-ports": (flowlogs.unused_ports_pattern(list(self.settings.flow_logs.unused_ports)), 1,
                             "Connection attempts to ports nothing in SecureCart listens on"),
        }
        filters: dict[str, aws.cloudwatch.LogMetricFilter] = {}
        sources = {label: group for label in patterns}
        if self.args.analytics is not None:
            # The analytics VPC's own flow logs: rejected traffic there is a scan or a broken flow too.
            patterns["analytics-rejected"] = (flowlogs.rejected_pattern(), t.rejected_flows_per_5_minutes,
                                              "Rejected flows in the analytics VPC")
            sources["analytics-rejected"] = self.args.analytics.network.flow_log_group
        for label, (pattern, threshold, description) in patterns.items():
            metric = f"{self.ctx.environment}-{label}"
            filters[label] = aws.cloudwatch.LogMetricFilter(
                f"flow-{label}", name=self.ctx.name(f"flow-{label}"), log_group_name=sources[label].name,
                pattern=pattern,
                metric_transformation={"name": metric, "namespace": FLOW_NAMESPACE, "value": "1",
                                       "default_value": "0", "unit": "Count"},
                opts=self.child)
            # The metric appears with the filter's first match (default 0 until then): nothing to wait for.
            self._alarm(f"flow-{label}", description, Metric(FLOW_NAMESPACE, metric, {}, "Sum", 300),
                        threshold, "GreaterThanOrEqualToThreshold", evaluations=1, datapoints=1)
        self._transit_gateway_flow_logs()
        for label, query in flowlogs.insights_queries(databases).items():
            aws.cloudwatch.QueryDefinition(
                f"query-{label}", name=f"securecart/{self.ctx.environment}/{label}", query_string=query,
                log_group_names=[group.name], opts=self.child)
        return filters

    def _transit_gateway_flow_logs(self) -> None:
        links = self.args.links
        if links is None or not self.settings.flow_logs.transit_gateway_flow_logs:
            return
        network = self.args.network
        group = aws.cloudwatch.LogGroup(
            "tgw-flow-logs", name=f"/securecart/{self.ctx.environment}/{self.ctx.region}/tgw-flow-logs",
            retention_in_days=network.settings.flow_logs.retention_days, kms_key_id=network.logs_key.arn,
            tags=self.tags("tgw-flow-logs"), opts=self.child)
        role = aws.iam.Role(
            "tgw-flow-logs-role",
            description="Lets VPC Flow Logs write the Transit Gateway's flow records, nothing else",
            assume_role_policy=pulumi.Output.all(self.ctx.region, self.ctx.account_id, self.ctx.partition).apply(
                lambda v: flow_logs_trust_policy(v[0], v[1], v[2])),
            tags=self.tags("tgw-flow-logs-role"), opts=self.child)
        writes = aws.iam.RolePolicy("tgw-flow-logs-role-policy", role=role.id,
                                    policy=group.arn.apply(flow_logs_role_policy), opts=options(role))
        # Transit Gateway flow logs take no traffic type (they record everything) and aggregate over 60 s only.
        aws.ec2.FlowLog(
            "tgw-flow-log", transit_gateway_id=links.transit_gateway.id,
            log_destination_type="cloud-watch-logs", log_destination=group.arn, iam_role_arn=role.arn,
            max_aggregation_interval=60, tags=self.tags("tgw-flow-log"),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[writes]))

    # --- X-Ray --------------------------------------------------------------------------------------------------

    def _xray(self) -> None:
        """Sampling rules (the configured services first, the partners' API, then a default), groups for slow
        payment calls and faults with insights, and the traces' key."""
        x, d = self.settings.xray, self.args.delivery
        ident = pulumi.Output.all(self.ctx.account_id, self.ctx.region, self.ctx.partition)
        key = aws.kms.Key(
            "xray-key", description=f"SecureCart {self.ctx.environment} {self.ctx.region}: X-Ray trace encryption",
            enable_key_rotation=True, deletion_window_in_days=30,
            policy=ident.apply(lambda v: xray_key_policy(v[0], v[1], v[2])),
            tags=self.tags("xray-key"), opts=pulumi.ResourceOptions(parent=self, protect=True))
        # The region's one encryption setting (not protected: it is a setting, the key is what holds the data).
        # X-Ray uses the key through a grant made by the deployer's PutEncryptionConfig: the tasks need no key
        # permission to send segments; whoever reads traces needs kms:Decrypt on it.
        encryption = aws.xray.EncryptionConfig("xray-encryption", type="KMS", key_id=key.arn, opts=self.child)
        services = [s.name for s in d.settings.services] if d is not None else []
        for priority, name in enumerate([n for n in services if n in x.sampling_rates], start=100):
            self._sampling_rule(f"{name}", priority, x.sampling_rates[name], service_name=name,
                                depends=[encryption])
        if self.args.partners is not None:
            stage = self.args.partners.stage
            self._sampling_rule("partners-api", 200, x.default_rate,
                                service_name=pulumi.Output.concat(self.args.partners.api.name, "/",
                                                                  stage.stage_name),
                                service_type="AWS::ApiGateway::Stage", depends=[encryption])
        self._sampling_rule("default", 9000, x.default_rate, service_name="*", depends=[encryption])
        # The payment service's own response time (duration would count a slow caller's whole request).
        groups = {"slow-payments": f'service("payment") {{ responsetime > {x.slow_payment_seconds:g} }}',
                  "faults": "fault = true"}
        for label, expression in groups.items():
            aws.xray.Group(
                f"xray-{label}", group_name=self.ctx.name(label), filter_expression=expression,
                insights_configuration={"insights_enabled": True, "notifications_enabled": True},
                tags=self.tags(f"xray-{label}"), opts=pulumi.ResourceOptions(parent=self, depends_on=[encryption]))

    def _sampling_rule(self, label: str, priority: int, rate: float, *, service_name: pulumi.Input[str],
                       service_type: str = "*", depends: list[pulumi.Resource]) -> None:
        aws.xray.SamplingRule(
            f"xray-{label}", rule_name=f"{self.ctx.environment}-{label}"[:32], priority=priority, fixed_rate=rate,
            reservoir_size=self.settings.xray.reservoir_per_second, service_name=service_name,
            service_type=service_type, host="*", http_method="*", url_path="*", resource_arn="*", version=1,
            tags=self.tags(f"xray-{label}"), opts=pulumi.ResourceOptions(parent=self, depends_on=depends))

    # --- dashboards ---------------------------------------------------------------------------------------------

    def _dashboards(self) -> list[aws.cloudwatch.Dashboard]:
        """The region's checkout path, and in the primary the global view."""
        boards = [aws.cloudwatch.Dashboard(
            "dashboard", dashboard_name=self.ctx.name(f"checkout-{self.ctx.region}"),
            dashboard_body=dashboards.checkout_path(self.ctx.region, self.args,
                                                    [a.arn for a in self.alarms.values()]), opts=self.child)]
        if self.args.edge is not None:
            boards.append(aws.cloudwatch.Dashboard(
                "global-dashboard", dashboard_name=self.ctx.name("global"),
                dashboard_body=dashboards.global_view(self.ctx.region, self.args), opts=self.child))
        return boards
