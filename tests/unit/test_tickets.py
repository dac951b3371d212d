"""Stream tickets: bound to one purpose, the holder and their token's roles, and minutes of life."""

from __future__ import annotations

import pytest

from shared.errors import Unauthorized
from shared.platform.clock import ManualClock
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.platform.tickets import issue_ticket, redeem_ticket
from shared.roles import Role

LEA = Principal(user_id="lea", tenant_id="acme", roles=frozenset({Role.LEARNER, Role.INSTRUCTOR}))


def test_a_ticket_stands_for_its_holder_until_it_expires(platform: Platform, clock: ManualClock) -> None:
    ticket = issue_ticket(platform, LEA, "stream", ttl_seconds=60)
    assert redeem_ticket(platform, ticket, "stream") == LEA
    clock.advance(59)
    assert redeem_ticket(platform, ticket, "stream") == LEA
    clock.advance(1)
    with pytest.raises(Unauthorized):
        redeem_ticket(platform, ticket, "stream")


def test_a_ticket_opens_nothing_but_its_purpose(platform: Platform) -> None:
    ticket = issue_ticket(platform, LEA, "stream", ttl_seconds=60)
    with pytest.raises(Unauthorized):
        redeem_ticket(platform, ticket, "another purpose")


def test_claims_cannot_be_changed_without_the_key(platform: Platform) -> None:
    import base64
    import json

    ticket = issue_ticket(platform, LEA, "stream", ttl_seconds=60)
    body, _, signature = ticket.partition(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["r"] = ["TenantAdmin"]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(Unauthorized):
        redeem_ticket(platform, f"{forged}.{signature}", "stream")
