"""The deployment order that converges from nothing, written down once.

Both the offline synth and the Automation API driver walk this plan. A step deploys one stack, reading its peer's
outputs as they stand after the steps before it. After the plan, steps repeat until no stack's outputs change.
"""

from dataclasses import dataclass

from components.config import Role


@dataclass(frozen=True)
class Step:
    role: Role
    why: str


PLAN: tuple[Step, ...] = (
    Step(Role.SECONDARY, "the secondary region first: its VPC and outputs (CIDR, IDs) exist before the primary "
                         "reads them for cross-region checks and routes"),
    Step(Role.PRIMARY, "the primary region with the global resources, reading the secondary's outputs"),
    Step(Role.SECONDARY, "the secondary again, now reading the primary's outputs (for everything the primary "
                         "owns that the secondary attaches to)"),
)

MAX_ROUNDS = 4  # full passes over the stacks after the plan before the synth declares non-convergence


def order(stacks_by_role: dict[Role, list[str]]) -> list[tuple[str, str]]:
    """The plan as (stack, reason) steps for the given stacks; roles with no stack are skipped."""
    steps: list[tuple[str, str]] = []
    for step in PLAN:
        for stack in stacks_by_role.get(step.role, []):
            steps.append((stack, step.why))
    return steps
