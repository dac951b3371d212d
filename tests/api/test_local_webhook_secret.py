"""`make run` makes the payments webhook usable locally: a secret generated on the first run (kept
with the dev keys), the same on every run, with which a signed delivery is taken and a badly signed
one is refused with 401, not 503."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shared.enrollment import payments
from shared.localrun import local_webhook_secret, print_webhook_secret
from shared.platform.clock import ManualClock
from shared.platform.runtime import Platform
from tests.api.test_enrollment_webhook import deliver, order, signature
from tests.factories import published_course


def test_the_local_webhook_secret_is_made_once_and_signs_deliveries(
    client: TestClient, platform: Platform, clock: ManualClock, make_tenant, capsys
) -> None:
    tenant = make_tenant()
    course = published_course(client, tenant, price={"amount": 10, "currency": "EUR"})["id"]
    body = order(tenant, course)
    assert deliver(client, body, clock, header="t=1,v1=" + "0" * 64).status_code in (401, 503)
    print_webhook_secret(platform)
    secret = local_webhook_secret(platform)
    assert secret.startswith("whsec_") and local_webhook_secret(platform) == secret
    assert platform.secrets.get(payments.SECRET_NAME) == secret
    assert str(platform.settings.data_dir / "keys" / "secrets.json") in capsys.readouterr().out
    now = int(clock.now().timestamp())
    wrong = deliver(client, body, clock, header=signature(body, now, secret="not-the-secret"))
    assert wrong.status_code == 401, wrong.text
    taken = deliver(client, body, clock, header=signature(body, now, secret=secret))
    assert taken.status_code == 200, taken.text
