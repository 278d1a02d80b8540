"""One measurement inside a Lambda-like interpreter; ``bench.lambda_env`` runs it.

Run by the runtime-like venv's Python (3.13, only boto3 installed, as the Lambda
runtime has it) with ``PYTHONDONTWRITEBYTECODE=1``. It uses the standard library,
boto3 and the ``sam build`` output only, never this checkout's sources::

    python lambda_probe.py CASE BUILD_DIR|- [LAYER ...]

``sys.path`` becomes Lambda's: the function folder (``/var/task``), then each layer's
``python/`` folder (``/opt/python``), then the runtime's site-packages. HTTP is stubbed
at botocore's ``before-send``: everything up to the wire (parameter validation,
serialization, signing) and the response parsing run as in Lambda. The case prints
one JSON object: CPU seconds (``time.process_time``) and, for memory cases, bytes.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time

START = time.process_time()
LAMBDA_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "EVENT_BUS_NAME": "bench-bus",
    "RAW_MAIL_BUCKET": "bench-raw-mail",
    "POWERTOOLS_METRICS_NAMESPACE": "sesbridge",
}

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-inbound"
MAIL_BUCKET = "bench-receipts"
MAIL_KEY = "inbound/bench-mail"


def emit(**figures: object) -> None:
    sys.__stdout__.write("BENCH " + json.dumps(figures) + "\n")
    sys.__stdout__.flush()


class _Raw:
    """The ``raw`` of a botocore AWSResponse: what urllib3 would have streamed."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def stream(self, amt: int = 1024 * 1024, decode_content: bool = True):
        while chunk := self.read(amt):
            yield chunk

    def close(self) -> None:
        self._at = len(self._data)

    def read(self, amt: int | None = None) -> bytes:
        end = len(self._data) if amt is None else self._at + amt
        chunk = self._data[self._at : end]
        self._at += len(chunk)
        return chunk


class FakeAws:
    """Answers every request at ``before-send``: PutEvents, S3 GetObject/PutObject."""

    def __init__(self, objects: dict[str, bytes] | None = None) -> None:
        self.objects = objects or {}
        self.put_events_bodies: list[bytes] = []

    def __call__(self, request, **kwargs):
        from botocore.awsrequest import AWSResponse

        target = request.headers.get("X-Amz-Target", b"")
        if isinstance(target, bytes):
            target = target.decode()
        if target.endswith("PutEvents"):
            body = request.body if isinstance(request.body, bytes) else request.body.encode()
            self.put_events_bodies.append(body)
            count = body.count(b'"DetailType"')
            answer = json.dumps(
                {"FailedEntryCount": 0, "Entries": [{"EventId": f"e{i}"} for i in range(count)]}
            ).encode()
            headers = {"Content-Type": "application/x-amz-json-1.1"}
            return AWSResponse(request.url, 200, headers, _Raw(answer))
        if request.method == "GET":
            data = self.objects[request.url.split("?")[0].rsplit("/", 1)[-1]]
            headers = {"Content-Length": str(len(data)), "ETag": '"bench"'}
            return AWSResponse(request.url, 200, headers, _Raw(data))
        if request.method == "PUT":
            return AWSResponse(request.url, 200, {"ETag": '"bench"'}, _Raw(b""))
        raise AssertionError(f"unexpected request {request.method} {request.url}")

    def install(self) -> None:
        """On the default session, so every client made later (the handler's too) has it."""
        import boto3

        boto3.setup_default_session()
        boto3.DEFAULT_SESSION.events.register("before-send", self)


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench-request"


def sns_event(message: str, topic: str = TOPIC) -> dict:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": topic + ":sub",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "0b5e6f3a-6c55-5b0e-9a34-53b7e0c7f2a1",
                    "TopicArn": topic,
                    "Subject": None,
                    "Message": message,
                    "Timestamp": "2026-11-24T10:00:01.000Z",
                    "SignatureVersion": "1",
                    "Signature": "",
                    "SigningCertUrl": "",
                    "UnsubscribeUrl": "",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def s3_receipt(key: str) -> str:
    """An SES "Received" notification of an S3 action that stored ``key``."""
    return json.dumps(
        {
            "notificationType": "Received",
            "mail": {
                "timestamp": "2026-11-24T10:00:00.000Z",
                "source": "sender@example.com",
                "messageId": "bench-message-id",
                "destination": ["inbox@example.org"],
                "headersTruncated": False,
                "headers": [],
                "commonHeaders": {"from": ["sender@example.com"], "to": ["inbox@example.org"]},
            },
            "receipt": {
                "timestamp": "2026-11-24T10:00:00.000Z",
                "processingTimeMillis": 500,
                "recipients": ["inbox@example.org"],
                "spamVerdict": {"status": "PASS"},
                "virusVerdict": {"status": "PASS"},
                "spfVerdict": {"status": "PASS"},
                "dkimVerdict": {"status": "PASS"},
                "dmarcVerdict": {"status": "PASS"},
                "action": {
                    "type": "S3",
                    "topicArn": TOPIC,
                    "bucketName": MAIL_BUCKET,
                    "objectKeyPrefix": "inbound/",
                    "objectKey": key,
                },
            },
        }
    )


# -- mails --


def large_mail(target: int = 30 * 1024 * 1024) -> bytes:
    """About ``target`` bytes: text, html, an inline image and six base64 attachments."""
    from email.message import EmailMessage

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


def header_heavy_mail(words: int, where: str) -> bytes:
    """A mail whose ``where`` header (Subject or From) is ``words`` RFC 2047 encoded words."""
    word = "=?utf-8?q?caf=C3=A9?="
    if where == "From":
        value = " ".join([word] * words) + " <sender@example.com>"
    else:
        value = " ".join([word] * words)
    head = (
        f"{where}: {value}\r\n"
        + ("Subject: plain\r\n" if where != "Subject" else "From: sender@example.com\r\n")
        + "To: inbox@example.org\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return head.encode() + b"Hello.\r\n"


def padded(mail: bytes, size: int) -> bytes:
    """A plain mail of ``size`` bytes: ordinary headers, the rest body text."""
    head = (
        b"From: sender@example.com\r\nTo: inbox@example.org\r\nSubject: plain\r\n"
        b"Date: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    line = b"The quick brown fox jumps over the lazy dog.\r\n"
    return head + line * ((size - len(head)) // len(line))


# -- cases --


def cold(service: str, handler: bool, extra: str = "") -> None:
    if handler:
        import app  # noqa: F401
    import boto3

    boto3.client(service)
    if extra:
        __import__(extra)
    emit(cpu=time.process_time() - START)


def warm_tracking(floor: bool, rounds: int) -> None:
    import boto3

    samples = json.loads(sys.stdin.read())
    fake = FakeAws()
    fake.install()
    if floor:
        client = boto3.client("events")
        # The entries the handler sent for each sample, Time as the ISO text it carries.
        entries = [json.loads(e) for e in json.loads(os.environ["BENCH_ENTRIES"])]
        texts = [json.dumps(s) for s in samples]

        def one_round() -> None:
            for text, batch in zip(texts, entries, strict=True):
                record = json.loads(text)["Records"][0]
                json.loads(record["Sns"]["Message"])
                for i in range(0, len(batch), 10):
                    client.put_events(Entries=batch[i : i + 10])
    else:
        import io

        import app

        texts = [json.dumps(s) for s in samples]
        context = Context()

        def one_round() -> None:
            for text in texts:
                app.lambda_handler(json.loads(text), context)

        sys.stdout = io.StringIO()  # Powertools prints EMF metrics; Lambda ships them to logs
    one_round()  # first invocation: clients built, lazy imports done
    best = float("inf")
    for _ in range(rounds):
        if not floor:
            sys.stdout.seek(0)
            sys.stdout.truncate()
        start = time.process_time()
        one_round()
        best = min(best, time.process_time() - start)
    if not floor and os.environ.get("BENCH_DUMP_ENTRIES"):
        fake.put_events_bodies.clear()
        one_round()
        emit(entries=[b.decode() for b in fake.put_events_bodies])
    emit(cpu=best / len(samples))


def inbound_mail(floor: bool, rounds: int) -> None:
    import boto3

    raw = large_mail()
    fake = FakeAws({"bench-mail": raw})
    fake.install()
    if floor:
        from email import message_from_bytes, policy

        s3 = boto3.client("s3")

        def once() -> None:
            data = s3.get_object(Bucket=MAIL_BUCKET, Key=MAIL_KEY)["Body"].read()
            assert message_from_bytes(data, policy=policy.default)["Subject"]
    else:
        import io

        import app

        event = sns_event(s3_receipt(MAIL_KEY))
        sys.stdout = io.StringIO()

        def once() -> None:
            result = app.lambda_handler(event, Context())
            assert result["errors"] == 0, result

    once()
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        once()
        best = min(best, time.process_time() - start)
    emit(cpu=best, size=len(raw))


def inbound_memory(words: int, where: str, plain: bool) -> None:
    """Peak traced allocations of the handler on one mail (tracemalloc, after warm-up)."""
    import io
    import resource
    import tracemalloc

    import app

    mail = header_heavy_mail(words, where)
    if plain:
        mail = padded(mail, len(mail))
    fake = FakeAws({"bench-mail": mail, "warm-up": padded(b"", 2000)})
    fake.install()
    # The function has 1 GB: never let a runaway parse take the machine down.
    limit = int(os.environ.get("BENCH_MEMORY_LIMIT", str(1536 * 1024 * 1024)))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.stdout = io.StringIO()
    app.lambda_handler(sns_event(s3_receipt("inbound/warm-up")), Context())
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    try:
        result = app.lambda_handler(sns_event(s3_receipt(MAIL_KEY)), Context())
        peak = tracemalloc.get_traced_memory()[1] - before
        outcome = "published" if result.get("inbound") else "error event"
    except MemoryError:
        peak, outcome = limit, "MemoryError"
    tracemalloc.stop()
    emit(peak=peak, size=len(mail), outcome=outcome)


def main(case: str, build: str, layers: list[str]) -> None:
    # "-": no function code at all (the bare-boto3 references)
    code = [build, *(os.path.join(layer, "python") for layer in layers)] if build != "-" else []
    sys.path[0:1] = code
    os.environ.update(LAMBDA_ENV)
    kind, _, arg = case.partition(":")
    if kind == "cold":
        service, handler, extra = ([*arg.split(","), "", ""])[:3]
        cold(service, handler == "handler", extra)
    elif kind == "warm-tracking":
        warm_tracking(arg == "floor", int(os.environ.get("BENCH_ROUNDS", "5")))
    elif kind == "inbound-mail":
        inbound_mail(arg == "floor", int(os.environ.get("BENCH_ROUNDS", "3")))
    elif kind == "inbound-memory":
        words, where, plain = arg.split(",")
        inbound_memory(int(words), where, plain == "plain")
    else:
        raise SystemExit(f"unknown case {case}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
