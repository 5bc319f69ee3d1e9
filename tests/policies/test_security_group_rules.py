"""Security group rules across the three ways AWS rules are written (inline, SecurityGroupRule, vpc.*Rule)."""

import pytest
from securecart_rules import security_groups as sg
from securecart_rules.types import (
    EC2_SECURITY_GROUP,
    EC2_SECURITY_GROUP_RULE,
    ECS_SERVICE,
    LB_LOAD_BALANCER,
    VPC_SECURITY_GROUP_INGRESS_RULE,
)

from automation.mocks import Registration
from tests.policies.harness import Case, cases, check, res

ALB_SG = res(EC2_SECURITY_GROUP, "alb-sg", {"description": "ALB: HTTPS from CloudFront"})
APP_SG = res(EC2_SECURITY_GROUP, "app-sg", {"description": "App tasks"})
PUBLIC_ALB = res(LB_LOAD_BALANCER, "alb", {"internal": False}, securityGroups=[ALB_SG])
WORLD_443 = res(VPC_SECURITY_GROUP_INGRESS_RULE, "alb-https", {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                               "cidrIpv4": "0.0.0.0/0"}, securityGroupId=ALB_SG)


def world_443(name: str, group: Registration) -> Registration:
    return res(VPC_SECURITY_GROUP_INGRESS_RULE, name, {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                       "cidrIpv4": "0.0.0.0/0"}, securityGroupId=group)


def internal_lb(name: str, group: Registration, lb_type: str | None) -> Registration:
    props = {"internal": True, **({"loadBalancerType": lb_type} if lb_type else {})}
    return res(LB_LOAD_BALANCER, name, props, securityGroups=[group])


def service_in(name: str, group: Registration) -> Registration:
    return res(ECS_SERVICE, name, {"networkConfiguration": {"subnets": ["s"], "securityGroups": [group.id]}},
               networkConfiguration=group)


# Global Accelerator's endpoint: an internal ALB that sees client addresses (client IP preservation), so its group
# admits 0.0.0.0/0 on 443; only the accelerator and routed networks reach it.
GA_SG = res(EC2_SECURITY_GROUP, "ga-alb-sg", {"description": "Internal ALB: HTTPS from Global Accelerator clients"})
NLB_SG = res(EC2_SECURITY_GROUP, "nlb-sg", {"description": "Internal NLB"})
SHARED_SG = res(EC2_SECURITY_GROUP, "shared-sg", {"description": "ALB and tasks"})


def inline(name: str, proto: str, low: int, high: int, cidr: str) -> Registration:
    return res(EC2_SECURITY_GROUP, name, {"description": "x", "ingress": [{"protocol": proto, "fromPort": low,
                                                                           "toPort": high,
                                                              "cidrBlocks": [cidr]}]})


CASES = cases(
    Case(sg.sg_no_world_ingress, label="inline",
         good=[inline("web", "tcp", 443, 443, "0.0.0.0/0"), inline("intra", "-1", 0, 0, "10.0.0.0/8")],
         bad=[inline("all", "-1", 0, 0, "0.0.0.0/0"), inline("range", "tcp", 80, 8080, "0.0.0.0/0")],
         flagged={"all", "range"}, says="only ports 80, 443"),
    Case(sg.sg_no_world_ingress, label="rule-resources",
         good=[WORLD_443],
         bad=[res(EC2_SECURITY_GROUP_RULE, "r", {"type": "ingress", "protocol": "tcp", "fromPort": 8443, "toPort": 8443,
                                    "ipv6CidrBlocks": ["::/0"]}),
              res(VPC_SECURITY_GROUP_INGRESS_RULE, "v", {"ipProtocol": "-1", "cidrIpv6": "::/0"})],
         flagged={"r", "v"}),
    Case(sg.sg_no_world_ingress, label="configured-ports",
         good=[inline("web", "tcp", 8443, 8443, "0.0.0.0/0")], bad=[inline("web", "tcp", 443, 443, "0.0.0.0/0")],
         flagged={"web"}, config={"authorisedPorts": [8443]}),
    Case(sg.sg_no_world_high_risk_ports,
         good=[inline("ssh-office", "tcp", 22, 22, "203.0.113.0/24"), inline("web", "tcp", 443, 443, "0.0.0.0/0")],
         bad=[inline("ssh", "tcp", 22, 22, "0.0.0.0/0"),
              res(VPC_SECURITY_GROUP_INGRESS_RULE, "pg", {"ipProtocol": "tcp", "fromPort": 5000, "toPort": 6000,
                                          "cidrIpv4": "0.0.0.0/0"})],
         flagged={"ssh", "pg"}, says="high-risk port(s) 22"),
    Case(sg.sg_world_ingress_only_on_public_load_balancers, label="internet-facing",
         good=[ALB_SG, PUBLIC_ALB, WORLD_443],
         bad=[ALB_SG, APP_SG, PUBLIC_ALB,
              res(VPC_SECURITY_GROUP_INGRESS_RULE, "app-https", {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                 "cidrIpv4": "0.0.0.0/0"}, securityGroupId=APP_SG)],
         flagged={"app-https"}, says="'app-sg' is not on any load balancer"),
    Case(sg.sg_world_ingress_only_on_public_load_balancers, label="internal",
         good=[GA_SG, internal_lb("ga-endpoint", GA_SG, "application"), world_443("ga-clients", GA_SG),
               internal_lb("ga-endpoint-default-type", GA_SG, None),
               NLB_SG, res(LB_LOAD_BALANCER, "public-nlb", {"internal": False, "loadBalancerType": "network"},
                           securityGroups=[NLB_SG]), world_443("nlb-clients", NLB_SG)],
         bad=[NLB_SG, internal_lb("payments", NLB_SG, "network"), world_443("nlb-clients", NLB_SG)],
         flagged={"nlb-clients"}, says="'nlb-sg' is on payments: internal, and not an application load balancer"),
    Case(sg.sg_world_ingress_only_on_public_load_balancers, label="shared",
         good=[ALB_SG, PUBLIC_ALB, WORLD_443, GA_SG, internal_lb("ga-endpoint", GA_SG, "application"),
               world_443("ga-clients", GA_SG), APP_SG, service_in("app", APP_SG)],
         bad=[SHARED_SG, internal_lb("ga-endpoint", SHARED_SG, "application"), service_in("app", SHARED_SG),
              world_443("shared-clients", SHARED_SG),
              ALB_SG, PUBLIC_ALB, service_in("web", ALB_SG), WORLD_443],
         flagged={"shared-clients", "alb-https"}, says="also used by what is not a load balancer (app)"),
    Case(sg.sg_has_description,
         good=[ALB_SG], bad=[res(EC2_SECURITY_GROUP, "a", {"description": "Managed by Pulumi"}),
                             res(EC2_SECURITY_GROUP, "b", {})],
         flagged={"a", "b"}),
    Case(sg.sg_rules_managed_one_way,
         good=[ALB_SG, WORLD_443],
         bad=[inline("mixed", "tcp", 443, 443, "10.0.0.0/8"),
              res(VPC_SECURITY_GROUP_INGRESS_RULE, "extra", {"ipProtocol": "tcp", "fromPort": 80, "toPort": 80,
                                             "cidrIpv4": "10.0.0.0/8"},
                  securityGroupId=inline("mixed", "tcp", 443, 443, "10.0.0.0/8"))],
         flagged={"mixed"}, says="extra"),
)


@pytest.mark.parametrize("c", CASES)
def test_rule(c: Case) -> None:
    check(c)
