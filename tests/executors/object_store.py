"""A reference S3/Azure executor: list objects with their LastModified, process the new ones.

The listing goes through boto3 (against moto in the tests). Azure jobs take
the same path: for the plugin the two differ only in their connector name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class ObjectRunResult:
    processed: list[str]
    committed: bool


def list_objects(s3, bucket: str, prefix: str) -> dict[str, datetime]:
    listing = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            listing[item["Key"]] = item["LastModified"]
    return listing


def run_object_job(extension, job_id: str, s3, bucket: str, prefix: str) -> ObjectRunResult:
    run = extension.begin_run(job_id)
    listing = list_objects(s3, bucket, prefix)
    seen = run.processed(listing)
    todo = sorted(
        key
        for key, modified in listing.items()
        if key not in seen or modified > datetime.fromisoformat(seen[key])
    )
    for key in todo:
        s3.get_object(Bucket=bucket, Key=key)["Body"].read()  # "process" the object
    committed = bool(todo) and run.commit(
        {"files": {key: listing[key].isoformat() for key in todo}}
    )
    return ObjectRunResult(todo, committed)
