"""The monitoring tier's dashboards as CloudWatch dashboard bodies: widgets that name the stack's own resources.

- ``checkout_path``: one per region, along the way a checkout request travels: the edge (primary: CloudFront, the
  health checks), the ALB and its web ACL, the services' latency and capacity, the database and the sessions table,
  the network (NAT, Transit Gateway), and the state of every alarm.
- ``global_view``: the primary's: each region's health check, CloudFront, the accelerator (its metrics live in
  us-west-2), the checkout endpoints behind it, and replication across the regions.

A body is an ``Output`` of JSON: the widgets hold outputs (ARN suffixes, IDs, names) and are resolved as a whole.
"""

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi

from components.settings.delivery import LoadBalancerKind
from components.settings.types import Role

if TYPE_CHECKING:
    from components.monitoring import MonitoringTierArgs

WIDTH = 12  # two widgets a row (a dashboard is 24 units wide)
Line = list[Any]  # one metric line of a widget: namespace, metric, dimension name, value, …, options


def _widget(title: str, region: str, metrics: Sequence[Line], *, stat: str = "Sum", period: int = 60) -> dict[str, Any]:
    return {"type": "metric", "width": WIDTH, "height": 6,
            "properties": {"title": title, "region": region, "metrics": list(metrics), "stat": stat,
                           "period": period, "view": "timeSeries"}}


def _body(widgets: Sequence[dict[str, Any]]) -> pulumi.Output[str]:
    """The dashboard JSON once every output in the widgets is known (positions in reading order)."""
    placed, x, y = [], 0, 0
    for w in widgets:
        width, height = int(w.get("width", WIDTH)), int(w.get("height", 6))
        if x + width > 24:  # a new row: a full-width widget never shares one
            x, y = 0, y + height
        placed.append({**w, "x": x, "y": y})
        x += width
        if x >= 24:
            x, y = 0, y + height
    return pulumi.Output.from_input(placed).apply(lambda ws: json.dumps({"widgets": ws}, sort_keys=True))


def checkout_path(region: str, args: "MonitoringTierArgs", alarm_arns: Sequence[pulumi.Input[str]]) \
        -> pulumi.Output[str]:
    d, data, links, edge = args.delivery, args.data, args.links, args.edge
    widgets: list[dict[str, Any]] = []
    if edge is not None:
        widgets.append(_widget("CloudFront: requests and 5XX rate", "us-east-1", [
            ["AWS/CloudFront", "Requests", "DistributionId", edge.distribution.id, "Region", "Global"],
            ["AWS/CloudFront", "5xxErrorRate", "DistributionId", edge.distribution.id, "Region", "Global",
             {"stat": "Average", "yAxis": "right"}]]))
    if d is not None:
        alb = ["LoadBalancer", d.alb.arn_suffix]
        widgets.append(_widget("ALB: requests and 5XX", region, [
            ["AWS/ApplicationELB", "RequestCount", *alb],
            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", *alb],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", *alb]]))
        widgets.append(_widget("ALB web ACL: blocked requests", region, [
            ["AWS/WAFV2", "BlockedRequests", "WebACL", d.web_acl_metric_name, "Region", region, "Rule", "ALL"]]))
        latency: list[Line] = []
        for svc in d.settings.services:
            if svc.load_balancer is LoadBalancerKind.ALB:
                for stat in ("p99", "p50"):
                    latency.append(["AWS/ApplicationELB", "TargetResponseTime", *alb, "TargetGroup",
                                    d.target_groups[svc.name].arn_suffix,
                                    {"stat": stat, "label": f"{svc.name} {stat}"}])
        widgets.append(_widget("Response time by service", region, latency, stat="p99"))
        capacity: list[Line] = []
        for name, service in d.ecs_services.items():
            capacity.append(["AWS/ECS", "CPUUtilization", "ClusterName", d.cluster.name, "ServiceName", service.name,
                             {"label": f"{name} CPU"}])
            capacity.append(["AWS/ECS", "MemoryUtilization", "ClusterName", d.cluster.name, "ServiceName",
                             service.name, {"label": f"{name} memory"}])
        widgets.append(_widget("Services: CPU and memory", region, capacity, stat="Average"))
    if data is not None:
        if data.database is not None:
            db = ["DBInstanceIdentifier", data.database.identifier]
            lines: list[Line] = [["AWS/RDS", "CPUUtilization", *db], ["AWS/RDS", "DatabaseConnections", *db,
                                                                     {"yAxis": "right"}]]
            if args.network.ctx.role is Role.SECONDARY:
                lines.append(["AWS/RDS", "ReplicaLag", *db, {"yAxis": "right"}])
            widgets.append(_widget("Database", region, lines, stat="Average"))
        table = ["TableName", args.network.ctx.settings.sessions_table_name]
        widgets.append(_widget("Sessions table: throttles", region, [
            ["AWS/DynamoDB", "ReadThrottleEvents", *table], ["AWS/DynamoDB", "WriteThrottleEvents", *table]]))
    network: list[Line] = [["AWS/NATGateway", "PacketsDropCount", "NatGatewayId", nat.id, {"label": f"NAT {zone}"}]
                           for zone, nat in args.network.nat_gateways.items()]
    if links is not None:
        network += [["AWS/TransitGateway", m, "TransitGateway", links.transit_gateway.id]
                    for m in ("PacketDropCountNoRoute", "PacketDropCountBlackhole")]
    if network:
        widgets.append(_widget("Network: dropped packets", region, network))
    widgets.append({"type": "alarm", "width": 24, "height": 6,
                    "properties": {"title": "Every alarm of the stack", "alarms": list(alarm_arns)}})
    return _body(widgets)


def global_view(region: str, args: "MonitoringTierArgs") -> pulumi.Output[str]:
    edge, data = args.edge, args.data
    widgets: list[dict[str, Any]] = []
    if edge is not None:
        widgets.append(_widget("Route 53: each region's health", region, [
            ["AWS/Route53", "HealthCheckStatus", "HealthCheckId", check.id, {"label": name}]
            for name, check in edge.health_checks.items()], stat="Minimum"))
        widgets.append(_widget("CloudFront: requests and 5XX rate", "us-east-1", [
            ["AWS/CloudFront", "Requests", "DistributionId", edge.distribution.id, "Region", "Global"],
            ["AWS/CloudFront", "5xxErrorRate", "DistributionId", edge.distribution.id, "Region", "Global",
             {"stat": "Average", "yAxis": "right"}]]))
        accelerator = edge.accelerator.id.apply(lambda arn: arn.split("/")[-1])
        widgets.append(_widget("Global Accelerator: new flows (us-west-2)", "us-west-2", [
            ["AWS/GlobalAccelerator", "NewFlowCount", "Accelerator", accelerator]]))
    d = args.delivery
    if d is not None and d.accelerator_alb is not None:
        widgets.append(_widget("Checkout endpoints behind the accelerator: healthy targets", region, [
            ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", d.accelerator_alb.arn_suffix, "TargetGroup",
             tg.arn_suffix, {"label": name}] for name, tg in d.accelerator_target_groups.items()], stat="Minimum"))
    if data is not None:
        table = args.network.ctx.settings.sessions_table_name
        replication: list[Line] = [["AWS/DynamoDB", "ReplicationLatency", "TableName", table, "ReceivingRegion", r,
                                    {"label": f"sessions to {r}"}] for r in data.sessions_replica_regions]
        if data.replication_destination is not None:
            rule, bucket = data.replication_destination
            replication.append(["AWS/S3", "ReplicationLatency", "SourceBucket", data.images_bucket_name,
                                "DestinationBucket", bucket, "RuleId", rule, {"label": "images"}])
        if replication:
            widgets.append(_widget("Replication latency", region, replication, stat="Maximum"))
    return _body(widgets)
