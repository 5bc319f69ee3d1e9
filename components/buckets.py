"""A private, versioned, encrypted S3 bucket with its v7 settings resources, written once for every tier.

pulumi-aws v7 splits a bucket's settings into resources of their own. Every SecureCart bucket gets the same ones:
all four public-access blocks, ACLs disabled (bucket owner enforced), default encryption, versioning and a
lifecycle. The bucket is protected; its settings are its children and stay replaceable (protect is inherited
otherwise). Names are ``<name>-bpa``, ``<name>-ownership``, ``<name>-sse``, ``<name>-versioning`` and
``<name>-lifecycle``, so a tier that adopts the helper keeps its URNs.
"""

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class PrivateBucket:
    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    settings: pulumi.ResourceOptions  # options for further settings resources (policy, logging, ...)


ABORT_INCOMPLETE_UPLOADS_DAYS = 7


def with_abort(rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict],
               ) -> list[aws.s3.BucketLifecycleConfigurationRuleArgsDict]:
    """Every rule also aborts multipart uploads left incomplete for a week (their parts are stored, and billed,
    until then; FSBP S3.13 / Checkov CKV_AWS_300), unless it says otherwise. S3 refuses that action in a rule
    filtered by object tags, so such a rule is left as it is."""
    def tagged(rule: aws.s3.BucketLifecycleConfigurationRuleArgsDict) -> bool:
        f: Any = rule.get("filter") or {}
        both: Any = (f.get("and_") or f.get("and") or {}) if isinstance(f, dict) else {}  # and_: Python's key
        return isinstance(f, dict) and bool(f.get("tag") or (isinstance(both, dict) and both.get("tags")))
    return [rule if "abort_incomplete_multipart_upload" in rule or tagged(rule) else
            {**rule, "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS}}
            for rule in rules]


def private_bucket(name: str, *, parent: pulumi.Resource, tags: dict[str, str],
                   lifecycle_rules: list[aws.s3.BucketLifecycleConfigurationRuleArgsDict],
                   kms_key_arn: pulumi.Input[str] | None = None, bucket_name: str | None = None) -> PrivateBucket:
    """SSE-KMS with a bucket key when ``kms_key_arn`` is given, else SSE-S3 (what S3 access logs and ELB logs
    require of their target). The lifecycle waits for versioning, which noncurrent-version rules need."""
    bucket = aws.s3.Bucket(name, bucket=bucket_name, force_destroy=False, tags=tags,
                           opts=pulumi.ResourceOptions(parent=parent, protect=True))
    settings = pulumi.ResourceOptions(parent=bucket, protect=False)
    aws.s3.BucketPublicAccessBlock(f"{name}-bpa", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True, opts=settings)
    aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.id,
                                   rule={"object_ownership": "BucketOwnerEnforced"}, opts=settings)
    rule: aws.s3.BucketServerSideEncryptionConfigurationRuleArgsDict = (
        {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn},
         "bucket_key_enabled": True}
        if kms_key_arn is not None else {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}})
    aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=bucket.id, rules=[rule], opts=settings)
    versioning = aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                                         versioning_configuration={"status": "Enabled"}, opts=settings)
    aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, rules=with_abort(lifecycle_rules),
                                        opts=pulumi.ResourceOptions(parent=bucket, protect=False,
                                                                    depends_on=[versioning]))
    return PrivateBucket(bucket=bucket, versioning=versioning, settings=settings)
