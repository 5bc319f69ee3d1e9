"""ECS Fargate rules: services, task definitions (container definitions parsed from JSON) and clusters."""

import re
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Severity, StackValidationArgs

from securecart_rules._common import (
    as_list,
    attached,
    document,
    get,
    num,
    of_type,
    refs,
    truthy,
)
from securecart_rules.registry import ADVISORY, MANDATORY, Report, StackReport, resource_rule, stack_rule
from securecart_rules.types import (
    APPAUTOSCALING_POLICY,
    APPAUTOSCALING_SCHEDULED_ACTION,
    APPAUTOSCALING_TARGET,
    AUTOSCALING_GROUP,
    AWSX_ECR_REPOSITORY,
    EC2_INSTANCE,
    EC2_LAUNCH_CONFIGURATION,
    EC2_LAUNCH_TEMPLATE,
    ECR_REPOSITORY,
    ECS_CLUSTER,
    ECS_SERVICE,
    ECS_TASK_DEFINITION,
    LISTENERS,
    LOAD_BALANCERS,
    TARGET_GROUPS,
)

SECRET_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|DSN)",
                         re.IGNORECASE)
SECRET_VALUE = re.compile(r"(AKIA|ASIA)[A-Z0-9]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|://[^/\s:]+:[^@\s]+@")
TRACING_IMAGES = ("aws-xray-daemon", "xray", "aws-otel-collector", "aws-observability")


def containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    parsed = document(props.get("containerDefinitions"))
    if parsed is None:
        return None
    return [c for c in as_list(parsed) if isinstance(c, Mapping)]


@resource_rule(
    name="ecs-service-no-public-ip",
    description="ECS services do not assign public IP addresses to tasks.",
    source="FSBP ECS.2",
    types=[ECS_SERVICE], level=MANDATORY, severity=Severity.HIGH,
)
def ecs_service_no_public_ip(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if truthy(get(args.props, "networkConfiguration", "assignPublicIp")):
        report("The service gives its tasks public IPs: set assign_public_ip=False and egress through NAT or "
               "VPC endpoints.")


MIN_TASKS = {"minDesiredCount": {"type": "integer", "minimum": 2, "default": 2,
                                 "description": "Fewest tasks a service may run (spread over AZs)."}}


def _parked(props: Mapping[str, Any]) -> bool:
    """A service deliberately at zero tasks (waiting for its first image): nothing runs, nothing to spread."""
    return num(props.get("desiredCount")) == 0.0


@resource_rule(
    name="ecs-service-multi-az",
    description="ECS services run at least two tasks over subnets in at least two AZs.",
    source="seed: every tier over ≥ 2 AZs (ECS desired count ≥ 2)",
    types=[ECS_SERVICE], level=MANDATORY, severity=Severity.HIGH, config=MIN_TASKS,
)
def ecs_service_multi_az(args: ResourceValidationArgs, report: Report, settings: Mapping[str, Any]) -> None:
    count = num(args.props.get("desiredCount"))
    minimum = int(settings["minDesiredCount"])
    if str(args.props.get("schedulingStrategy") or "REPLICA") == "DAEMON" or _parked(args.props):
        return
    if count is None or count < minimum:
        report(f"The service runs {0 if count is None else int(count)} task(s): run at least {minimum} so an AZ "
               f"loss leaves it serving.")
    subnets = as_list(get(args.props, "networkConfiguration", "subnets"))
    if args.props.get("networkConfiguration") is not None and len(subnets) < 2:
        report(f"The service's tasks may use {len(subnets)} subnet(s): give it subnets in at least two AZs.")


@resource_rule(
    name="ecs-fargate-latest-platform",
    description="Fargate services run on the LATEST platform version.",
    source="FSBP ECS.10",
    types=[ECS_SERVICE], level=ADVISORY, severity=Severity.LOW,
)
def ecs_fargate_latest_platform(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if str(args.props.get("launchType") or "") == "FARGATE" or args.props.get("platformVersion"):
        version = str(args.props.get("platformVersion") or "LATEST")
        if version != "LATEST":
            report(f"The service pins Fargate platform {version}: use LATEST for current security patches.")


@resource_rule(
    name="ecs-no-plain-secrets",
    description="Container definitions pass secrets through 'secrets', never as plain environment values.",
    source="FSBP ECS.8; cdk-nag AwsSolutions-ECS2",
    types=[ECS_TASK_DEFINITION], level=MANDATORY, severity=Severity.CRITICAL,
)
def ecs_no_plain_secrets(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    defs = containers(args.props)
    if defs is None:
        report("container_definitions is not a JSON list of containers.")
        return
    for c in defs:
        for env in as_list(c.get("environment")):
            name, value = str(get(env, "name") or ""), str(get(env, "value") or "")
            if SECRET_NAME.search(name):
                report(f"Container '{c.get('name')}' passes {name} as a plain environment value: use "
                       f"'secrets' (Secrets Manager or SSM).")
            elif SECRET_VALUE.search(value):
                report(f"Container '{c.get('name')}' environment {name} holds what looks like a credential: use "
                       f"'secrets'.")


@resource_rule(
    name="ecs-container-logging",
    description="Every container has a log configuration.",
    source="cdk-nag AwsSolutions-ECS7; FSBP ECS.9 (third-party mapping)",
    types=[ECS_TASK_DEFINITION], level=ADVISORY, severity=Severity.MEDIUM,
)
def ecs_container_logging(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for c in containers(args.props) or []:
        if not get(c, "logConfiguration", "logDriver"):
            report(f"Container '{c.get('name')}' has no logConfiguration: send its logs to CloudWatch (awslogs) "
                   f"or FireLens.")


@resource_rule(
    name="ecs-no-privileged-containers",
    description="Tasks use awsvpc networking, do not share the host PID namespace and run no privileged container.",
    source="FSBP ECS.1, ECS.3, ECS.4",
    types=[ECS_TASK_DEFINITION], level=MANDATORY, severity=Severity.HIGH,
)
def ecs_no_privileged_containers(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if args.props.get("pidMode") == "host":
        report("The task shares the host's process namespace (pid_mode='host').")
    if str(args.props.get("networkMode") or "awsvpc") != "awsvpc":
        report("The task does not use awsvpc networking, so it gets no security group of its own.")
    for c in containers(args.props) or []:
        if truthy(c.get("privileged")):
            report(f"Container '{c.get('name')}' runs privileged.")


@resource_rule(
    name="ecs-container-least-privilege",
    description="Containers run as a non-root user with a read-only root file system.",
    source="FSBP ECS.5",
    types=[ECS_TASK_DEFINITION], level=ADVISORY, severity=Severity.MEDIUM,
)
def ecs_container_least_privilege(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for c in containers(args.props) or []:
        name = c.get("name")
        if not truthy(c.get("readonlyRootFilesystem")):
            report(f"Container '{name}' can write its root file system: set readonlyRootFilesystem=true.")
        user = str(c.get("user") or "")
        if user in ("", "0", "root") or user.startswith(("0:", "root:")):
            report(f"Container '{name}' runs as root: set a non-root user.")


@resource_rule(
    name="ecs-tasks-traced",
    description="Service tasks carry an X-Ray daemon or ADOT collector, so requests are traced.",
    source="seed: X-Ray tracing",
    types=[ECS_TASK_DEFINITION], level=ADVISORY, severity=Severity.LOW,
)
def ecs_tasks_traced(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    defs = containers(args.props) or []
    if defs and not any(any(t in str(c.get("image") or "") for t in TRACING_IMAGES) for c in defs):
        report("The task has no X-Ray daemon or ADOT collector sidecar: add one so requests are traced.")


@resource_rule(
    name="ecs-container-insights",
    description="ECS clusters have Container Insights on.",
    source="FSBP ECS.12; cdk-nag AwsSolutions-ECS4",
    types=[ECS_CLUSTER], level=ADVISORY, severity=Severity.MEDIUM,
)
def ecs_container_insights(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    for s in as_list(args.props.get("settings")):
        if get(s, "name") == "containerInsights" and str(get(s, "value")) in ("enabled", "enhanced"):
            return
    report("Container Insights is off: add setting containerInsights=enabled (or enhanced).")


@resource_rule(
    name="ecr-repository-hardened",
    description="ECR repositories scan images on push, keep tags immutable and encrypt with KMS.",
    source="FSBP ECR.1, ECR.2; seed: images for the Fargate services",
    types=[ECR_REPOSITORY, AWSX_ECR_REPOSITORY], level=MANDATORY, severity=Severity.MEDIUM,
)
def ecr_repository_hardened(args: ResourceValidationArgs, report: Report, _: Mapping[str, Any]) -> None:
    if not truthy(get(args.props, "imageScanningConfiguration", "scanOnPush")):
        report("Images are not scanned on push: set image_scanning_configuration scan_on_push=True.")
    if str(args.props.get("imageTagMutability") or "MUTABLE") not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        report("Image tags can be overwritten: set image_tag_mutability='IMMUTABLE'.")
    encryption = [str(get(e, "encryptionType")) for e in as_list(args.props.get("encryptionConfigurations"))]
    if not any(e in ("KMS", "KMS_DSSE") for e in encryption):
        report("Images are encrypted with AES256 only: set encryption_type='KMS'.")


@stack_rule(
    name="ecs-service-autoscaled",
    description="Every ECS service has an autoscaling target with a minimum of at least two tasks and room to grow.",
    source="seed: survive traffic surges (peak sales)",
    level=MANDATORY, severity=Severity.HIGH,
)
def ecs_service_autoscaled(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    targets = attached(args.resources, [APPAUTOSCALING_TARGET], "resourceId")
    for svc in of_type(args.resources, ECS_SERVICE):
        mine = targets.get(svc.urn, [])
        if not mine and _parked(svc.props):
            continue  # a scaling minimum would start tasks that have no image to run
        if not mine:
            report("The service does not scale: add an application autoscaling target (and policies) so it "
                   "grows with sale peaks.", svc.urn)
            continue
        for t in mine:
            low, high = num(t.props.get("minCapacity")) or 0, num(t.props.get("maxCapacity")) or 0
            if low < 2 or high <= low:
                report(f"The service scales between {low:.0f} and {high:.0f} tasks: keep at least 2 and leave "
                       f"room above the minimum.", svc.urn)


SCALING_CHANGES = (APPAUTOSCALING_POLICY, APPAUTOSCALING_SCHEDULED_ACTION)


def _ancestors(resource: PolicyResource, memo: dict[str, set[str]]) -> set[str]:
    """Every resource this one waits for, through dependencies and property dependencies."""
    if resource.urn in memo:
        return memo[resource.urn]
    memo[resource.urn] = set()  # a cycle cannot deploy anyway; this keeps the walk finite
    direct = [*resource.dependencies, *(d for ds in resource.property_dependencies.values() for d in ds)]
    found: set[str] = set()
    for dep in direct:
        found.add(dep.urn)
        found |= _ancestors(dep, memo)
    memo[resource.urn] = found
    return found


@stack_rule(
    name="autoscaling-changes-serialized",
    description="Scaling policies and scheduled actions of one scalable target are created one after another.",
    source="catalogue gap (deploy readiness): Application Auto Scaling ConcurrentUpdateException, "
           "hashicorp/terraform-provider-aws#17915; DESIGN §7",
    level=MANDATORY, severity=Severity.HIGH,
)
def autoscaling_changes_serialized(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    memo: dict[str, set[str]] = {}
    changes_of = attached(args.resources, SCALING_CHANGES, "resourceId")
    for target in of_type(args.resources, APPAUTOSCALING_TARGET):
        changes = changes_of.get(target.urn, [])
        for i, a in enumerate(changes):
            for b in changes[i + 1:]:
                if a.urn not in _ancestors(b, memo) and b.urn not in _ancestors(a, memo):
                    report(f"{a.name} and {b.name} change scalable target {target.name} and neither waits for "
                           f"the other: Application Auto Scaling refuses concurrent changes to one target "
                           f"(ConcurrentUpdateException). Chain them with depends_on.", b.urn)


# --- EC2 instances the program launches (the GWLB's appliance fleet) -----------------------------------------------

def _launch_problems(props: Mapping[str, Any]) -> list[str]:
    """What makes an instance (template, configuration) reachable by IMDSv1 or from the internet."""
    problems = []
    tokens = get(props, "metadataOptions", "httpTokens")
    if str(tokens or "").lower() != "required":
        problems.append(f"metadata_options.http_tokens is {tokens or 'unset'} (IMDSv1 answers, so a request forged "
                        f"through the instance can read its role's credentials): set it to 'required'")
    nics = [n for n in as_list(props.get("networkInterfaces")) if isinstance(n, Mapping)]
    if truthy(props.get("associatePublicIpAddress")) or any(truthy(n.get("associatePublicIpAddress")) for n in nics):
        problems.append("it gives its instances public IP addresses: set associate_public_ip_address False (the "
                        "appliances are reached through the Gateway Load Balancer, never from the internet)")
    return problems


@stack_rule(
    name="ec2-launch-imdsv2-no-public-ip",
    description="Launch templates, launch configurations, instances and the auto scaling groups that launch from "
                "them require IMDSv2 (http_tokens 'required') and give no public IP address.",
    source="seed: third-party appliances behind the GWLB; FSBP EC2.8, EC2.9, AutoScaling.3, AutoScaling.5, EC2.170",
    level=MANDATORY, severity=Severity.HIGH,
)
def ec2_launch_imdsv2_no_public_ip(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    bad: dict[str, list[str]] = {}
    for launcher in of_type(args.resources, EC2_LAUNCH_TEMPLATE, EC2_LAUNCH_CONFIGURATION, EC2_INSTANCE):
        problems = _launch_problems(launcher.props)
        if problems:
            bad[launcher.urn] = problems
            report(f"This {launcher.resource_type.rsplit(':', 1)[-1]} fails: {'; '.join(problems)}.", launcher.urn)
    for group in of_type(args.resources, AUTOSCALING_GROUP):
        sources = [d for prop in ("launchTemplate", "launchConfiguration", "mixedInstancesPolicy")
                   for d in refs(group, prop) if d.urn in bad]
        for source in sources:
            report(f"This auto scaling group launches from '{source.name}', which fails: "
                   f"{'; '.join(bad[source.urn])}.", group.urn)


def _zones_of(subnets: list[PolicyResource]) -> set[str]:
    return {str(s.props.get("availabilityZone") or s.props.get("availabilityZoneId") or "") for s in subnets} - {""}


@stack_rule(
    name="gwlb-fleet-spans-azs",
    description="An auto scaling group behind a Gateway Load Balancer's target group spans every AZ of the GWLB, "
                "at least one instance per AZ (a GWLB endpoint in an AZ without appliances drops its traffic).",
    source="seed: appliances behind the GWLB, every tier over >= 2 AZs; AWS GWLB best practices (AZ-symmetric)",
    level=MANDATORY, severity=Severity.HIGH,
)
def gwlb_fleet_spans_azs(args: StackValidationArgs, report: StackReport, _: Mapping[str, Any]) -> None:
    resources = list(args.resources)
    zones_of_gwlb = {lb.urn: _zones_of(refs(lb, "subnets") + refs(lb, "subnetMappings"))
                     for lb in of_type(resources, *LOAD_BALANCERS) if lb.props.get("loadBalancerType") == "gateway"}
    gwlb_of_group: dict[str, tuple[str, set[str]]] = {}  # target group URN -> (GWLB name, its zones)
    for listener in of_type(resources, *LISTENERS):
        for lb in refs(listener, "loadBalancerArn"):
            if lb.urn in zones_of_gwlb:
                for tg in refs(listener, "defaultActions"):
                    if tg.resource_type in TARGET_GROUPS:
                        gwlb_of_group[tg.urn] = (lb.name, zones_of_gwlb[lb.urn])
    for group in of_type(resources, AUTOSCALING_GROUP):
        for tg in refs(group, "targetGroupArns"):
            if tg.urn not in gwlb_of_group:
                continue
            gwlb, wanted = gwlb_of_group[tg.urn]
            have = _zones_of(refs(group, "vpcZoneIdentifiers"))
            missing = sorted(wanted - have)
            if missing:
                report(f"This auto scaling group behind GWLB '{gwlb}' has no subnet in {', '.join(missing)}: the "
                       f"GWLB's endpoints there would have no appliance; give it the appliance subnet of every AZ.",
                       group.urn)
            minimum = num(group.props.get("minSize"))
            if minimum is not None and minimum < len(wanted):
                report(f"This auto scaling group behind GWLB '{gwlb}' may shrink to {int(minimum)} instance(s) over "
                       f"{len(wanted)} AZs: set min_size to at least one per AZ.", group.urn)
