"""The deployment order that converges from nothing, written down once.

The offline synth walks this plan, and so should any driver of real deployments (an Automation API program or a
runbook: the README lists the commands). A step deploys one stack, reading its peer's outputs as they stand after
the steps before it. After the plan, a stack runs again only while a peer output it read has changed.
"""

from dataclasses import dataclass

from components.settings.types import Role


@dataclass(frozen=True)
class Step:
    role: Role
    why: str


PLAN: tuple[Step, ...] = (
    Step(Role.SECONDARY, "the secondary region first: its VPC, Transit Gateway, keys and images bucket exist "
                         "(and are exported) before the primary reads them; its read replica, its side of the "
                         "peering and its HTTPS listeners (no certificate yet) wait"),
    Step(Role.PRIMARY, "the primary region with the global resources, reading the secondary's outputs: it requests "
                       "the Transit Gateway peering, accepts it in the secondary's region and routes its side, "
                       "replicates images into the secondary's bucket and adds the sessions table's replica; it "
                       "creates the zone, validates both regions' certificates and puts CloudFront, Route 53's "
                       "records and health checks and the accelerator over both regions (the secondary's health "
                       "check fails, and alarms, until its next step gives it an HTTPS listener)"),
    Step(Role.SECONDARY, "the secondary again, now reading the primary's outputs: its side of the accepted peering, "
                         "the Direct Connect association, the read replica of the primary's database, its listeners "
                         "with the certificate the primary validated, CloudFront's verification values and health "
                         "path on its web ACL, and the distribution's read of its images; with its certificate, "
                         "its partners' API and its endpoint service's private DNS name"),
    Step(Role.PRIMARY, "the primary again: the secondary's partners' API joins the latency records, and the "
                       "primary writes the record that verifies the secondary's private DNS name"),
    Step(Role.SECONDARY, "the secondary's last step: AWS verifies its endpoint service's private DNS name"),
)

MAX_ROUNDS = 4  # full passes over the stacks after the plan before the synth declares non-convergence


def order(stacks_by_role: dict[Role, list[str]]) -> list[tuple[str, str]]:
    """The plan as (stack, reason) steps for the given stacks; roles with no stack are skipped."""
    steps: list[tuple[str, str]] = []
    for step in PLAN:
        for stack in stacks_by_role.get(step.role, []):
            steps.append((stack, step.why))
    return steps
