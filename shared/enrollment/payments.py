"""The payment provider's webhook: a paid order enrolls the buyer in the course they bought.

Requests are signed: ``X-Payments-Signature: t=<unix seconds>,v1=<hex>``, where the hex is
HMAC-SHA256 over ``f"{t}.{raw body}"`` with the secret ``payments-webhook-secret``. Several
``v1`` values may be sent while the secret is rotated. A signature older or newer than five
minutes by the platform's clock is refused, so a captured request cannot be replayed later;
an order handled before (its order id is stored in the tenant's partition) is acknowledged
again and changes nothing, so the provider's retries are harmless.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

from pydantic import ValidationError

from shared.catalog import service as catalog
from shared.enrollment import service
from shared.enrollment.model import EnrollmentView, OrderDocument, PaidOrder, WebhookReceipt, order_id
from shared.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound, Unauthorized, Unavailable
from shared.platform.identity import Principal
from shared.platform.runtime import Platform
from shared.platform.tenancy import TenantContext
from shared.tenancy import service as tenancy
from shared.tenancy import users
from shared.tenancy.model import UserCreate, UserView

__all__ = [
    "SECRET_NAME",
    "SIGNATURE_HEADER",
    "TOLERANCE_SECONDS",
    "handle_order",
    "sign",
    "signature_matches",
    "signed_timestamp",
]

SECRET_NAME = "payments-webhook-secret"  # noqa: S105 - the name of a secret, not its value
SIGNATURE_HEADER = "X-Payments-Signature"
TOLERANCE_SECONDS = 300
# The actor the audit log and new user records name for what the webhook does.
WEBHOOK_ACTOR = "payments-webhook"
_TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
_HEX_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}.{body}"``: what the provider sends as ``v1``."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signed_timestamp(header: str | None, now: datetime) -> tuple[int, list[str]]:
    """The header's timestamp and signatures, if well-formed and fresh; Unauthorized otherwise."""
    if not header:
        raise Unauthorized(f"the {SIGNATURE_HEADER} header is required")
    parts = [p.strip().partition("=") for p in header.split(",")]
    stamps = [v for k, _, v in parts if k == "t"]
    signatures = [v.lower() for k, _, v in parts if k == "v1" and _HEX_SIGNATURE.match(v.lower())]
    if len(stamps) != 1 or not _TIMESTAMP.match(stamps[0]) or not signatures:
        raise Unauthorized(f"the {SIGNATURE_HEADER} header must be t=<unix seconds>,v1=<hex>")
    timestamp = int(stamps[0])
    if abs(now.timestamp() - timestamp) > TOLERANCE_SECONDS:
        raise Unauthorized("the signature's timestamp is not within five minutes of now")
    return timestamp, signatures


def signature_matches(secret: str, timestamp: int, signatures: list[str], body: bytes) -> bool:
    """Whether any of the signatures is the body's, compared in constant time."""
    expected = sign(secret, timestamp, body)
    # Every candidate is compared, so the time taken does not tell which one was close.
    return sum(hmac.compare_digest(expected, s) for s in signatures) > 0


def _secret(platform: Platform) -> str:
    try:
        return platform.secrets.get(SECRET_NAME)
    except NotFound as exc:
        raise Unavailable("the payments webhook is not configured") from exc


def _verify(platform: Platform, body: bytes, header: str | None) -> None:
    # The cheap header checks come first: a malformed or stale request never reaches the vault.
    timestamp, signatures = signed_timestamp(header, platform.clock.now())
    if not signature_matches(_secret(platform), timestamp, signatures, body):
        raise Unauthorized("the signature does not match the body")


def _order(body: bytes) -> PaidOrder:
    try:
        return PaidOrder.model_validate_json(body)
    except ValidationError as exc:
        errors = [FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()[:50]]
        raise InvalidInput("the order is not valid", errors=errors) from exc


def _tenant(platform: Platform, tenant_id: str) -> TenantContext:
    principal = Principal(user_id=WEBHOOK_ACTOR, tenant_id=tenant_id, roles=frozenset())
    try:
        return tenancy.resolve_tenant_context(platform, principal)
    except Forbidden as exc:
        # An unknown and an inactive tenant look the same to the caller.
        raise NotFound("no such tenant or course") from exc


def _buyer(platform: Platform, ctx: TenantContext, order: PaidOrder) -> UserView:
    user = users.user_by_email(platform, ctx, order.buyerEmail)
    if user is not None:
        return user
    name = order.buyerName or order.buyerEmail.split("@", 1)[0]
    created, _ = users.create_user(platform, ctx, UserCreate(email=order.buyerEmail, displayName=name[:120]))
    return created


def handle_order(platform: Platform, body: bytes, signature: str | None) -> WebhookReceipt:
    """Verify the provider's signature and enroll the buyer of a paid order, once per order."""
    _verify(platform, body, signature)
    order = _order(body)
    if order.status != "paid":
        return WebhookReceipt(orderId=order.orderId, duplicate=False, ignored=True)
    ctx = _tenant(platform, order.tenantId)
    if service.orders(platform, ctx).find(order_id(order.orderId)) is not None:
        return WebhookReceipt(orderId=order.orderId, duplicate=True)
    try:
        course = catalog.published_course(platform, ctx, order.courseId)
    except NotFound as exc:
        raise NotFound("no such tenant or course") from exc
    buyer = _buyer(platform, ctx, order)
    # The buyer has paid: prerequisites were the storefront's to check before selling, and
    # refusing now would leave a paid order without access.
    enrollment, _ = service.enroll_user(platform, ctx, course, buyer.id, source="purchase", check_prerequisites=False)
    return _record_order(platform, ctx, order, enrollment)


def _record_order(
    platform: Platform, ctx: TenantContext, order: PaidOrder, enrollment: EnrollmentView
) -> WebhookReceipt:
    doc = OrderDocument(
        id=order_id(order.orderId),
        orderId=order.orderId,
        courseId=order.courseId,
        userId=enrollment.userId,
        enrollmentId=enrollment.id,
        status=order.status,
        receivedAt=platform.clock.now().isoformat(),
    )
    try:
        service.orders(platform, ctx).create(doc)
    except Conflict:
        # The same order arrived twice at once; the other delivery recorded it.
        return WebhookReceipt(orderId=order.orderId, duplicate=True, enrollment=enrollment)
    return WebhookReceipt(orderId=order.orderId, duplicate=False, enrollment=enrollment)
