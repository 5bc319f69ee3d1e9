"""The usage assumptions of the monthly cost estimate (``securecart:costs``): what the synthesized resources cannot
say (data through NAT, requests through WAF, load-balancer capacity units, hours at the scaling maximum). Nothing
here builds a resource; ``securecart synth --cost`` multiplies these by the unit prices in
``automation/data/prices.json`` over the synthesized resources (``automation/cost.py``).

Every figure is per stack and per month. Where a stack has several resources of a kind (NAT gateways, web ACLs,
interface endpoints), the stack's figure is spread evenly over them, so that each tier carries its share.
"""

from typing import Annotated

from pydantic import Field

from components.settings.types import Model

HOURS_PER_MONTH = 730  # AWS's month in its pricing examples; prices.json says the same (hoursPerMonth)

NonNegative = Annotated[float, Field(ge=0)]
BucketName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]


class S3Usage(Model):
    """S3 storage and requests per bucket, by the bucket's logical name (``images``, ``lb-logs``, ``access-logs``)."""

    default_storage_gb: NonNegative = Field(
        default=50.0, alias="defaultStorageGb",
        description="GB stored (Standard) in each bucket not named in storageGb; default 50.")
    storage_gb: dict[BucketName, NonNegative] = Field(
        default_factory=dict, alias="storageGb",
        description="GB stored (Standard) per bucket logical name; default none (every bucket defaultStorageGb).")
    put_thousands: dict[BucketName, NonNegative] = Field(
        default_factory=dict, alias="putThousands",
        description="Thousands of PUT/COPY/POST/LIST requests per month per bucket logical name; default none "
                    "(no requests counted).")
    get_thousands: dict[BucketName, NonNegative] = Field(
        default_factory=dict, alias="getThousands",
        description="Thousands of GET requests per month per bucket logical name; default none (no requests "
                    "counted).")
    replicated_gb: NonNegative = Field(
        default=100.0, alias="replicatedGb",
        description="GB each replication configuration copies to another region per month (inter-region "
                    "transfer); default 100.")


class CostSettings(Model):
    """``securecart:costs``: the monthly usage the estimate assumes for this stack (defaults: a mid-sized shop)."""

    nat_data_gb: NonNegative = Field(
        default=2000.0, alias="natDataGb",
        description="GB processed by the stack's NAT gateways per month, all of them together; default 2000.")
    transit_gateway_data_gb: NonNegative = Field(
        default=1000.0, alias="transitGatewayDataGb",
        description="GB sent into the stack's Transit Gateway per month from its VPC, VPN and Direct Connect "
                    "attachments; default 1000.")
    interface_endpoint_data_gb: NonNegative = Field(
        default=500.0, alias="interfaceEndpointDataGb",
        description="GB processed by the stack's interface endpoints per month, all of them together; "
                    "default 500.")
    gwlb_endpoint_data_gb: NonNegative = Field(
        default=3000.0, alias="gwlbEndpointDataGb",
        description="GB through the Gateway Load Balancer endpoints per month (the inspected traffic), all of "
                    "them together; default 3000.")
    cloudfront_data_gb: NonNegative = Field(
        default=5000.0, alias="cloudfrontDataGb",
        description="GB CloudFront serves to viewers per month (only where the stack has a distribution); "
                    "default 5000.")
    cloudfront_requests_millions: NonNegative = Field(
        default=100.0, alias="cloudfrontRequestsMillions",
        description="Millions of HTTPS requests CloudFront serves per month (only with a distribution); "
                    "default 100.")
    waf_requests_millions: NonNegative = Field(
        default=150.0, alias="wafRequestsMillions",
        description="Millions of requests the stack's web ACLs inspect per month, all of them together; "
                    "default 150.")
    alb_lcus: NonNegative = Field(
        default=5.0, alias="albLcus",
        description="Average LCUs each Application Load Balancer uses per hour; default 5.")
    nlb_lcus: NonNegative = Field(
        default=2.0, alias="nlbLcus",
        description="Average NLCUs each Network Load Balancer uses per hour; default 2.")
    gwlb_lcus: NonNegative = Field(
        default=3.0, alias="gwlbLcus",
        description="Average GLCUs each Gateway Load Balancer uses per hour; default 3.")
    accelerator_data_gb: NonNegative = Field(
        default=1000.0, alias="acceleratorDataGb",
        description="GB through Global Accelerator per month in the dominant direction (only with an "
                    "accelerator); default 1000.")
    dynamodb_reads_millions: NonNegative = Field(
        default=200.0, alias="dynamodbReadsMillions",
        description="Millions of read request units per month on each on-demand table of the stack; default 200.")
    dynamodb_writes_millions: NonNegative = Field(
        default=50.0, alias="dynamodbWritesMillions",
        description="Millions of write request units per month on each on-demand table; each replica region "
                    "is charged as many replicated writes; default 50.")
    dynamodb_storage_gb: NonNegative = Field(
        default=20.0, alias="dynamodbStorageGb",
        description="GB stored in each table, and again in each of its replicas; default 20.")
    rds_storage_gb: NonNegative | None = Field(
        default=None, alias="rdsStorageGb",
        description="GB of storage each database instance holds; default none: the writer's allocatedStorage, "
                    "and for a replica securecart:data.database.allocatedStorage (a replica takes its source's).")
    peak_hours: float = Field(
        default=60.0, alias="peakHours", ge=0, le=HOURS_PER_MONTH,
        description="Hours per month the services run at their scaling maximum (maxTasks); the rest of the "
                    f"month they run at minTasks; default 60, at most {HOURS_PER_MONTH}.")
    s3: S3Usage = Field(
        default_factory=S3Usage,
        description="S3 storage, requests and replication per bucket; default 50 GB in each bucket, no "
                    "requests, 100 GB replicated per replication configuration.")
