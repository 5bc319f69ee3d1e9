"""ECS rules; container definitions as the JSON string a program passes."""

import json
from typing import Any

import pytest
from securecart_rules import compute as ecs
from securecart_rules.types import (
    APPAUTOSCALING_TARGET,
    AWSX_ECR_REPOSITORY,
    ECR_REPOSITORY,
    ECS_CLUSTER,
    ECS_SERVICE,
    ECS_TASK_DEFINITION,
)

from tests.policies.harness import Case, cases, check, res

APP = {"name": "app", "image": "123.dkr.ecr.us-east-1.amazonaws.com/app:1", "user": "1000:1000",
       "readonlyRootFilesystem": True, "logConfiguration": {"logDriver": "awslogs"},
       "environment": [{"name": "PORT", "value": "8080"}],
       "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:x"}]}
XRAY = {"name": "xray", "image": "public.ecr.aws/xray/aws-xray-daemon:3", "user": "1337",
        "readonlyRootFilesystem": True, "logConfiguration": {"logDriver": "awslogs"}}


def task(name: str = "task", *containers: dict[str, Any], **props: Any) -> Any:
    defs = list(containers) or [APP, XRAY]
    return res(ECS_TASK_DEFINITION, name, {"networkMode": "awsvpc", "containerDefinitions": json.dumps(defs),
                                           **props})


def service(name: str = "svc", **props: Any) -> Any:
    base = {"launchType": "FARGATE", "desiredCount": 3,
            "networkConfiguration": {"assignPublicIp": False, "subnets": ["a", "b", "c"]}}
    return res(ECS_SERVICE, name, {**base, **props})


SVC = service()

TARGET = res("aws:appautoscaling/target:Target", "t", {"resourceId": "service/c/s"})


def scaling(typ: str, name: str, after: Any = None) -> Any:
    r = res(f"aws:appautoscaling/{typ}", name, {}, resourceId=TARGET)
    if after is not None:
        r.dependencies = sorted({*r.dependencies, after.urn})
    return r


CPU = scaling("policy:Policy", "cpu")
REQUESTS = scaling("policy:Policy", "requests", after=CPU)
START = scaling("scheduledAction:ScheduledAction", "start", after=REQUESTS)

CASES = cases(
    Case(ecs.autoscaling_changes_serialized,
         # a chain: start waits for requests, which waits for cpu (transitively ordered)
         good=[TARGET, CPU, REQUESTS, START],
         bad=[TARGET, CPU, REQUESTS, scaling("scheduledAction:ScheduledAction", "loose")],
         flagged={"loose"}, says="ConcurrentUpdateException"),
    Case(ecs.ecs_service_no_public_ip,
         good=[service()], bad=[service(networkConfiguration={"assignPublicIp": True, "subnets": ["a", "b"]})],
         flagged={"svc"}),
    Case(ecs.ecs_service_multi_az,
         good=[service(), service("daemon", schedulingStrategy="DAEMON", desiredCount=1)],
         bad=[service(desiredCount=1), service("one-subnet", networkConfiguration={"subnets": ["a"]})],
         flagged={"svc", "one-subnet"}, says="run at least 2"),
    Case(ecs.ecs_fargate_latest_platform,
         good=[service(), service("latest", platformVersion="LATEST")],
         bad=[service(platformVersion="1.3.0")], flagged={"svc"}),
    Case(ecs.ecs_no_plain_secrets,
         good=[task()],
         bad=[task("t1", {**APP, "environment": [{"name": "STRIPE_API_KEY", "value": "sk_live"}]}),
              task("t2", {**APP, "environment": [{"name": "DATABASE", "value": "postgres://u:pw@db:5432/x"}]}),
              task("t3", {**APP, "environment": [{"name": "X", "value": "AKIAABCDEFGHIJKLMNOP"}]}),
              res(ECS_TASK_DEFINITION, "t4", {"containerDefinitions": "not json"})],
         flagged={"t1", "t2", "t3", "t4"}, says="STRIPE_API_KEY"),
    Case(ecs.ecs_container_logging,
         good=[task()], bad=[task("t", {**APP, "logConfiguration": None})], flagged={"t"}),
    Case(ecs.ecs_no_privileged_containers,
         good=[task()],
         bad=[task("priv", {**APP, "privileged": True}), task("pid", pidMode="host"),
              task("bridge", networkMode="bridge")],
         flagged={"priv", "pid", "bridge"}),
    Case(ecs.ecs_container_least_privilege,
         good=[task()],
         bad=[task("root", {**APP, "user": "0"}), task("rw", {**APP, "readonlyRootFilesystem": False}),
              task("nouser", {k: v for k, v in APP.items() if k != "user"})],
         flagged={"root", "rw", "nouser"}),
    Case(ecs.ecs_tasks_traced,
         good=[task(), task("adot", APP, {**XRAY, "image": "public.ecr.aws/aws-observability/aws-otel-collector"})],
         bad=[task("t", APP)], flagged={"t"}),
    Case(ecs.ecs_container_insights,
         good=[res(ECS_CLUSTER, "c", {"settings": [{"name": "containerInsights", "value": "enhanced"}]})],
         bad=[res(ECS_CLUSTER, "c", {}),
              res(ECS_CLUSTER, "d", {"settings": [{"name": "containerInsights", "value": "disabled"}]})],
         flagged={"c", "d"}),
    Case(ecs.ecr_repository_hardened,
         good=[res(AWSX_ECR_REPOSITORY, "repo", {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {
             "scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS"}]}),
               res(ECR_REPOSITORY, "plain", {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {
                   "scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": "k"}]})],
         bad=[res(ECR_REPOSITORY, "repo", {}),
              res(AWSX_ECR_REPOSITORY, "mutable", {"imageTagMutability": "MUTABLE", "imageScanningConfiguration": {
                  "scanOnPush": True}, "encryptionConfigurations": [{"encryptionType": "KMS"}]})],
         flagged={"repo", "mutable"}, says="image_tag_mutability='IMMUTABLE'"),
    Case(ecs.ecs_service_autoscaled,
         good=[SVC, res(APPAUTOSCALING_TARGET, "scaling", {"minCapacity": 3, "maxCapacity": 12}, resourceId=SVC)],
         bad=[SVC, service("fixed"), res(APPAUTOSCALING_TARGET, "scaling", {"minCapacity": 1, "maxCapacity": 1},
                                         resourceId=SVC)],
         flagged={"svc", "fixed"}, says="between 1 and 1 tasks"),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)
