"""Tenants: ``tenant=`` (or the SESBRIDGE_TENANT default) becomes SES's TenantName."""

from __future__ import annotations

import pytest
from sesbridge import EmailMessage, InvalidMessage, SenderSettings
from sesbridge.sending.payload import SendEmailRequest, build_requests
from sesbridge.testing import outbox

FROM = "shop@example.com"


def _params(message: EmailMessage, **settings: object) -> dict:
    request = build_requests(message, SenderSettings(**settings))  # type: ignore[arg-type]
    return request.params if isinstance(request, SendEmailRequest) else request[0].params


def test_message_tenant_beats_the_default_and_esp_extra_beats_both() -> None:
    plain = EmailMessage("Hi", "x", FROM, ["a@example.net"], tenant="acme")
    assert _params(plain, tenant="default-co")["TenantName"] == "acme"
    assert (
        _params(EmailMessage("Hi", "x", FROM, ["a@example.net"]), tenant="d")["TenantName"] == "d"
    )
    assert "TenantName" not in _params(EmailMessage("Hi", "x", FROM, ["a@example.net"]))
    extra = EmailMessage(
        "Hi", "x", FROM, ["a@example.net"], tenant="acme", esp_extra={"TenantName": "x"}
    )
    assert _params(extra)["TenantName"] == "x"


def test_template_sends_carry_the_tenant_on_every_call() -> None:
    message = EmailMessage(
        from_email=FROM, to=[f"r{n}@example.net" for n in range(60)], template_id="t", tenant="acme"
    )
    requests = build_requests(message, SenderSettings())
    assert isinstance(requests, list) and len(requests) == 2
    assert {r.params["TenantName"] for r in requests} == {"acme"}


def test_the_environment_default() -> None:
    settings = SenderSettings.from_environment({"SESBRIDGE_TENANT": "env-co"})
    assert settings.tenant == "env-co"
    assert SenderSettings.from_environment({"SESBRIDGE_TENANT": ""}).tenant is None


@pytest.mark.parametrize("tenant", ["", "a" * 65, "acme corp", "acme.co", "äcme"])
def test_names_ses_refuses_are_invalid_before_any_call(tenant: str) -> None:
    with pytest.raises(InvalidMessage, match="tenant"):
        _params(EmailMessage("Hi", "x", FROM, ["a@example.net"], tenant=tenant))
    with pytest.raises(InvalidMessage, match="tenant"):
        _params(EmailMessage("Hi", "x", FROM, ["a@example.net"]), tenant=tenant)


def test_a_tenant_that_is_not_a_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match='"tenant" must be a string'):
        EmailMessage("Hi", "x", FROM, ["a@example.net"], tenant=7)  # type: ignore[arg-type]


def test_botocore_model_takes_tenant_name_on_both_operations() -> None:
    # The outbox validates parameters against botocore's sesv2 model.
    with outbox() as sent:
        EmailMessage("Hi", "x", FROM, ["a@example.net"], tenant="a" * 64).send()
        EmailMessage(from_email=FROM, to=["b@example.net"], template_id="t", tenant="acme").send()
    assert [mail.calls[0][1]["TenantName"] for mail in sent] == ["a" * 64, "acme"]
