"""The monitoring tier as synthesized from the real program and stack files: the alarm topic, its key and policy;
every alarm's metric, statistic, threshold and dimensions bound to a resource of the stack, with actions on ALARM and
OK; the composite; X-Ray's sampling rules, groups and encryption; the flow-log metric filters and their alarms; the
dashboards' widgets; and the refusals of bad monitoring settings."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from automation.project import Project
from automation.synth import StackResult, SynthRun
from components import flowlogs
from components.settings.loader import parse_settings
from components.settings.monitoring import MonitoringSettings
from tests.conftest import Graph, assert_refused, policy_doc
from tests.cw_filter import matches

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
TOPIC = "aws:sns/topic:Topic"
KEY = "aws:kms/key:Key"
TG = "aws:lb/targetGroup:TargetGroup"
LB = "aws:lb/loadBalancer:LoadBalancer"
FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
SAMPLING = "aws:xray/samplingRule:SamplingRule"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"

# Dimension values that are not a resource's: the region, WAF's "every rule", CloudFront's global region.
CONSTANTS = {"ALL", "Global", "us-east-1", "eu-west-1"}


def settings_of(project: Project, stack: str) -> MonitoringSettings:
    return parse_settings(project.read_stack(stack).values).monitoring


def alarms(graph: Graph) -> dict[str, dict[str, Any]]:
    return {a.name: a.inputs for a in graph.of_type(ALARM)}


def stack_values(stack: StackResult) -> set[str]:
    """Every string a resource of the stack holds (its ID, inputs and outputs): what a dimension may name."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for r in stack.resources:
        if r.type in (ALARM, COMPOSITE, DASHBOARD):
            continue  # an alarm naming itself proves nothing
        found.add(r.id)
        walk(r.inputs)
        walk(r.outputs)
    return found


def dimensions_of(alarm: dict[str, Any]) -> Iterator[tuple[str, str]]:
    yield from (alarm.get("dimensions") or {}).items()
    for q in alarm.get("metricQueries") or []:
        yield from ((q.get("metric") or {}).get("dimensions") or {}).items()


# --- alarm routing ----------------------------------------------------------------------------------------------------

def test_the_topic_is_encrypted_its_policy_admits_only_cloudwatch_over_tls(graph: Graph, stack: StackResult,
                                                                         project: Project) -> None:
    topic, key = graph.one(TOPIC, "alarms"), graph.one(KEY, "alarms-key")
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"] and key.protect
    assert key.inputs["enableKeyRotation"] is True
    policy = policy_doc(graph.one("aws:sns/topicPolicy:TopicPolicy", "alarms-policy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert set(by_sid) == {"CloudWatchAlarmsPublish", "DenyInsecureTransport"}
    publish = by_sid["CloudWatchAlarmsPublish"]
    assert (publish["Effect"], publish["Principal"], publish["Action"]) == \
        ("Allow", {"Service": "cloudwatch.amazonaws.com"}, "sns:Publish")
    assert publish["Resource"] == topic.outputs["arn"]
    assert publish["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{stack.region}:123456789012:alarm:*"}}
    deny = by_sid["DenyInsecureTransport"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "sns:*")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # The key: CloudWatch of this account and region may use it to publish, nothing else of outside.
    statements = {s["Sid"]: s for s in policy_doc(key.inputs["policy"])["Statement"]}
    assert statements["CloudWatchAlarmsPublish"]["Condition"] == publish["Condition"]
    subs = sorted((s.inputs["protocol"], s.inputs["endpoint"], s.inputs["topic"])
                  for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription"))
    wanted = sorted((s.protocol, s.endpoint, topic.outputs["arn"]) for s in settings_of(project, stack.stack)
                    .subscriptions)
    assert subs == wanted and any(p == "https" for p, _, _ in subs)
    # Nobody here confirms the placeholders by themselves: the deploy does not wait for them.
    assert all(s.inputs["endpointAutoConfirms"] is False
               for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription"))
    assert stack.outputs["alarmTopicArn"] == topic.outputs["arn"]


def test_every_alarm_notifies_the_topic_on_alarm_and_ok(graph: Graph, stack: StackResult) -> None:
    topic = graph.one(TOPIC, "alarms").outputs["arn"]
    every = [*graph.of_type(ALARM), *graph.of_type(COMPOSITE)]
    assert len(every) > 40
    for a in every:
        assert a.inputs["alarmActions"] == [topic] and a.inputs["okActions"] == [topic], a.name
        assert a.inputs.get("actionsEnabled", True) is True
        assert (a.inputs.get("name") or a.inputs["alarmName"]) == f"securecart-prod-{a.name}"
    assert sorted(stack.outputs["alarmNames"]) == sorted(f"securecart-prod-{a.name}" for a in graph.of_type(ALARM))
    # Every alarm of the stack is the monitoring tier's: one place to read them.
    assert all("securecart:monitoring:MonitoringTier" in a.parent or a.parent.endswith("::monitoring")
               for a in every)


def test_every_dimension_names_a_resource_of_the_stack(graph: Graph, stack: StackResult) -> None:
    values = stack_values(stack)
    for name, alarm in alarms(graph).items():
        for dim, value in dimensions_of(alarm):
            assert value in values or value in CONSTANTS, f"{name}: {dim}={value} names nothing in {stack.stack}"


# --- what each alarm watches ------------------------------------------------------------------------------------------

def test_checkout_latency_at_each_percentile_on_the_checkout_target_group(graph: Graph, stack: StackResult,
                                                                         project: Project) -> None:
    t = settings_of(project, stack.stack).thresholds
    a = alarms(graph)
    alb = graph.one(LB, "alb").outputs["arnSuffix"]
    for svc in ("checkout", "storefront"):
        tg = graph.one(TG, f"{svc}-tg").outputs["arnSuffix"]
        for target in t.checkout_latency:
            alarm = a[f"{svc}-latency-{target.percentile}"]
            assert (alarm["namespace"], alarm["metricName"], alarm["extendedStatistic"], alarm["threshold"]) == \
                ("AWS/ApplicationELB", "TargetResponseTime", target.percentile, target.seconds)
            assert alarm["dimensions"] == {"LoadBalancer": alb, "TargetGroup": tg}
            assert alarm["comparisonOperator"] == "GreaterThanThreshold" and "statistic" not in alarm
    assert {x.percentile for x in t.checkout_latency} == {"p99", "p50"}


def test_abnormal_traffic_band_and_waf_blocks(graph: Graph, stack: StackResult, project: Project) -> None:
    t = settings_of(project, stack.stack).thresholds
    a = alarms(graph)
    alb = graph.one(LB, "alb").outputs["arnSuffix"]
    band = a["alb-traffic-anomaly"]
    assert band["thresholdMetricId"] == "band"
    assert band["comparisonOperator"] == "LessThanLowerOrGreaterThanUpperThreshold"
    queries = {q["id"]: q for q in band["metricQueries"]}
    assert queries["band"]["expression"] == f"ANOMALY_DETECTION_BAND(requests, {t.anomaly_band:g})"
    assert queries["requests"]["metric"]["dimensions"] == {"LoadBalancer": alb}
    assert queries["requests"]["metric"]["metricName"] == "RequestCount"
    waf = a["alb-waf-blocked"]
    acl = graph.one("aws:wafv2/webAcl:WebAcl", "alb-waf")
    assert (waf["namespace"], waf["metricName"], waf["statistic"], waf["threshold"]) == \
        ("AWS/WAFV2", "BlockedRequests", "Sum", t.waf_blocked_per_minute)
    # WAF publishes under the web ACL's metric name (its visibility config), not its name.
    assert waf["dimensions"] == {"WebACL": acl.inputs["visibilityConfig"]["metricName"], "Region": stack.region,
                                 "Rule": "ALL"}
    assert waf["dimensions"]["WebACL"] != acl.outputs["name"]


def test_the_5xx_share_is_metric_math_over_the_request_count(graph: Graph, stack: StackResult,
                                                            project: Project) -> None:
    rate = alarms(graph)["alb-5xx-rate"]
    queries = {q["id"]: q for q in rate["metricQueries"]}
    assert queries["rate"]["expression"] == "100 * (FILL(elb, 0) + FILL(targets, 0)) / requests"
    assert queries["rate"]["returnData"] is True and not queries["requests"]["returnData"]
    assert {i: q["metric"]["metricName"] for i, q in queries.items() if "metric" in q} == {
        "elb": "HTTPCode_ELB_5XX_Count", "targets": "HTTPCode_Target_5XX_Count", "requests": "RequestCount"}
    assert rate["threshold"] == settings_of(project, stack.stack).thresholds.alb_5xx_percent


def test_every_target_group_has_an_unhealthy_targets_alarm_on_its_own_balancer(graph: Graph) -> None:
    a = alarms(graph)
    by_suffix = {lb.outputs["arnSuffix"]: lb for lb in graph.of_type(LB)}
    watched = {}
    for name, alarm in a.items():
        if alarm.get("metricName") == "UnHealthyHostCount":
            lb = by_suffix[alarm["dimensions"]["LoadBalancer"]]
            namespace = "AWS/ApplicationELB" if lb.inputs["loadBalancerType"] == "application" else "AWS/NetworkELB"
            assert alarm["namespace"] == namespace, name
            watched[alarm["dimensions"]["TargetGroup"]] = lb
    groups = [tg for tg in graph.of_type(TG) if tg.inputs.get("protocol") != "GENEVE"]
    assert sorted(watched) == sorted(tg.outputs["arnSuffix"] for tg in groups)
    # Each target group is watched on the balancer that serves it.
    for tg in groups:
        lbs = [a for a in graph.of_type("aws:lb/listener:Listener")
               if tg.outputs["arn"] in json.dumps(a.inputs.get("defaultActions", []))]
        rules = [r for r in graph.of_type("aws:lb/listenerRule:ListenerRule") if tg.outputs["arn"] in json.dumps(
            r.inputs.get("actions", []))]
        arns = {x.inputs["loadBalancerArn"] for x in lbs} | {
            graph.by_id[r.inputs["listenerArn"]].inputs["loadBalancerArn"] for r in rules}
        assert watched[tg.outputs["arnSuffix"]].outputs["arn"] in arns, tg.name


def test_services_cpu_memory_and_missing_tasks(graph: Graph, stack: StackResult, project: Project) -> None:
    t = settings_of(project, stack.stack).thresholds
    a = alarms(graph)
    cluster = graph.one("aws:ecs/cluster:Cluster", "cluster").outputs["name"]
    for service in graph.of_type("aws:ecs/service:Service"):
        name = service.inputs["name"]
        dims = {"ClusterName": cluster, "ServiceName": name}
        assert (a[f"{name}-cpu"]["metricName"], a[f"{name}-cpu"]["threshold"], a[f"{name}-cpu"]["dimensions"]) == \
            ("CPUUtilization", t.service_cpu_percent, dims)
        assert (a[f"{name}-memory"]["metricName"], a[f"{name}-memory"]["threshold"]) == \
            ("MemoryUtilization", t.service_memory_percent)
        missing = {q["id"]: q for q in a[f"{name}-tasks-missing"]["metricQueries"]}
        assert missing["missing"]["expression"] == "desired - running"
        assert missing["running"]["metric"]["dimensions"] == missing["desired"]["metric"]["dimensions"] == dims


def test_data_alarms_name_the_database_table_and_bucket(graph: Graph, stack: StackResult, project: Project) -> None:
    t = settings_of(project, stack.stack).thresholds
    a = alarms(graph)
    (db,) = graph.of_type("aws:rds/instance:Instance")
    dims = {"DBInstanceIdentifier": db.inputs["identifier"]}
    assert (a["database-cpu"]["threshold"], a["database-cpu"]["dimensions"]) == (t.database_cpu_percent, dims)
    storage = a["database-free-storage"]
    assert (storage["metricName"], storage["comparisonOperator"], storage["threshold"]) == \
        ("FreeStorageSpace", "LessThanThreshold", t.database_free_storage_gib * 1024 ** 3)
    assert a["database-connections"]["threshold"] == t.database_connections
    # The replica's lag: the secondary only.
    assert ("database-replica-lag" in a) == (stack.stack == "prod-eu")
    if stack.stack == "prod-eu":
        assert (a["database-replica-lag"]["metricName"], a["database-replica-lag"]["threshold"]) == \
            ("ReplicaLag", t.replica_lag_seconds)
    table = {"TableName": "securecart-prod-sessions"}
    assert a["sessions-write-throttles"]["dimensions"] == a["sessions-read-throttles"]["dimensions"] == table
    if stack.stack == "prod-us":
        replication = a["sessions-replication-eu-west-1"]
        assert replication["dimensions"] == {**table, "ReceivingRegion": "eu-west-1"}
        assert replication["threshold"] == t.table_replication_ms
        images = a["images-replication-latency"]
        assert images["dimensions"] == {"SourceBucket": "securecart-prod-product-images-us-east-1",
                                        "DestinationBucket": "securecart-prod-product-images-eu-west-1",
                                        "RuleId": "images-to-eu-west-1"}
        config = graph.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "images-replication")
        assert [r["id"] for r in config.inputs["rules"]] == ["images-to-eu-west-1"]
        assert a["images-replication-failed"]["metricName"] == "OperationsFailedReplication"
    else:
        assert not [n for n in a if "replication" in n]  # replication is the primary's, one way


def test_network_alarms_per_nat_gateway_transit_gateway_and_vpn(graph: Graph, stack: StackResult) -> None:
    a = alarms(graph)
    for nat in graph.of_type("aws:ec2/natGateway:NatGateway"):
        zone = nat.name.removeprefix("nat-")
        assert a[f"nat-{zone}-port-allocation"]["dimensions"] == {"NatGatewayId": nat.id}
        assert a[f"nat-{zone}-dropped"]["metricName"] == "PacketsDropCount"
    (tgw,) = graph.of_type("aws:ec2transitgateway/transitGateway:TransitGateway")
    drops = {q["id"]: q for q in a["tgw-dropped"]["metricQueries"]}
    assert {q["metric"]["metricName"] for q in drops.values() if "metric" in q} == \
        {"PacketDropCountNoRoute", "PacketDropCountBlackhole"}
    assert all(q["metric"]["dimensions"] == {"TransitGateway": tgw.id} for q in drops.values() if "metric" in q)
    (vpn,) = graph.of_type("aws:ec2/vpnConnection:VpnConnection")
    (tunnel,) = [x for n, x in a.items() if n.startswith("vpn-")]
    assert (tunnel["metricName"], tunnel["statistic"], tunnel["dimensions"]) == ("TunnelState", "Minimum",
                                                                                 {"VpnId": vpn.id})
    assert tunnel["treatMissingData"] == "breaching"


def test_edge_alarms_are_the_primarys(synth_run: SynthRun) -> None:
    us, eu = Graph(synth_run.results["prod-us"]), Graph(synth_run.results["prod-eu"])
    a = alarms(us)
    for check in [h for h in us.of_type("aws:route53/healthCheck:HealthCheck") if h.inputs["type"] == "HTTPS"]:
        region = check.name.removeprefix("health-")
        assert a[f"health-{region}"]["dimensions"] == {"HealthCheckId": check.id}
    (distribution,) = us.of_type("aws:cloudfront/distribution:Distribution")
    (query,) = a["cloudfront-5xx-rate"]["metricQueries"]
    assert query["metric"]["dimensions"] == {"DistributionId": distribution.id, "Region": "Global"}
    assert not [n for n in alarms(eu) if n.startswith(("health-", "cloudfront-"))]


def test_checkout_degraded_pages_once_for_its_members(graph: Graph) -> None:
    (composite,) = graph.of_type(COMPOSITE)
    members = ["checkout-latency-p99", "checkout-latency-p50", "alb-5xx-rate", "checkout-unhealthy-targets"]
    assert sorted(composite.inputs["alarmRule"].split(" OR ")) == sorted(
        f'ALARM("securecart-prod-{m}")' for m in members)
    names = {a.inputs["name"]: a.urn for a in graph.of_type(ALARM)}
    assert all(names[f"securecart-prod-{m}"] in composite.dependencies for m in members)


# --- X-Ray ------------------------------------------------------------------------------------------------------------

def test_sampling_rules_trace_checkout_and_payment_more_than_browsing(graph: Graph, stack: StackResult,
                                                                     project: Project) -> None:
    x = settings_of(project, stack.stack).xray
    rules = {r.name: r.inputs for r in graph.of_type(SAMPLING)}
    assert sorted(rules) == ["xray-checkout", "xray-default", "xray-partners-api", "xray-payment"]
    assert (rules["xray-checkout"]["fixedRate"], rules["xray-payment"]["fixedRate"]) == (0.2, 0.5)
    assert rules["xray-default"]["fixedRate"] == x.default_rate < rules["xray-checkout"]["fixedRate"]
    assert rules["xray-checkout"]["serviceName"] == "checkout" and rules["xray-default"]["serviceName"] == "*"
    # Specific rules win: lower priority numbers are evaluated first, the default last.
    assert rules["xray-checkout"]["priority"] < rules["xray-partners-api"]["priority"] < \
        rules["xray-default"]["priority"]
    stage = graph.one("aws:apigateway/stage:Stage", "partners-stage")
    api = graph.one("aws:apigateway/restApi:RestApi", "partners-api")
    assert rules["xray-partners-api"]["serviceName"] == f"{api.outputs['name']}/{stage.inputs['stageName']}"
    assert rules["xray-partners-api"]["serviceType"] == "AWS::ApiGateway::Stage"
    assert stage.inputs["xrayTracingEnabled"] is True


def test_trace_groups_and_encryption(graph: Graph, stack: StackResult, project: Project) -> None:
    x = settings_of(project, stack.stack).xray
    groups = {g.name: g.inputs for g in graph.of_type("aws:xray/group:Group")}
    assert groups["xray-slow-payments"]["filterExpression"] == \
        f'service("payment") {{ responsetime > {x.slow_payment_seconds:g} }}'
    assert groups["xray-faults"]["filterExpression"] == "fault = true"
    assert all(g["insightsConfiguration"]["insightsEnabled"] for g in groups.values())
    (encryption,) = graph.of_type("aws:xray/encryptionConfig:EncryptionConfig")
    key = graph.one(KEY, "xray-key")
    assert (encryption.inputs["type"], encryption.inputs["keyId"]) == ("KMS", key.outputs["arn"])
    assert key.protect and key.inputs["enableKeyRotation"] is True and not encryption.protect
    # X-Ray uses the key through the deployer's grant: the key policy delegates to the account's IAM, nothing more.
    (admin,) = policy_doc(key.inputs["policy"])["Statement"]
    assert admin["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}


# --- flow-log analysis ------------------------------------------------------------------------------------------------

def _line(**fields: str) -> str:
    """A flow-log record in the network tier's format (components.network.FLOW_LOG_FORMAT)."""
    base = dict(version="5", account_id="123456789012", interface_id="eni-0abc", srcaddr="10.10.64.10",
                dstaddr="10.10.128.20", srcport="49152", dstport="5432", protocol="6", packets="10", bytes="840",
                start="1700000000", end="1700000060", action="ACCEPT", log_status="OK", vpc_id="vpc-0abc",
                subnet_id="subnet-0abc", az_id="use1-az1", pkt_srcaddr="10.10.64.10", pkt_dstaddr="10.10.128.20",
                tcp_flags="2", flow_direction="ingress", traffic_path="-")
    base.update(fields)
    return " ".join(base[f] for f in flowlogs.FIELDS)


def test_flow_log_filters_watch_the_network_tiers_log_group_each_with_an_alarm(graph: Graph,
                                                                              stack: StackResult) -> None:
    filters = {f.name: f.inputs for f in graph.of_type(FILTER)}
    analytics = ["flow-analytics-rejected"] if stack.stack == "prod-us" else []
    assert sorted(filters) == sorted(["flow-database-intrusion", "flow-rejected", "flow-unused-ports", *analytics])
    a = alarms(graph)
    for name, f in filters.items():
        # The analytics VPC's rejects are read from its own flow-log group.
        source = "analytics-flow-logs" if name in analytics else "flow-logs"
        assert f["logGroupName"] == graph.one("aws:cloudwatch/logGroup:LogGroup", source).inputs["name"]
        t = f["metricTransformation"]
        alarm = a[name]
        assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == (t["namespace"], t["name"], "Sum")
    app = "10.10.64.10" if stack.stack == "prod-us" else "10.20.64.10"
    db = "10.10.128.20" if stack.stack == "prod-us" else "10.20.128.20"
    intrusion = filters["flow-database-intrusion"]["pattern"]
    # The application tier on the database port: fine. A public-subnet address, or the peer region: an intrusion.
    assert not matches(intrusion, _line(srcaddr=app, dstaddr=db))
    # The database tier itself (a Multi-AZ pair in two subnets) is no intrusion either.
    assert not matches(intrusion, _line(srcaddr=db.replace(".128.", ".129."), dstaddr=db))
    assert matches(intrusion, _line(srcaddr=app.replace(".64.", ".1."), dstaddr=db))
    assert matches(intrusion, _line(srcaddr="172.16.0.9", dstaddr=db, action="REJECT"))
    # prod-us: the analytics workloads read the database over the peering.
    assert matches(intrusion, _line(srcaddr="10.30.0.9", dstaddr=db)) == (stack.stack != "prod-us")
    assert all(filters[n]["pattern"] == filters["flow-rejected"]["pattern"] for n in analytics)
    rejected, unused = filters["flow-rejected"]["pattern"], filters["flow-unused-ports"]["pattern"]
    assert matches(rejected, _line(action="REJECT")) and not matches(rejected, _line())
    assert matches(unused, _line(dstport="3389", dstaddr="10.10.0.5")) and not matches(unused, _line(dstport="443"))


def test_transit_gateway_flow_logs_and_saved_queries(graph: Graph) -> None:
    (tgw,) = graph.of_type("aws:ec2transitgateway/transitGateway:TransitGateway")
    flow = graph.one("aws:ec2/flowLog:FlowLog", "tgw-flow-log")
    assert flow.inputs["transitGatewayId"] == tgw.id and flow.inputs["maxAggregationInterval"] == 60
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", "tgw-flow-logs")
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert group.inputs["kmsKeyId"] == graph.one(KEY, "logs-key").outputs["arn"]
    assert group.inputs["retentionInDays"] >= 365
    queries = {q.name: q.inputs for q in graph.of_type("aws:cloudwatch/queryDefinition:QueryDefinition")}
    assert sorted(queries) == ["query-database-ingress", "query-rejects-by-source", "query-top-talkers"]
    vpc_logs = graph.one("aws:cloudwatch/logGroup:LogGroup", "flow-logs").inputs["name"]
    assert all(q["logGroupNames"] == [vpc_logs] and flowlogs.PARSE_COMMAND in q["queryString"]
               for q in queries.values())


# --- dashboards -------------------------------------------------------------------------------------------------------

def test_dashboards_name_only_real_resources(graph: Graph, stack: StackResult) -> None:
    values = stack_values(stack)
    boards = {d.name: json.loads(d.inputs["dashboardBody"]) for d in graph.of_type(DASHBOARD)}
    assert sorted(boards) == (["dashboard", "global-dashboard"] if stack.stack == "prod-us" else ["dashboard"])
    for name, body in boards.items():
        for widget in body["widgets"]:
            props = widget["properties"]
            for line in props.get("metrics", []):
                dims = [x for x in line[2:] if isinstance(x, str)]
                for dim, value in zip(dims[::2], dims[1::2], strict=True):
                    accelerator = dim == "Accelerator" and any(v.endswith(f"/{value}") for v in values)
                    assert value in values or value in CONSTANTS or accelerator, f"{name}: {dim}={value}"
    # No two widgets overlap (a dashboard is a 24-unit-wide grid).
    for body in boards.values():
        cells = [(w["x"] + dx, w["y"] + dy) for w in body["widgets"] for dx in range(w["width"])
                 for dy in range(w["height"])]
        assert len(cells) == len(set(cells)) and all(w["x"] + w["width"] <= 24 for w in body["widgets"])
    # The region's board walks the checkout path and shows every alarm's state.
    titles = [w["properties"]["title"] for w in boards["dashboard"]["widgets"]]
    assert titles[-1] == "Every alarm of the stack"
    alarm_arns = {a.outputs["arn"] for a in graph.of_type(ALARM)}
    assert set(boards["dashboard"]["widgets"][-1]["properties"]["alarms"]) == alarm_arns
    assert {"ALB: requests and 5XX", "Response time by service", "Services: CPU and memory", "Database"} <= \
        set(titles)
    assert stack.outputs["dashboardNames"] == [d.inputs["dashboardName"] for d in graph.of_type(DASHBOARD)]


# --- bad input --------------------------------------------------------------------------------------------------------

def _monitoring(**changes: Any) -> Callable[[str, dict[str, Any]], None]:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:monitoring"] = {**config["securecart:monitoring"], **changes}
    return edit


REFUSED = [
    ("negative seconds", _monitoring(thresholds={"replicaLagSeconds": -5}),
     "securecart:monitoring.thresholds.replicaLagSeconds: -5 is not a positive number of seconds: alarms fire above "
     "a positive threshold"),
    ("a unit in the value", _monitoring(thresholds={"replicaLagSeconds": "90s"}),
     "securecart:monitoring.thresholds.replicaLagSeconds: '90s' is not a number of seconds: write the number alone, "
     "in seconds"),
    ("a percentile that is not one", _monitoring(thresholds={"checkoutLatency": [{"percentile": "p100",
                                                                                  "seconds": 2}]}),
     "securecart:monitoring.thresholds.checkoutLatency[0].percentile: 'p100' is not a percentile: write p and a "
     "number between 0 and 100, e.g. p99 or p99.9"),
    ("a percent above 100", _monitoring(thresholds={"alb5xxPercent": 150}),
     "securecart:monitoring.thresholds.alb5xxPercent: 150 is not a percentage: use a number above 0 and at most 100"),
    ("a sampling rate above 1", _monitoring(xray={"samplingRates": {"checkout": 1.5}}),
     "securecart:monitoring.xray.samplingRates.checkout: 1.5 is above 1: a sampling rate is a fraction from 0 to 1"),
    ("a sampling rate for no service", _monitoring(xray={"samplingRates": {"chekout": 0.2}}),
     "securecart:monitoring.xray.samplingRates.chekout: not a service of securecart:delivery (known: storefront, "
     "checkout, payment, integrations)"),
    ("an email that is not one", _monitoring(subscriptions=[{"protocol": "email", "endpoint": "oncall@"}]),
     "securecart:monitoring.subscriptions[0].endpoint: 'oncall@' is not an email address (name@domain.tld)"),
    ("a webhook over http", _monitoring(subscriptions=[{"protocol": "https", "endpoint": "http://hooks.example/a"}]),
     "securecart:monitoring.subscriptions[0].endpoint: 'http://hooks.example/a' is not an HTTPS URL: a webhook "
     "must be https://host/path (SNS would send alarms in clear over http)"),
    ("autoConfirms on an email", _monitoring(subscriptions=[{"protocol": "email", "endpoint": "oncall@example.org",
                                                            "autoConfirms": True}]),
     "securecart:monitoring.subscriptions[0].autoConfirms: an email subscription is confirmed by its recipient: "
     "remove autoConfirms"),
    ("an http protocol", _monitoring(subscriptions=[{"protocol": "http", "endpoint": "http://hooks.example/a"}]),
     "securecart:monitoring.subscriptions[0].protocol: 'http' is not allowed: use 'email' or 'https'"),
]


@pytest.mark.parametrize("case", REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_monitoring_settings_exit_2_naming_the_key(
        case: tuple[str, Callable[[str, dict[str, Any]], None], str],
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, edit, message = case
    assert_refused(project_copy, tmp_path, capsys, edit, f"error: Pulumi.prod-us.yaml: {message}")


def test_delivery_alarm_email_says_where_it_moved(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    def edit(stack: str, config: dict[str, Any]) -> None:
        if stack == "prod-us":
            config["securecart:delivery"]["alarmEmail"] = "oncall@securecart.example"
    assert_refused(project_copy, tmp_path, capsys, edit,
                   "error: Pulumi.prod-us.yaml: securecart:delivery: alarmEmail moved: list the address under "
                   "securecart:monitoring.subscriptions as {protocol: email, endpoint: <address>}")
