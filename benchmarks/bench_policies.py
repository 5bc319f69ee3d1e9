"""Policy-pack benchmark: the whole pack over a large synthetic stack, in resources per second.

The stack repeats a slice of SecureCart's architecture (VPC and routed subnets, security groups, load balancers
and listeners, ECS services and task definitions, RDS, DynamoDB, S3 buckets with their v7 sub-resources, KMS,
IAM, CloudFront, WAF, alarms) until it holds at least --resources resources, then times the gate's evaluation of
every resource and stack rule with the shipped policy config. Target (issue 3): at least 10 000 resources per
second on this machine.

    python benchmarks/bench_policies.py [--resources N] [--runs N] [--strict]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from securecart_rules import POLICIES

from automation.gate import PackConfig, evaluate
from automation.mocks import Registration
from automation.synth import StackResult

ROOT = Path(__file__).resolve().parent.parent
TARGET = 10_000
STACK_URN = "urn:pulumi:bench::securecart-network::pulumi:pulumi:Stack::securecart-network-bench"
PROVIDER_URN = "urn:pulumi:bench::securecart-network::pulumi:providers:aws::aws"


class Builder:
    def __init__(self) -> None:
        self.resources: list[Registration] = []

    def add(self, typ: str, name: str, props: dict[str, Any], **joins: Any) -> Registration:
        deps: dict[str, list[str]] = {}
        for prop, target in joins.items():
            targets = target if isinstance(target, list) else [target]
            deps[prop] = [t.urn for t in targets]
            props.setdefault(prop, [t.id for t in targets] if isinstance(target, list) else target.id)
        reg = Registration(
            urn=f"urn:pulumi:bench::securecart-network::{typ}::{name}", type=typ, name=name, custom=True,
            parent="", provider=f"{PROVIDER_URN}::id", protect=False,
            dependencies=sorted({u for us in deps.values() for u in us}), property_dependencies=deps,
            inputs=props, outputs={}, id=f"{name}-id", delete_before_replace=None, ignore_changes=[], aliases=[],
            additional_secret_outputs=[],
        )
        self.resources.append(reg)
        return reg

    def slice(self, i: int) -> None:
        """One copy of the architecture slice (about 60 resources)."""
        a = self.add
        vpc = a("aws:ec2/vpc:Vpc", f"vpc-{i}", {"cidrBlock": "10.0.0.0/16"})
        a("aws:ec2/flowLog:FlowLog", f"fl-{i}", {"trafficType": "ALL"}, vpcId=vpc)
        a("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", f"dsg-{i}", {"ingress": [], "egress": []}, vpcId=vpc)
        igw = a("aws:ec2/internetGateway:InternetGateway", f"igw-{i}", {}, vpcId=vpc)
        tables = []
        for tier, z in [(t, z) for t in ("public", "private", "isolated") for z in "abc"]:
            s = a("aws:ec2/subnet:Subnet", f"{tier}-{z}-{i}", {"availabilityZone": f"us-east-1{z}",
                                                               "mapPublicIpOnLaunch": False, "tags": {"Tier": tier}},
                  vpcId=vpc)
            t = a("aws:ec2/routeTable:RouteTable", f"{tier}-{z}-{i}-rt", {}, vpcId=vpc)
            a("aws:ec2/routeTableAssociation:RouteTableAssociation", f"{tier}-{z}-{i}-rta", {}, subnetId=s,
              routeTableId=t)
            if tier == "public":
                a("aws:ec2/route:Route", f"{tier}-{z}-{i}-r", {"destinationCidrBlock": "0.0.0.0/0"},
                  routeTableId=t, gatewayId=igw)
            else:
                tables.append(t)
        policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
                                            "Resource": "*", "Condition": {"StringEquals": {
                                                "aws:PrincipalAccount": "123456789012"}}}]})
        a("aws:ec2/vpcEndpoint:VpcEndpoint", f"s3-{i}", {"serviceName": "com.amazonaws.us-east-1.s3",
                                                         "vpcEndpointType": "Gateway", "policy": policy},
          routeTableIds=tables)
        sg = a("aws:ec2/securityGroup:SecurityGroup", f"alb-sg-{i}", {"description": "ALB"}, vpcId=vpc)
        a("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", f"https-{i}",
          {"ipProtocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrIpv4": "0.0.0.0/0"}, securityGroupId=sg)
        lb = a("aws:lb/loadBalancer:LoadBalancer", f"alb-{i}", {
            "loadBalancerType": "application", "internal": False, "subnets": ["a", "b", "c"],
            "dropInvalidHeaderFields": True, "enableDeletionProtection": True,
            "accessLogs": {"enabled": True, "bucket": "logs"}}, securityGroups=[sg])
        a("aws:lb/listener:Listener", f"https-l-{i}", {"protocol": "HTTPS", "sslPolicy":
                                                       "ELBSecurityPolicy-TLS13-1-2-2021-06", "certificateArn": "c",
                                                       "defaultActions": [{"type": "forward"}]}, loadBalancerArn=lb)
        a("aws:lb/targetGroup:TargetGroup", f"tg-{i}", {"protocol": "HTTPS", "healthCheck": {"interval": 10.0}})
        defs = json.dumps([{"name": "app", "image": "app", "user": "1000", "readonlyRootFilesystem": True,
                            "logConfiguration": {"logDriver": "awslogs"}, "environment": [{"name": "PORT",
                                                                                            "value": "80"}]},
                           {"name": "xray", "image": "aws-xray-daemon", "user": "1337",
                            "readonlyRootFilesystem": True, "logConfiguration": {"logDriver": "awslogs"}}])
        a("aws:ecs/taskDefinition:TaskDefinition", f"task-{i}", {"networkMode": "awsvpc",
                                                                 "containerDefinitions": defs})
        a("aws:ecs/service:Service", f"svc-{i}", {"desiredCount": 3.0, "launchType": "FARGATE",
                                                  "networkConfiguration": {"assignPublicIp": False,
                                                                           "subnets": ["a", "b"]}})
        a("aws:rds/instance:Instance", f"db-{i}", {"storageEncrypted": True, "multiAz": True,
                                                   "publiclyAccessible": False, "dbSubnetGroupName": "db",
                                                   "backupRetentionPeriod": 7.0, "deletionProtection": True})
        a("aws:dynamodb/table:Table", f"sessions-{i}", {"pointInTimeRecovery": {"enabled": True},
                                                        "billingMode": "PAY_PER_REQUEST"})
        bucket = a("aws:s3/bucket:Bucket", f"bucket-{i}", {"tags": {"Replication": "source"}})
        for kind, props in (
            ("bucketPublicAccessBlock:BucketPublicAccessBlock", {"blockPublicAcls": True}),
            ("bucketVersioning:BucketVersioning", {"versioningConfiguration": {"status": "Enabled"}}),
            ("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
             {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}),
            ("bucketPolicy:BucketPolicy", {"policy": policy}),
            ("bucketReplicationConfig:BucketReplicationConfig", {"rules": [{"status": "Enabled"}]}),
        ):
            a(f"aws:s3/{kind}", f"bucket-{i}-{kind.split(':')[0]}", props, bucket=bucket)
        a("aws:kms/key:Key", f"key-{i}", {"enableKeyRotation": True})
        a("aws:iam/role:Role", f"role-{i}", {"assumeRolePolicy": json.dumps({"Statement": [{
            "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})})
        a("aws:iam/rolePolicy:RolePolicy", f"role-policy-{i}", {"policy": json.dumps({"Statement": [{
            "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]})})
        a("aws:wafv2/webAcl:WebAcl", f"acl-{i}", {"rules": [{"name": "sqli", "statement": {
            "sqliMatchStatement": {}}}], "visibilityConfig": {"cloudwatchMetricsEnabled": True}})
        a("aws:cloudwatch/metricAlarm:MetricAlarm", f"latency-{i}", {"metricName": "TargetResponseTime",
                                                                      "alarmActions": ["arn:sns"]})
        a("aws:cloudwatch/logGroup:LogGroup", f"lg-{i}", {"kmsKeyId": "k", "retentionInDays": 90.0})


def build(n: int) -> StackResult:
    b = Builder()
    b.resources.append(Registration(
        urn=PROVIDER_URN, type="pulumi:providers:aws", name="aws", custom=True, parent="", provider="",
        protect=False, dependencies=[], property_dependencies={}, inputs={"region": "us-east-1"}, outputs={},
        id="id", delete_before_replace=None, ignore_changes=[], aliases=[], additional_secret_outputs=[]))
    i = 0
    while len(b.resources) < n:
        b.slice(i)
        i += 1
    return StackResult(stack="bench", project="securecart-network", region="us-east-1", role="primary",
                       stack_urn=STACK_URN, resources=b.resources, outputs={})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--resources", type=int, default=10_000, help="fewest resources (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()
    if args.resources < 1 or args.runs < 1:
        parser.error("--resources and --runs must be at least 1")
    stack = build(args.resources)
    config = PackConfig.load(ROOT / "policies" / "policy-config.json", POLICIES)
    types = len({r.type for r in stack.resources})
    times, found = [], 0
    for _ in range(args.runs):
        start = time.perf_counter()
        found = len(evaluate(stack, POLICIES, config))
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    rate = len(stack.resources) / median
    print(f"policy benchmark: {len(POLICIES)} rules over {len(stack.resources)} resources of {types} types "
          f"({found} violations), median of {args.runs} runs")
    verdict = "met" if rate >= TARGET else "MISSED"
    print(f"  {median:6.2f} s   {rate:,.0f} resources/s   target >= {TARGET:,}: {verdict}")
    return 1 if args.strict and rate < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
