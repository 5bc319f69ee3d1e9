"""The synth benchmark's reference for the Pulumi SDK's own cost: the floor's imports (see floor_program), then as
many bare resources as the real program declares per stack (``SECURECART_SDK_RESOURCES``), each a subnet with a
tag and nothing computed by the program. (time - floor) / registrations is then what one registration costs in
the SDK and the offline engine alone: the least the real program's figure per resource can be."""

import os
from typing import Any

import pulumi
import pulumi_aws as aws

from benchmarks.floor_imports import import_recorded_modules

import_recorded_modules()


async def main() -> dict[str, Any]:
    provider = aws.Provider("aws", region=pulumi.Config("aws").require("region"))
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(provider=provider))
    for i in range(max(int(os.environ.get("SECURECART_SDK_RESOURCES", "340")) - 2, 0)):
        aws.ec2.Subnet(f"subnet-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i % 256}.0/24", tags={"Name": f"s{i}"},
                       opts=pulumi.ResourceOptions(provider=provider, parent=vpc))
    return {}


pulumi.run(main)
