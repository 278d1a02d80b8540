"""Inbound function: cold start, a 30 MB mail, header-heavy mail, encrypted mail.

As Lambda runs it (``bench.lambda_env``: the ``sam build`` output, Python 3.13 with only
boto3, no bytecode written, HTTP stubbed at botocore's ``before-send``):

- cold start: handler import + s3 client, against boto3 + s3 client (CPU time);
- a 30 MB mail with attachments through the S3 action, the handler against reading
  the same object and ``email.message_from_bytes`` (CPU time), bound 1.10x;
- header-heavy mail: peak traced allocations of the handler on a 64 KB mail whose
  Subject or From is 3,000 RFC 2047 encoded words (and a 300 KB From), against the
  same handler on a plain mail of the same size.

In this checkout's venv, with moto in-process (reads and parsing alike on both sides):

- memory of the 30 MB mail: peak traced Python allocations (``tracemalloc``) over the
  level before the run, bound 3x the message size. It counts exactly what the run
  allocates, from a baseline that excludes the interpreter, moto and the stored object;
  it also counts moto's own copies of the object while serving GetObject, so the figure
  is an upper bound for Lambda, where the body streams from the network;
- the same mail client-side encrypted (KMS): time, no bound.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import time
import tracemalloc
from email import message_from_bytes
from email import policy as email_policy

from bench.common import Result, interleaved
from bench.lambda_env import (
    COLD_START_ROUNDS,
    cold_start_cpu,
    cold_start_instructions,
    layers,
    probe,
)
from bench.lambda_probe import large_mail

FUNCTION = "InboundFunction"
# The encryption layer holds compiled code: the one built for this machine.
ENCRYPTION_LAYER = {
    "aarch64": "ReceiptEncryptionLayerArm64",
    "arm64": "ReceiptEncryptionLayerArm64",
}.get(platform.machine(), "ReceiptEncryptionLayerX8664")
BUCKET = "bench-receipts"
KEY = "inbound/bench-30mb"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-inbound"


def _notification() -> dict:
    from tests.inbound_samples import s3_action

    return s3_action(BUCKET, KEY)


def run() -> list[Result]:
    return [
        cold_start(),
        *cold_start_counted(),
        *cold_start_encrypted(),
        mail_time(),
        *header_memory(),
        *in_process(),
    ]


def cpu_of(
    case: str,
    layers: tuple[str, ...] = ("SesbridgeLayer",),
    function: str | None = FUNCTION,
    **kwargs,
) -> float:
    return probe(case, function, layers, **kwargs)[-1]["cpu"]


def cold_start() -> Result:
    handler, boto3 = cold_start_cpu(FUNCTION, "s3")
    return Result(
        "cold start: inbound handler import + s3 client vs boto3 + s3 client",
        handler * 1e3,
        boto3 * 1e3,
        "ms CPU",
        limit=1.15,
        note=f"median of {COLD_START_ROUNDS} fresh interpreters each;"
        " default deployment (no encryption layer)",
    )


def cold_start_counted() -> list[Result]:
    counts = cold_start_instructions(FUNCTION, "s3")
    if counts is None:
        return []  # valgrind not installed: the CPU-time figure stands alone
    return [
        Result(
            "cold start, instructions: inbound handler import + s3 client vs boto3 + s3 client",
            counts[0] / 1e6,
            counts[1] / 1e6,
            "M instructions",
            note="valgrind, one run each: no noise, no cache misses",
        )
    ]


def cold_start_encrypted() -> list[Result]:
    """What a deployment with ReceiptKmsKeyArn pays: the encryption layer on the path,
    and the encryption client loaded when the first encrypted mail arrives."""
    if not layers(ENCRYPTION_LAYER):
        return []
    with_layer = ("SesbridgeLayer", ENCRYPTION_LAYER)
    handler, boto3 = cold_start_cpu(FUNCTION, "s3", with_layer, also_import="s3_encryption")
    return [
        Result(
            "cold start, encrypted receipts: handler + s3 client + encryption client",
            handler * 1e3,
            boto3 * 1e3,
            "ms CPU",
            note="vs boto3 + s3 client; the encryption layer attached (ReceiptKmsKeyArn set)",
        )
    ]


def mail_time(rounds: int = 2) -> Result:
    ours = floor = float("inf")
    size = 0
    for _ in range(rounds):
        [figures] = probe("inbound-mail:handler", FUNCTION, env={"BENCH_ROUNDS": "2"})
        ours, size = min(ours, figures["cpu"]), figures["size"]
        floor = min(floor, cpu_of("inbound-mail:floor", function=None, env={"BENCH_ROUNDS": "2"}))
    return Result(
        "30 MB mail via S3 action: handler CPU vs read + email.message_from_bytes",
        ours,
        floor,
        "s CPU",
        limit=1.10,
        note=f"{size / 1e6:.1f} MB; the handler also hashes, builds, fits and publishes",
    )


# (encoded words, header): the 64 KB mails of the fuzzing findings, and a 300 KB header.
HEADER_CASES = ((3000, "Subject"), (3000, "From"), (14000, "From"))
# A parser that bounds what a header may cost stays within this of a plain mail's peak.
HEADER_MEMORY_BOUND = 20.0


def header_memory() -> list[Result]:
    results = []
    for words, where in HEADER_CASES:
        [heavy] = probe(f"inbound-memory:{words},{where},heavy", FUNCTION, timeout=300)
        [plain] = probe(f"inbound-memory:{words},{where},plain", FUNCTION)
        results.append(
            Result(
                f"header-heavy mail ({heavy['size'] // 1024} KB, {where} of {words} encoded"
                " words): peak memory",
                heavy["peak"] / 1e6,
                plain["peak"] / 1e6,
                "MB",
                limit=HEADER_MEMORY_BOUND,
                note=f"vs a plain mail of the same size; {heavy['outcome']}",
            )
        )
    return results


def in_process() -> list[Result]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    import boto3
    from moto import mock_aws
    from sesbridge.inbound.normalizer import InboundNormalizer
    from sesbridge.pipeline import process_sns_event
    from sesbridge.publishing import EventBridgePublisher

    from tests.conftest import sns_lambda_event

    raw = large_mail()
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=raw)
        s3.create_bucket(Bucket="bench-raw-mail")
        boto3.client("events").create_event_bus(Name="bench")
        normalizer = InboundNormalizer(
            s3_client=s3, raw_mail_bucket="bench-raw-mail", source="sesbridge"
        )
        publisher = EventBridgePublisher("bench", "sesbridge")
        event = sns_lambda_event(json.dumps(_notification()), topic_arn=TOPIC)

        def sesbridge_run() -> float:
            start = time.perf_counter()
            outcome = process_sns_event(
                event, function="inbound", normalize=normalizer, publisher=publisher
            )
            elapsed = time.perf_counter() - start
            assert outcome.errors == 0 and len(outcome.entries) == 1
            return elapsed

        def floor_run() -> float:
            start = time.perf_counter()
            data = s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
            message = message_from_bytes(data, policy=email_policy.default)
            elapsed = time.perf_counter() - start
            assert message["Subject"]
            return elapsed

        measured, floor = interleaved(sesbridge_run, floor_run, rounds=3)
        peak = _peak_bytes(sesbridge_run)
        floor_peak = _peak_bytes(floor_run)
        encrypted = _encrypted_time(s3, raw, normalizer, publisher)

    mb = len(raw) / 1e6
    return [
        Result("30 MB mail via S3 action, moto in-process: time", measured, floor, "s", None,
               f"floor = GetObject read + stdlib parse; {mb:.1f} MB; this venv"),
        Result("30 MB mail via S3 action: peak memory", peak / 1e6, len(raw) / 1e6, "MB", 3.0,
               f"reference = message size; floor's own peak {floor_peak / 1e6:.0f} MB"),
        Result("30 MB encrypted mail via S3 action: time", encrypted, floor, "s", None,
               "client-side encrypted (KMS), against the plain floor; no bound"),
    ]  # fmt: skip


def _encrypted_time(s3, raw: bytes, normalizer, publisher) -> float:
    """The same mail, stored as an encrypting SES receipt rule stores it."""
    import boto3
    from s3_encryption import S3EncryptionClient, S3EncryptionClientConfig
    from s3_encryption.materials.kms_keyring import KmsKeyring
    from s3_encryption.materials.materials import AlgorithmSuite, CommitmentPolicy
    from sesbridge.inbound.decryption import ObjectDecryptor
    from sesbridge.pipeline import process_sns_event

    from tests.conftest import sns_lambda_event
    from tests.inbound_samples import s3_action

    kms = boto3.client("kms")
    key = kms.create_key()["KeyMetadata"]["Arn"]
    config = S3EncryptionClientConfig(
        KmsKeyring(kms, key),
        encryption_algorithm=AlgorithmSuite.ALG_AES_256_GCM_IV12_TAG16_NO_KDF,
        commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    )
    S3EncryptionClient(boto3.client("s3"), config).put_object(
        Bucket=BUCKET, Key=KEY + "-encrypted", Body=raw
    )
    normalizer.decryptor = ObjectDecryptor(key)
    event = sns_lambda_event(json.dumps(s3_action(BUCKET, KEY + "-encrypted")), topic_arn=TOPIC)

    def once() -> float:
        start = time.perf_counter()
        outcome = process_sns_event(
            event, function="inbound", normalize=normalizer, publisher=publisher
        )
        assert outcome.errors == 0, outcome.entries
        return time.perf_counter() - start

    return min(once() for _ in range(3))


def _peak_bytes(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
