"""Credentials use cases: issue a certificate once per completion, list the holder's, hand out a
short-lived URL of the PDF, revoke, and verify a code in public.

Issuing is safe to repeat and to race. The certificate document is the commit point: its id is
derived from the completion, so of two deliveries handled at once one ``create`` wins and the other
reads the winner's document. Everything else is derived from the stored document and written so a
repeat changes nothing: the code's index entry (``create``, a Conflict means it is there) and the
PDF (``overwrite=False``, and it renders to the same bytes anyway). A delivery that dies between
the steps is retried by the bus, finds the document and finishes the rest.

Courses, enrollments, users and tenants are read only through their contexts' service functions.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from shared.audit import service as audit_log
from shared.catalog import service as catalog
from shared.credentials import signing
from shared.credentials.model import (
    CERTIFICATE_BLOBS,
    CERTIFICATE_CODES,
    CERTIFICATES,
    CODE_BYTES,
    CODE_PARTITION,
    NEWEST_FIRST,
    Certificate,
    CertificateCode,
    CertificateView,
    Jwks,
    VerificationView,
    certificate_id,
    code_digest,
    pdf_blob_name,
)
from shared.credentials.pdf import PrintedCertificate, render_certificate
from shared.enrollment import service as enrollment
from shared.errors import Conflict, NotFound
from shared.kernel import Paged
from shared.learning.events import CourseCompleted
from shared.platform.documents import Filter
from shared.platform.personal_data import (
    ERASED,
    ErasedUser,
    PersonalDataFunctions,
    documents_mentioning,
    erase_mentions,
    exported,
    mentions,
    pseudonym_of,
)
from shared.platform.runtime import Platform
from shared.platform.stored import to_document
from shared.platform.tenancy import PlatformDocuments, TenantContext, TenantDocuments, system_context
from shared.roles import Role
from shared.tenancy import service as tenancy
from shared.tenancy import users
from shared.tenancy.model import TenantView, is_enabled

__all__ = [
    "PDF_URL_SECONDS",
    "PERSONAL_DATA",
    "certificate_pdf_url",
    "erase_user",
    "export_user",
    "issue_certificate",
    "list_my_certificates",
    "revoke_certificate",
    "signing_keys",
    "verify_certificate",
]

log = logging.getLogger("lms.credentials")

# How long a URL of a certificate's PDF works: long enough to start the download, too short to pass around.
PDF_URL_SECONDS = 300
# Staff who may fetch any certificate of their tenant (a learner fetches their own).
CERTIFICATE_STAFF = (Role.TENANT_ADMIN, Role.SUPPORT_READONLY)
# Every unknown, malformed or foreign code gets exactly this, so the answer reveals nothing.
UNKNOWN_CODE = "no certificate has this verification code"
# Who reads a certificate for the public verification of its code.
VERIFIER = "system:verification"


def _docs(platform: Platform, ctx: TenantContext) -> TenantDocuments[Certificate]:
    return TenantDocuments(platform.documents, CERTIFICATES, ctx, Certificate)


def _codes(platform: Platform) -> PlatformDocuments:
    return PlatformDocuments(platform.documents, CERTIFICATE_CODES)


def _api_base(platform: Platform) -> str:
    return f"{platform.settings.public_base_url.rstrip('/')}/api/v1"


def verification_url(platform: Platform, code: str) -> str:
    """The public page that verifies a certificate (printed as the PDF's QR code): the web app's
    verification page, which reads the public ``GET /api/v1/verify/{code}`` (for machines, that)."""
    base = platform.settings.web_base_url or platform.settings.public_base_url
    return f"{base.rstrip('/')}/verify/{code}"


def jwks_url(platform: Platform) -> str:
    """Where the public keys of the signed credentials are published."""
    return f"{_api_base(platform)}/.well-known/jwks.json"


def _view(platform: Platform, doc: Certificate) -> CertificateView:
    return CertificateView(
        id=doc.id,
        userId=doc.userId,
        courseId=doc.courseId,
        version=doc.version,
        courseTitle=doc.courseTitle,
        holderName=doc.holderName,
        issuerName=doc.issuerName,
        completedAt=doc.completedAt,
        issuedAt=doc.issuedAt,
        status=doc.status,
        revokedAt=doc.revokedAt,
        revocationReason=doc.revocationReason,
        verificationCode=doc.code,
        verificationUrl=verification_url(platform, doc.code),
        pdfUrl=f"/api/v1/certificates/{doc.id}/pdf",
        credential=doc.credential,
    )


def issue_certificate(platform: Platform, ctx: TenantContext, completed: CourseCompleted) -> CertificateView | None:
    """The learner's certificate for a completed course version, issued on the first call and the
    same one on every later call; None when the tenant has certificates turned off. ``NotFound``
    when the enrollment, the course version or the tenant is gone."""
    tenant, _ = tenancy.get_tenant(platform, ctx)
    if not is_enabled(tenant.model_dump(), "certificates"):
        return None
    docs = _docs(platform, ctx)
    cert_id = certificate_id(ctx.tenant_id, completed.userId, completed.courseId, completed.version)
    doc = docs.find(cert_id) or _create_once(docs, _new_certificate(platform, ctx, tenant, completed, cert_id))
    _index_code(platform, doc)
    _store_pdf(platform, doc)
    return _view(platform, doc)


def _create_once(docs: TenantDocuments[Certificate], doc: Certificate) -> Certificate:
    try:
        return docs.create(doc)
    except Conflict:
        return docs.read(doc.id)  # another delivery issued it first: theirs is the certificate


def _holder_name(platform: Platform, ctx: TenantContext, user_id: str) -> str:
    try:
        return users.get_user(platform, ctx, user_id)[0].displayName
    except NotFound:
        # A learner known only from the identity provider's tokens has no profile here.
        log.warning("certificate holder has no profile; the user id is printed", extra={"tenantId": ctx.tenant_id})
        return user_id


def _new_certificate(
    platform: Platform, ctx: TenantContext, tenant: TenantView, completed: CourseCompleted, cert_id: str
) -> Certificate:
    if enrollment.find_enrollment(platform, ctx, completed.courseId, completed.userId) is None:
        raise NotFound("the completion has no enrollment")
    course = catalog.course_version(platform, ctx, completed.courseId, completed.version)
    code = platform.ids.new_code(CODE_BYTES)
    doc = Certificate(
        id=cert_id,
        userId=completed.userId,
        courseId=completed.courseId,
        version=completed.version,
        courseTitle=course.title,
        holderName=_holder_name(platform, ctx, completed.userId),
        issuerName=tenant.branding.displayName or tenant.name,
        primaryColor=tenant.branding.primaryColor,
        accentColor=tenant.branding.accentColor,
        completedAt=completed.at.isoformat(),
        issuedAt=platform.clock.now().isoformat(),
        completionEventId=completed.id,
        status="valid",
        code=code,
        codeDigest=code_digest(code),
    )
    return _signed(platform, ctx.tenant_id, doc)


def _signed(platform: Platform, tenant_id: str, doc: Certificate) -> Certificate:
    """The certificate with its credential signed over what it states now."""
    return doc.model_copy(update={"credential": signing.sign_credential(platform, _claims(platform, tenant_id, doc))})


def _claims(platform: Platform, tenant_id: str, doc: Certificate) -> dict[str, Any]:
    """What the signed credential states; a verifier needs nothing else but the published key."""
    return {
        "iss": _api_base(platform),
        "iat": int(datetime.fromisoformat(doc.issuedAt).timestamp()),
        "jti": doc.id,
        "issuer": {"id": tenant_id, "name": doc.issuerName},
        "holder": {"name": doc.holderName},
        "course": {"id": doc.courseId, "version": doc.version, "title": doc.courseTitle},
        "completedAt": doc.completedAt,
        "code": doc.code,
        "verificationUrl": verification_url(platform, doc.code),
    }


def _code_entry(tenant_id: str, doc: Certificate) -> dict[str, Any]:
    entry = CertificateCode(id=doc.codeDigest, certificateTenantId=tenant_id, certificateId=doc.id)
    return to_document(entry)


def _index_code(platform: Platform, doc: Certificate) -> None:
    """Let the public verification find the certificate from its code, without a tenant."""
    # A Conflict means an earlier delivery indexed it: the digest names this certificate's code only.
    with contextlib.suppress(Conflict):
        _codes(platform).create_in(CODE_PARTITION, _code_entry(doc.tenantId, doc))


def _store_pdf(platform: Platform, doc: Certificate) -> None:
    name = pdf_blob_name(doc.tenantId, doc.id)
    try:
        platform.blobs.info(CERTIFICATE_BLOBS, name)
        return
    except NotFound:
        pass
    printed = PrintedCertificate(
        holder_name=doc.holderName,
        course_title=doc.courseTitle,
        issuer_name=doc.issuerName,
        completed_on=datetime.fromisoformat(doc.completedAt).date(),
        certificate_id=doc.id,
        verification_code=doc.code,
        verification_url=verification_url(platform, doc.code),
        primary_color=doc.primaryColor,
        accent_color=doc.accentColor,
    )
    data = render_certificate(printed)
    # A Conflict means a concurrent delivery stored it first, rendered from the same document.
    with contextlib.suppress(Conflict):
        platform.blobs.write(CERTIFICATE_BLOBS, name, data, content_type="application/pdf", overwrite=False)


def list_my_certificates(
    platform: Platform, ctx: TenantContext, *, limit: int, continuation: str | None
) -> Paged[CertificateView]:
    """The caller's certificates, newest first."""
    page = _docs(platform, ctx).query(
        [Filter("userId", "eq", ctx.user_id)], order_by=NEWEST_FIRST, limit=limit, continuation=continuation
    )
    return Paged[CertificateView](items=[_view(platform, d) for d in page.items], continuation=page.continuation)


def _readable(platform: Platform, ctx: TenantContext, cert_id: str) -> Certificate:
    doc = _docs(platform, ctx).read(cert_id)
    if doc.userId != ctx.user_id and not ctx.has_any(*CERTIFICATE_STAFF):
        raise NotFound()  # someone else's certificate looks like none at all
    return doc


def certificate_pdf_url(platform: Platform, ctx: TenantContext, cert_id: str) -> tuple[str, datetime]:
    """A short-lived URL of the certificate's PDF and when it stops working, for its holder or the
    tenant's admins and support; the API never streams the bytes itself."""
    doc = _readable(platform, ctx, cert_id)
    name = pdf_blob_name(ctx.tenant_id, doc.id)
    try:
        platform.blobs.info(CERTIFICATE_BLOBS, name)
    except NotFound:
        raise Conflict("the certificate's PDF is still being made; try again in a moment") from None
    expires = platform.clock.now() + timedelta(seconds=PDF_URL_SECONDS)
    return platform.signer.sign(CERTIFICATE_BLOBS, name, ttl_seconds=PDF_URL_SECONDS), expires


def revoke_certificate(platform: Platform, ctx: TenantContext, cert_id: str, reason: str) -> CertificateView:
    """Withdraw a certificate with a reason (audited); its public verification says so at once."""
    docs = _docs(platform, ctx)
    current = docs.read(cert_id)
    if current.status == "revoked":
        raise Conflict("the certificate is already revoked")
    revoked = current.model_copy(
        update={
            "status": "revoked",
            "revokedAt": platform.clock.now().isoformat(),
            "revokedBy": ctx.user_id,
            "revocationReason": reason,
        }
    )
    stored = docs.replace(revoked, if_match=current.etag)
    audit_log.record(
        platform,
        ctx,
        action="certificate.revoked",
        subject_type="certificate",
        subject_id=cert_id,
        before={"status": current.status},
        after={"status": "revoked"},
        reason=reason,
    )
    return _view(platform, stored)


def verify_certificate(platform: Platform, code: str) -> VerificationView:
    """Public: the certificate a verification code names, as it stands now (a named platform
    operation: the code's index is read without a tenant). ``NotFound`` with one message for any
    code that names no certificate, whatever its shape."""
    digest = code_digest(code)
    try:
        entry = CertificateCode.model_validate(_codes(platform).read_in(CODE_PARTITION, digest))
        ctx = system_context(entry.certificateTenantId, VERIFIER)
        doc = _docs(platform, ctx).read(entry.certificateId)
    except NotFound:
        raise NotFound(UNKNOWN_CODE) from None
    if not hmac.compare_digest(doc.codeDigest, digest):
        raise NotFound(UNKNOWN_CODE)
    return VerificationView(
        certificateId=doc.id,
        status=doc.status,
        holderName=doc.holderName,
        courseTitle=doc.courseTitle,
        completedAt=doc.completedAt,
        issuer=doc.issuerName,
        issuedAt=doc.issuedAt,
        revokedAt=doc.revokedAt,
        revocationReason=doc.revocationReason,
        credential=doc.credential,
        jwksUrl=jwks_url(platform),
    )


def signing_keys(platform: Platform) -> Jwks:
    """The public keys that verify certificates' signed credentials."""
    return Jwks(keys=[signing.public_jwk(platform)])


# --- GDPR: this context's part of an export and an erasure (shared/privacy/) -------------


def export_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> dict[str, Any]:
    """The user's certificates, and the certificates of others that name them (one they revoked)."""
    found = documents_mentioning(_docs(platform, ctx), who)
    return {
        "certificates": [_view(platform, d).model_dump() for d in found if d.userId == who.user_id],
        "mentions": [mentions(d, who) for d in found if d.userId != who.user_id],
    }


def erase_user(platform: Platform, ctx: TenantContext, who: ErasedUser) -> None:
    """Keep each of the user's certificates verifiable (status, course, dates, issuer, under the same
    code) with the holder shown as "(erased)": re-keyed, since its id was derived from the user id,
    re-signed and re-printed without the name. Others' certificates that name the user are pseudonymised."""
    erase_mentions(
        _docs(platform, ctx),
        who,
        own=lambda doc: doc.userId == who.user_id,
        erase=lambda doc: _erase_holder(platform, ctx, who, doc),
    )


def _erased_certificate_id(platform: Platform, ctx: TenantContext, cert_id: str) -> str:
    """The new id of an erased holder's certificate: the same for every retry of the erasure, and
    not derivable from the old id (so from the user) without the platform's key."""
    return "crt" + pseudonym_of(platform, ctx.tenant_id, f"certificate:{cert_id}")[-24:]


def _erase_holder(platform: Platform, ctx: TenantContext, who: ErasedUser, doc: Certificate) -> None:
    docs = _docs(platform, ctx)
    scrubbed = Certificate.model_validate(who.scrub(exported(doc)))
    kept = scrubbed.model_copy(
        update={
            "id": _erased_certificate_id(platform, ctx, doc.id),
            "holderName": ERASED,
            "completionEventId": None,
            "tenantId": ctx.tenant_id,
        }
    )
    kept = _signed(platform, ctx.tenant_id, kept)
    _create_once(docs, kept)
    _codes(platform).upsert_in(CODE_PARTITION, _code_entry(ctx.tenant_id, kept))
    _store_pdf(platform, kept)
    platform.blobs.delete(CERTIFICATE_BLOBS, pdf_blob_name(ctx.tenant_id, doc.id))
    audit_log.rename_subject(platform, ctx, "certificate", doc.id, kept.id)
    docs.delete(doc.id)


PERSONAL_DATA = PersonalDataFunctions(export_user=export_user, erase_user=erase_user)
