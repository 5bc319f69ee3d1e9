"""Issue 10: what AWS would refuse or what would break on a first `pulumi up`, fixed in the program for both stacks,
and caught again by the gate when reintroduced (the real graph, with the property broken, through the real rule)."""

import copy
import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from securecart_rules import POLICIES

from automation import mocks
from automation.gate import evaluate
from automation.mocks import Registration
from automation.project import Project
from automation.synth import StackResult, SynthError, SynthRun, synth_all
from components.network import PRIVATE_RANGES, REPLY_PORTS
from components.settings.loader import parse_settings
from components.settings.types import ConfigError
from tests.conftest import STACKS, Graph, is_secret, plain, policy_doc

RULES = {p.name: p for p in POLICIES}
LB = "aws:lb/loadBalancer:LoadBalancer"
ACL = "aws:ec2/networkAcl:NetworkAcl"
ACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
ACL_ASSOC = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
SG_IN = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def broken(stack: StackResult, edit: Callable[[list[Registration]], None]) -> StackResult:
    """A copy of a synthesized stack with one property broken by ``edit``."""
    copy_ = copy.deepcopy(stack)
    edit(copy_.resources)
    return copy_


def findings(stack: StackResult, rule: str) -> list[tuple[str, str]]:
    return [(v.resource_name, v.message) for v in evaluate(stack, [RULES[rule]]) if v.policy == rule]


def named(resources: list[Registration], typ: str, name: str) -> Registration:
    (found,) = [r for r in resources if r.type == typ and r.name == name]
    return found


# --- 1. load-balancer access logs: the policy grants each prefix ----------------------------------------------

def test_the_log_bucket_grants_exactly_the_prefixes_the_load_balancers_write(stack: StackResult) -> None:
    assert findings(stack, "lb-log-prefix-writable") == []

    def old_grant(resources: list[Registration]) -> None:  # main before issue 10: <bucket>/AWSLogs/<account>/*
        policy = named(resources, "aws:s3/bucketPolicy:BucketPolicy", "lb-logs-policy")
        doc = policy_doc(policy.inputs["policy"])
        for st in doc["Statement"]:
            if st["Effect"] == "Allow" and st["Action"] == "s3:PutObject":
                st["Resource"] = [r.replace("/alb/AWSLogs/", "/AWSLogs/") for r in st["Resource"]
                                  if "/payment-nlb/" not in r]
        policy.inputs["policy"] = json.dumps(doc)

    got = findings(broken(stack, old_grant), "lb-log-prefix-writable")
    assert sorted(name for name, _ in got) == ["alb", "payment-nlb"]
    assert all("would fail with Access Denied" in message for _, message in got)


# --- 4. database credentials that a cross-region replica can share -------------------------------------------

def test_the_gate_refuses_a_replica_of_a_source_whose_password_rds_manages(synth_run: SynthRun) -> None:
    us = synth_run.results["prod-us"]
    assert findings(us, "rds-replica-source-credentials") == []
    assert findings(us, "rds-master-password-secret") == []

    def managed_with_replica(resources: list[Registration]) -> None:
        db = named(resources, "aws:rds/instance:Instance", "database")
        db.inputs["manageMasterUserPassword"] = True
        db.inputs.pop("password")
        replica = copy.deepcopy(db)
        replica.name, replica.urn = "replica", db.urn.replace("::database", "::replica")
        replica.inputs = {"replicateSourceDb": db.inputs["identifier"], "instanceClass": "db.r6g.large"}
        resources.append(replica)

    got = findings(broken(us, managed_with_replica), "rds-replica-source-credentials")
    assert [name for name, _ in got] == ["replica"]

    def password_in_config(resources: list[Registration]) -> None:
        db = named(resources, "aws:rds/instance:Instance", "database")
        db.inputs["password"] = "hunter2-from-config"
        db.property_dependencies["password"] = []

    assert [n for n, _ in findings(broken(us, password_in_config), "rds-master-password-secret")] == ["database"]


# --- 5. a fresh pair: services wait for their images -----------------------------------------------------------

@pytest.fixture(params=["empty", "repositories"])
def fresh_registry(request: pytest.FixtureRequest) -> Iterator[str]:
    """Before the first deploy (no repository), and between the plan's steps (repositories, nothing pushed)."""
    saved = mocks.OFFLINE_REGISTRY
    mocks.OFFLINE_REGISTRY = request.param
    yield str(request.param)
    mocks.OFFLINE_REGISTRY = saved


def test_a_fresh_account_starts_no_task_until_the_images_are_pushed(project: Project, fresh_registry: str) -> None:
    why = "does not exist yet (this deploy creates it)" if fresh_registry == "empty" else "holds no image yet"
    run = synth_all(project)
    # The plan's five steps converge without an image: no service's wait changes what the peer reads.
    assert run.passes == ["prod-eu", "prod-us", "prod-eu", "prod-us", "prod-eu"]
    for name in STACKS:
        result = run.results[name]
        services = result.by_type("aws:ecs/service:Service")
        assert sorted(s.name for s in services) == ["checkout-service", "integrations-service", "payment-service",
                                                    "storefront-service"]
        assert all(s.inputs["desiredCount"] == 0 for s in services)
        # a service that runs no task declares no capacity yet (the pack's capacity-covers-peak skips it)
        assert not [s.name for s in services if "securecart:peakRps" in s.inputs["tags"]]
        # no scaling target: its minimum would start tasks that cannot pull an image
        assert result.by_type("aws:appautoscaling/target:Target") == []
        waits = sorted(m for level, m in result.logs if "runs no task yet" in m)
        assert [m.split(":")[1].split()[0] for m in waits] == ["checkout", "integrations", "payment", "storefront"]
        assert all(f"{why}: push image" in m for m in waits)
        assert [v for v in evaluate(result, POLICIES) if v.level == "mandatory"] == []


def test_services_run_and_scale_once_their_images_are_there(synth_run: SynthRun) -> None:
    for name in STACKS:
        result = synth_run.results[name]
        assert sorted(s.inputs["desiredCount"] for s in result.by_type("aws:ecs/service:Service")) == [3, 3, 3, 3]
        assert len(result.by_type("aws:appautoscaling/target:Target")) == 4


def test_a_configured_tag_missing_from_an_existing_repository_stops_the_deploy(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The registry holds an older release than the one configured: the deploy stops with the key to fix instead
    # of scaling a running service down to nothing.
    real = mocks._configured_images
    monkeypatch.setattr(mocks, "_configured_images",
                        lambda: {repo: "2026.10.9" for repo in real()})
    with pytest.raises(SynthError) as err:
        synth_all(project_copy(lambda _name, _config: None))
    assert err.value.kind == "config"
    assert any(p.startswith("securecart:delivery.services[0].imageTag: 2026.11.3 is not in securecart/prod/"
                            "storefront (tags there: 2026.10.9): push it first") for p in err.value.problems)


# --- 6. scaling changes one after another ----------------------------------------------------------------------

def test_scaling_changes_of_one_target_are_chained(stack: StackResult) -> None:
    assert findings(stack, "autoscaling-changes-serialized") == []
    graph = Graph(stack)
    target = graph.one("aws:appautoscaling/target:Target", "checkout-scaling")
    changes = [r for r in stack.resources if r.type.startswith("aws:appautoscaling/") and r.parent == target.urn]
    assert len(changes) >= 3
    cpu = graph.one("aws:appautoscaling/policy:Policy", "checkout-cpu")
    requests = graph.one("aws:appautoscaling/policy:Policy", "checkout-requests")
    assert cpu.urn in requests.dependencies

    def in_parallel(resources: list[Registration]) -> None:  # main before issue 10: no depends_on
        for r in resources:
            if r.type in ("aws:appautoscaling/policy:Policy", "aws:appautoscaling/scheduledAction:ScheduledAction"):
                r.dependencies = [d for d in r.dependencies
                                  if not d.split("::")[2].startswith("aws:appautoscaling/target:Target$")]

    got = findings(broken(stack, in_parallel), "autoscaling-changes-serialized")
    assert got and all("ConcurrentUpdateException" in m for _, m in got)


# --- 7. sale windows around the clock ---------------------------------------------------------------------------

def test_ended_windows_schedule_nothing_and_warn_and_a_running_one_holds_the_minimum(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project]) -> None:
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    def iso(days: float) -> str:
        return (now + datetime.timedelta(days=days)).isoformat().replace("+00:00", "Z")

    def windows(_name: str, config: dict[str, Any]) -> None:
        checkout = next(s for s in config["securecart:delivery"]["services"] if s["name"] == "checkout")
        checkout["peakWindows"] = [
            {"name": "over", "start": iso(-3), "end": iso(-2), "minTasks": 20},
            {"name": "running", "start": iso(-1), "end": iso(1), "minTasks": 15},
            {"name": "coming", "start": iso(2), "end": iso(3), "minTasks": 10},
        ]
        # What checkout calls would have to cover these windows too (payment follows checkout): here they say why
        # not, so this test is about checkout's windows alone.
        for svc in config["securecart:delivery"]["services"]:
            if svc["name"] in ("payment", "integrations"):
                svc.pop("peakWindows", None)
                svc["peakExemption"] = "windows placed around the clock for checkout only"

    run = synth_all(project_copy(windows))
    for name in STACKS:
        result = run.results[name]
        graph = Graph(result)
        actions = sorted(r.inputs["name"] for r in result.by_type("aws:appautoscaling/scheduledAction:ScheduledAction")
                         if r.inputs["name"].startswith("checkout-"))
        assert actions == ["checkout-coming-end", "checkout-coming-start", "checkout-running-end"]
        assert graph.one("aws:appautoscaling/target:Target", "checkout-scaling").inputs["minCapacity"] == 15
        assert graph.one("aws:appautoscaling/target:Target", "storefront-scaling").inputs["minCapacity"] == 3
        warnings = [m for level, m in result.logs if level == "warning" and "ended" in m]
        assert warnings == [f"delivery: securecart:delivery.services[1].peakWindows[0] (checkout, 'over') ended "
                            f"{iso(-2).replace('Z', '+00:00')} and schedules nothing: remove it from the stack file"]
        assert findings(result, "autoscaling-changes-serialized") == []


# --- 8. what a strict auditor flags ----------------------------------------------------------------------------

def test_every_subnet_has_its_tiers_own_acl_and_the_default_acl_is_emptied(stack: StackResult) -> None:
    graph = Graph(stack)
    assert findings(stack, "subnet-has-own-nacl") == []
    default = graph.one("aws:ec2/defaultNetworkAcl:DefaultNetworkAcl", "default-nacl")
    assert default.inputs.get("ingress", []) == [] and default.inputs.get("egress", []) == []
    assert default.inputs["defaultNetworkAclId"] == graph.one("aws:ec2/vpc:Vpc", "vpc").outputs["defaultNetworkAclId"]
    # (The analytics VPC's, its own default and its groups' ACLs: tests/test_analytics.py.)
    for subnet in graph.application("aws:ec2/subnet:Subnet"):
        (assoc,) = [a for a in graph.of_type(ACL_ASSOC) if a.inputs["subnetId"] == subnet.id]
        acl = graph.ref(assoc.inputs["networkAclId"])
        assert acl.name == f"{subnet.inputs['tags']['SubnetGroup']}-nacl"

    def rules(group: str, egress: bool) -> set[tuple[Any, ...]]:
        acl = graph.one(ACL, f"{group}-nacl")
        return {(r.inputs["protocol"], r.inputs["cidrBlock"], r.inputs.get("fromPort"), r.inputs.get("toPort"))
                for r in graph.of_type(ACL_RULE) if r.inputs["networkAclId"] == acl.id
                and r.inputs["egress"] is egress and r.inputs["ruleAction"] == "allow"}

    vpc = graph.one("aws:ec2/vpc:Vpc", "vpc").inputs["cidrBlock"]
    replies = {("tcp", "0.0.0.0/0", low, high) for low, high in REPLY_PORTS}
    # public: HTTPS in from the internet, HTTPS out (NAT), replies both ways, the VPC both ways; no RDP, no SSH
    assert rules("web", False) == {("-1", vpc, 0, 0), ("tcp", "0.0.0.0/0", 443, 443), ("icmp", "0.0.0.0/0", 0, 0),
                                   *replies}
    assert rules("web", True) == rules("web", False)
    # private: nothing new from the internet, only replies; HTTPS out; on prod-us the analytics ports to the
    # analytics workload block (the clients write there) and the replies from it
    lake = {("tcp", "10.30.0.0/21", port, port) for port in (5439, 9094)} if stack.stack == "prod-us" else set()
    lake_replies = {("tcp", "10.30.0.0/21", 1024, 65535)} if lake else set()
    assert rules("app", False) == {("-1", vpc, 0, 0), *replies, *lake_replies}
    assert rules("app", True) == {("-1", vpc, 0, 0), ("tcp", "0.0.0.0/0", 443, 443), *replies, *lake}
    # attachment: the VPC and the private ranges the Transit Gateway carries; no internet
    assert rules("tgw", False) == rules("tgw", True) == {("-1", vpc, 0, 0), *(("-1", r, 0, 0) for r in PRIVATE_RANGES)}
    # isolated: the database port from the application block (and on prod-us the analytics workload block, which
    # reads the database over the peering), replies to them
    readers = ["10.10.64.0/18", "10.30.0.0/21"] if stack.stack == "prod-us" else ["10.20.64.0/18"]
    assert rules("data", False) == {("tcp", block, 5432, 5432) for block in readers}
    assert rules("data", True) == {("tcp", block, 1024, 65535) for block in readers}
    assert not [v for v in evaluate(stack, [RULES["nacl-no-world-admin-ports"]])]

    def on_default(resources: list[Registration]) -> None:  # main before issue 10: only the data tier had an ACL
        resources[:] = [r for r in resources if not (r.type == ACL_ASSOC and not r.name.startswith("data-"))]

    # Every subnet but the database group's three: 15 of the application network, and on prod-us the analytics
    # VPC's six (it has no data group).
    analytics = len(graph.analytics("aws:ec2/subnet:Subnet"))
    assert analytics == (6 if stack.stack == "prod-us" else 0)
    assert len(findings(broken(stack, on_default), "subnet-has-own-nacl")) == 15 + analytics


def test_the_payment_nlb_admits_only_the_services_that_call_it(stack: StackResult) -> None:
    """Each nlb service's callers (checkout, for payment and integrations) on that service's listener port, and
    nothing else: one rule per caller and port."""
    graph = Graph(stack)
    nlb_sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "nlb-sg")
    ingress = [r for r in graph.of_type(SG_IN) if r.inputs["securityGroupId"] == nlb_sg.id]
    checkout_sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "checkout-sg")
    assert sorted((r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"])
                  for r in ingress) == [(checkout_sg.id, 443, 443), (checkout_sg.id, 9443, 9443)]
    assert sorted(r.name for r in ingress) == ["nlb-sg-tls-from-checkout", "nlb-sg-tls-from-checkout-9443"]
    assert not any("cidrIpv4" in r.inputs or "prefixListId" in r.inputs for r in ingress)
    # Exactly the ports the NLB listens on.
    nlb = graph.one(LB, "payment-nlb")
    ports = sorted(x.inputs["port"] for x in graph.of_type("aws:lb/listener:Listener")
                   if x.inputs["loadBalancerArn"] == nlb.outputs["arn"])
    assert ports == sorted(r.inputs["fromPort"] for r in ingress) == [443, 9443]


def test_delete_markers_stay_in_the_source_region(synth_run: SynthRun) -> None:
    us = synth_run.results["prod-us"]
    assert findings(us, "s3-replication-keeps-deletes") == []

    def replicate_deletes(resources: list[Registration]) -> None:
        config = named(resources, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "images-replication")
        config.inputs["rules"][0]["deleteMarkerReplication"] = {"status": "Enabled"}

    assert [n for n, _ in findings(broken(us, replicate_deletes), "s3-replication-keeps-deletes")] == \
        ["images-replication"]


HEADER = "x-origin-verify"
HEALTH_PATH = "/healthz"


def _verify_rule(acl: Registration) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [r for r in plain(acl.inputs["rules"]) if r["name"] == "origin-verify"]
    assert len(rules) == 1
    return rules[0]


def _exactly(field: dict[str, Any], value: str) -> dict[str, Any]:
    return {"byteMatchStatement": {"fieldToMatch": field, "positionalConstraint": "EXACTLY", "searchString": value,
                                   "textTransformations": [{"priority": 0, "type": "NONE"}]}}


def _admits_only(values: list[str]) -> dict[str, Any]:
    """The origin-verify statement the rule must block on: NOT (the header is one of ``values`` OR a GET of exactly
    the health path)."""
    health = {"andStatement": {"statements": [_exactly({"uriPath": {}}, HEALTH_PATH),
                                              _exactly({"method": {}}, "GET")]}}
    return {"notStatement": {"statement": {"orStatement": {"statements": [
        *(_exactly({"singleHeader": {"name": HEADER}}, v) for v in values), health]}}}}


def _sent(result: StackResult) -> str:
    """What CloudFront sends: the custom header of the distribution's regional-api origin (primary)."""
    (distribution,) = result.by_type("aws:cloudfront/distribution:Distribution")
    (origin,) = [o for o in plain(distribution.inputs["origins"]) if o["originId"] == "regional-api"]
    (header,) = origin["customHeaders"]
    assert header["name"] == HEADER
    return str(header["value"])


def _generated(result: StackResult, label: str) -> str:
    return str(Graph(result).one("random:index/randomPassword:RandomPassword", f"origin-verify-{label}")
               .outputs["result"])


def test_the_alb_waf_blocks_requests_without_the_origin_header_first(stack: StackResult, synth_run: SynthRun) -> None:
    graph = Graph(stack)
    us = synth_run.results["prod-us"]
    acl = graph.one(WEB_ACL, "alb-waf")
    rule = _verify_rule(acl)
    # evaluated before everything else, and it blocks (not count)
    assert rule["priority"] == 0 == min(r["priority"] for r in plain(acl.inputs["rules"]))
    assert rule["action"] == {"block": {}}
    # The primary accepts the value it generates; the secondary accepts what the primary exports (a secret list).
    value = _generated(us, "initial")
    assert is_secret(us.outputs["originVerifyValues"]) and plain(us.outputs["originVerifyValues"]) == [value]
    assert "originVerifyValue" not in stack.outputs
    assert ("originVerifyValues" in stack.outputs) == (stack.stack == "prod-us")
    assert rule["statement"] == _admits_only([value])
    assert _sent(us) == value
    assert stack.outputs["originVerifyHeader"] == HEADER
    password = graph.of_type("random:index/randomPassword:RandomPassword")
    if stack.stack == "prod-us":
        origin = next(p for p in password if p.name == "origin-verify-initial")
        assert len(origin.outputs["result"]) == 48 and origin.inputs["special"] is False
    else:  # the secondary generates none of its own
        assert [p.name for p in password if p.name.startswith("origin-verify")] == []
    # the other rules keep blocking too: managed groups are not overridden to count, the rate limit blocks
    for r in plain(acl.inputs["rules"]):
        if "managedRuleGroupStatement" in r["statement"]:
            assert r["overrideAction"] == {"none": {}}
        elif r["name"] == "rate-limit-per-ip":
            assert r["action"] == {"block": {}}
    logging = graph.one("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "alb-waf-logging")
    assert logging.inputs["redactedFields"] == [{"singleHeader": {"name": h}}
                                                for h in (HEADER, "cookie", "authorization")]


def _rotate(labels: dict[str, Any]) -> Callable[[str, dict[str, Any]], None]:
    def edit(name: str, config: dict[str, Any]) -> None:
        if name == "prod-us":  # the primary's file only: the secondary accepts what the primary exports
            config["securecart:delivery"]["originVerify"] = labels
    return edit


def test_a_rotation_accepts_the_new_and_the_previous_value(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project]) -> None:
    """Rotation, step 1: both regions accept the new and the previous value while CloudFront keeps sending the
    previous one (a region that does not accept the new value yet cannot be sent it)."""
    run = synth_all(project_copy(_rotate({"rotation": "2027-03", "previousRotation": "initial"})))
    us = run.results["prod-us"]
    new, old = _generated(us, "2027-03"), _generated(us, "initial")
    assert new != old
    for name in STACKS:
        assert _verify_rule(Graph(run.results[name]).one(WEB_ACL, "alb-waf"))["statement"] == _admits_only([new, old])
    assert plain(us.outputs["originVerifyValues"]) == [new, old]
    assert _sent(us) == old


def test_with_send_current_cloudfront_sends_the_new_value_while_both_are_accepted(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project]) -> None:
    """Rotation, step 2: CloudFront switches to the new value while every region still accepts both (the old
    value stays accepted until every edge sends the new one: the next step)."""
    run = synth_all(project_copy(_rotate({"rotation": "2027-03", "previousRotation": "initial",
                                          "sendCurrent": True})))
    us = run.results["prod-us"]
    new, old = _generated(us, "2027-03"), _generated(us, "initial")
    for name in STACKS:
        assert _verify_rule(Graph(run.results[name]).one(WEB_ACL, "alb-waf"))["statement"] == _admits_only([new, old])
    assert _sent(us) == new


def test_once_the_previous_value_is_removed_cloudfront_sends_the_new_one(
        project_copy: Callable[[Callable[[str, dict[str, Any]], None]], Project]) -> None:
    """Rotation, step 3: previousRotation removed, CloudFront sends the new value and only it is accepted."""
    run = synth_all(project_copy(_rotate({"rotation": "2027-03"})))
    us = run.results["prod-us"]
    new = _generated(us, "2027-03")
    assert [p.name for p in us.by_type("random:index/randomPassword:RandomPassword")
            if p.name.startswith("origin-verify")] == ["origin-verify-2027-03"]
    for name in STACKS:
        assert _verify_rule(Graph(run.results[name]).one(WEB_ACL, "alb-waf"))["statement"] == _admits_only([new])
    assert _sent(us) == new


def test_the_secondary_refuses_origin_verification_settings_of_its_own(project: Project) -> None:
    raw = project.read_stack("prod-eu").values
    delivery = json.loads(raw["securecart:delivery"])
    delivery["originVerify"] = {"rotation": "2027-03", "previousRotation": "initial"}
    with pytest.raises(ConfigError) as info:
        parse_settings({**raw, "securecart:delivery": json.dumps(delivery)}, "Pulumi.prod-eu.yaml")
    assert info.value.problems == [
        "securecart:delivery.originVerify: the primary stack generates CloudFront's verification values and this "
        "stack accepts what it exports: set it in the primary's stack file only"]


def test_audit_logs_are_kept_a_year_and_log_buckets_are_logged(stack: StackResult) -> None:
    graph = Graph(stack)
    groups = graph.of_type(LOG_GROUP)
    assert groups and all(g.inputs["retentionInDays"] >= 365 for g in groups)
    names = {g.inputs["name"] for g in groups}
    # The edge's audit logs (the primary's): the zone's DNS queries and every web ACL's requests.
    edge_groups = {"/aws/route53/securecart.example", "aws-waf-logs-securecart-prod-cloudfront"}
    assert (edge_groups <= names) == (stack.stack == "prod-us") and not edge_groups & names - edge_groups
    assert {f"aws-waf-logs-securecart-prod-{stack.region}",
            f"aws-waf-logs-securecart-prod-{stack.region}-accelerator"} <= names
    log_buckets = ("lb-logs", "images-logs", *(("edge-logs",) if stack.stack == "prod-us" else ()))
    assert sorted(b.name for b in graph.of_type("aws:s3/bucket:Bucket") if b.name.endswith("-logs")) == \
        sorted(["access-logs", *log_buckets])
    for bucket in log_buckets:
        lifecycle = graph.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", f"{bucket}-lifecycle")
        assert lifecycle.inputs["rules"][0]["expiration"]["days"] >= 365
        logging = graph.one("aws:s3/bucketLogging:BucketLogging", f"{bucket}-logging")
        assert logging.inputs["targetBucket"] == graph.one("aws:s3/bucket:Bucket", "access-logs").id
        assert logging.inputs["targetPrefix"] == f"{bucket}/"
    archive = policy_doc(graph.one("aws:s3/bucketPolicy:BucketPolicy", "access-logs-policy").inputs["policy"])
    (grant,) = [s for s in archive["Statement"] if s["Effect"] == "Allow"]
    assert grant["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert grant["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert findings(stack, "s3-access-logging") == []

    def unlogged(resources: list[Registration]) -> None:  # main before issue 10: log buckets logged nowhere
        resources[:] = [r for r in resources if r.name not in ("lb-logs-logging", "images-logs-logging")]

    # The ELB log bucket logs nowhere, and so does images-logs. The rule exempts one terminal bucket: in prod-us
    # the archive, which edge-logs still logs into; in prod-eu (no edge) nothing logs into the archive any more, so
    # images-logs is the terminal one and the archive is a bucket with no logging of its own.
    expected = ["images-logs", "lb-logs"] if stack.stack == "prod-us" else ["access-logs", "lb-logs"]
    assert sorted(n for n, _ in findings(broken(stack, unlogged), "s3-access-logging")) == expected
