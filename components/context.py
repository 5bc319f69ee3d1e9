"""What every tier of a stack shares: the stack context, and the base class a tier is built on.

``StackContext`` is made once per run (``StackContext.create``) from the stack's settings: the one AWS provider,
the account and partition, the time the program runs, and the naming and tagging every tier uses. A tier takes
the context plus arguments of its own (``<Tier>Args``: only what is specific to it, mostly other tiers' resources)
and is a ``Tier``: a component whose children are parented to it (so logical names and URNs stay put when a
constructor is split into methods) and which says what it exports to the stack's outputs (``exports``, a model
from ``components.contract``).
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.contract import Outputs
from components.settings import ConfigError, Role, StackSettings


@dataclass(frozen=True)
class StackContext:
    settings: StackSettings
    provider: aws.Provider
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    now: datetime.datetime  # when the program runs (UTC)
    stack: str  # the Pulumi stack's name

    @staticmethod
    async def create(settings: StackSettings) -> "StackContext":
        """The stack's provider and identity. Fails before anything is created if the account cannot use a
        configured AZ."""
        provider = _provider(settings)
        invoke = pulumi.InvokeOutputOptions(provider=provider)
        await _check_availability_zones(settings, invoke)
        return StackContext(
            settings=settings,
            provider=provider,
            account_id=aws.get_caller_identity_output(opts=invoke).account_id,
            partition=aws.get_partition_output(opts=invoke).partition,
            now=datetime.datetime.now(datetime.UTC),
            stack=pulumi.get_stack(),
        )

    @property
    def region(self) -> str:
        return self.settings.region

    @property
    def environment(self) -> str:
        return self.settings.environment

    @property
    def role(self) -> Role:
        return self.settings.role

    @property
    def peer_stack(self) -> str | None:
        return self.settings.peer_stack

    @property
    def stack_file(self) -> str:
        return f"Pulumi.{self.stack}.yaml"

    @property
    def zones(self) -> list[str]:
        return self.settings.zones

    def invoke_options(self) -> pulumi.InvokeOutputOptions:
        """For data sources (``aws.*.get_*_output``): the stack's provider."""
        return pulumi.InvokeOutputOptions(provider=self.provider)

    def name(self, what: str) -> str:
        """The physical-name prefix of everything SecureCart names: ``securecart-<environment>-<what>``."""
        return f"securecart-{self.environment}-{what}"

    def tags(self, what: str, **extra: str) -> dict[str, str]:
        """A resource's own tags: its ``Name`` plus ``extra`` (the provider adds the stack-wide ones)."""
        return {"Name": self.name(what), **extra}


def _provider(settings: StackSettings) -> aws.Provider:
    """The stack's one AWS provider: its region and default tags come from the stack file. The stack files
    disable the default provider, so nothing can land in a region by accident."""
    tags = {
        "Project": pulumi.get_project(),
        "Stack": pulumi.get_stack(),
        "Environment": settings.environment,
        "ManagedBy": "pulumi",
        **settings.tags,
    }
    return aws.Provider(
        f"aws-{settings.region}",
        region=settings.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
        allowed_account_ids=settings.allowed_account_ids or None,
    )


async def _check_availability_zones(settings: StackSettings, opts: pulumi.InvokeOutputOptions) -> None:
    result = await aws.get_availability_zones_output(state="available", opts=opts).future()
    if result is None:  # unknown during a preview with an unconfigured provider
        return
    missing = sorted(set(settings.zones) - set(result.names))
    if missing:
        raise ConfigError([
            f"securecart:network.availabilityZones: {', '.join(missing)} not available to this account in "
            f"{settings.region} (available: {', '.join(sorted(result.names))})"
        ])


class Tier(pulumi.ComponentResource):
    """A tier of the stack: a component under the stack's provider whose children name themselves through the
    context. Subclasses build in small methods, each parenting what it makes to ``self`` (or to a resource of
    the tier), and end with ``self.done()``, which registers their exports as the component's outputs."""

    def __init__(self, type_token: str, name: str, ctx: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(type_token, name, None,
                         pulumi.ResourceOptions.merge(pulumi.ResourceOptions(providers={"aws": ctx.provider}), opts))
        self.ctx = ctx
        self.child = pulumi.ResourceOptions(parent=self)

    def tags(self, what: str, **extra: str) -> dict[str, str]:
        return self.ctx.tags(what, **extra)

    def exports(self) -> Outputs:
        """What this tier contributes to the stack's outputs (``components.contract``)."""
        raise NotImplementedError

    def done(self) -> None:
        self.register_outputs(self.exports().dump())


def options(parent: pulumi.Resource, **kwargs: Any) -> pulumi.ResourceOptions:
    """Resource options with ``parent`` (the usual case inside a tier)."""
    return pulumi.ResourceOptions(parent=parent, **kwargs)
