"""VPC rules: flow logs on every VPC, the default security group closed."""

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"


def _vpc_flow_logs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    vpcs = [r for r in args.resources if r.resource_type == VPC]
    covered: set[str] = set()
    for r in args.resources:
        if r.resource_type != FLOW_LOG or r.props.get("trafficType") != "ALL":
            continue
        # The flow log names its VPC through an output, so join on the dependency, not on the ID text.
        for dep in r.property_dependencies.get("vpcId", []):
            covered.add(dep.urn)
    for vpc in vpcs:
        if vpc.urn not in covered:
            report_violation("This VPC has no flow log capturing ALL traffic: add an aws.ec2.FlowLog with "
                             "vpc_id=<this VPC> and traffic_type='ALL'.", vpc.urn)


vpc_flow_logs_all_traffic = StackValidationPolicy(
    name="vpc-flow-logs-all-traffic",
    description="Every VPC has a flow log of ALL traffic (seed: VPC Flow Logs reviewed for suspicious traffic; "
                "FSBP EC2.6; cdk-nag AwsSolutions-VPC7).",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    validate=_vpc_flow_logs,
)


def _default_sg_closed(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != DEFAULT_SG:
        return
    ingress = args.props.get("ingress") or []
    egress = args.props.get("egress") or []
    if ingress or egress:
        report_violation(f"The VPC's default security group keeps {len(ingress)} ingress and {len(egress)} "
                         f"egress rule(s): adopt it with ingress=[] and egress=[].", None)


default_security_group_closed = ResourceValidationPolicy(
    name="default-security-group-closed",
    description="The default security group of every VPC has no rules (FSBP EC2.2; "
                "cdk-nag VPCDefaultSecurityGroupClosed).",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    validate=_default_sg_closed,
)

POLICIES = (vpc_flow_logs_all_traffic, default_security_group_closed)
