"""Inbound: a 30 MB mail with attachments through the S3 action, against the stdlib floor.

Both sides read the same object from S3 (moto, in-process) and parse it with the
standard library's email parser (``policy.default``); sesbridge also hashes it,
builds and fits the event and publishes it to a bus.

- time: best of interleaved rounds, bound 1.5x the floor (read whole + parse).
- memory: peak traced Python allocations (``tracemalloc``) over the level before the
  run, bound 3x the message size. tracemalloc counts exactly what the run allocates,
  from a baseline that excludes the interpreter, moto and the stored object; it also
  counts moto's own copies of the object while serving GetObject, so the figure is an
  upper bound for Lambda, where the body streams from the network.
"""

from __future__ import annotations

import gc
import json
import os
import random
import time
import tracemalloc
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage

from bench.common import Result, interleaved

MESSAGE_BYTES = 30 * 1024 * 1024
BUCKET = "bench-receipts"
KEY = "inbound/bench-30mb"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-inbound"


def build_mail(target: int = MESSAGE_BYTES) -> bytes:
    """A mail of about ``target`` bytes: text, html, an inline image and six attachments."""
    rng = random.Random(4)
    mail = EmailMessage()
    mail["From"] = "Bench Sender <sender@example.com>"
    mail["To"] = "inbox@example.org"
    mail["Subject"] = "Quarterly figures \u2013 30 MB"
    mail["Date"] = "Tue, 24 Nov 2026 10:00:00 +0000"
    mail.set_content("Figures attached.\n" * 2000)
    mail.add_alternative("<p>Figures attached.</p>" * 2000, subtype="html")
    mail.get_payload()[1].add_related(
        rng.randbytes(200_000), maintype="image", subtype="png", cid="<chart@x>"
    )
    # base64 grows data by 4/3 (plus line ends): size the attachments to hit the target
    per_part = int((target - len(mail.as_bytes())) * 0.74 / 6)
    for i in range(6):
        mail.add_attachment(
            rng.randbytes(per_part), maintype="application", subtype="pdf", filename=f"f{i}.pdf"
        )
    return mail.as_bytes()


def _notification() -> dict:
    from tests.inbound_samples import s3_action

    return s3_action(BUCKET, KEY)


def run() -> list[Result]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    import boto3
    from moto import mock_aws
    from sesbridge.inbound.normalizer import InboundNormalizer
    from sesbridge.pipeline import process_sns_event
    from sesbridge.publishing import EventBridgePublisher

    from tests.conftest import sns_lambda_event

    raw = build_mail()
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
        Result("30 MB mail via S3 action: time", measured, floor, "s", 1.5,
               f"floor = GetObject read + stdlib parse; {mb:.1f} MB"),
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
