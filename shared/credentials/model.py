"""Certificates: their shapes, where they live, and the pure rules about their ids and codes.

A certificate is one document per learner, course and course version in the tenant's
``certificates`` container; its id is derived from those four values, so every delivery of a
completion names the same document and only one ``create`` can succeed. Its verification code is
random (192 bits) and public; the platform finds a certificate from a code through a small index
document in ``certificate-codes`` whose id is the code's SHA-256, so a lookup needs no tenant and
every code, well-formed or not, costs the same hash and one point read.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar, Literal

from pydantic import Field

from shared.kernel import InputModel, OutputModel, Reason
from shared.platform.documents import TENANT_THEN_ID_KEY, ContainerSpec, Order
from shared.platform.stored import StoredDocument

__all__ = [
    "CERTIFICATES",
    "CERTIFICATES_CONTAINER",
    "CERTIFICATE_BLOBS",
    "CERTIFICATE_CODES",
    "CERTIFICATE_CODES_CONTAINER",
    "CODE_BYTES",
    "CODE_PARTITION",
    "NEWEST_FIRST",
    "Certificate",
    "CertificateCode",
    "CertificateStatus",
    "CertificateView",
    "Jwk",
    "Jwks",
    "RevokeRequest",
    "VerificationView",
    "certificate_id",
    "code_digest",
    "pdf_blob_name",
]

CERTIFICATES = "certificates"
CERTIFICATE_CODES = "certificate-codes"
# The index of codes is platform data, not a tenant's: all of it lives in this one partition
# (a few hundred bytes a certificate, so tens of millions fit in Cosmos DB's 20 GB per partition).
CODE_PARTITION = "platform"
# The blob container of the PDFs (shared/platform/topology.py provisions it); names are {tenant}/{id}.pdf.
CERTIFICATE_BLOBS = "certificates"
# 24 random bytes: a 32-character URL-safe code, far beyond guessing (at least 128 bits are needed).
CODE_BYTES = 24

NEWEST_FIRST = (Order("issuedAt", descending=True), Order("id", descending=True))
# A tenant's certificates grow with its learners' completions: keyed by tenant then id.
CERTIFICATES_CONTAINER = ContainerSpec(
    CERTIFICATES, orderings=(NEWEST_FIRST,), filters=("type", "userId"), partition_key=TENANT_THEN_ID_KEY
)
# Public verification lookups (metered=False), each a point read by code: every tenant's codes share the
# one platform partition, so the key goes on to the id and the index outgrows no 20 GB logical partition.
CERTIFICATE_CODES_CONTAINER = ContainerSpec(CERTIFICATE_CODES, metered=False, partition_key=TENANT_THEN_ID_KEY)

CertificateStatus = Literal["valid", "revoked"]


class Certificate(StoredDocument):
    """A certificate as stored in the tenant's ``certificates`` container."""

    KIND: ClassVar[str] = "certificate"
    type: Literal["certificate"] = "certificate"
    userId: str
    courseId: str
    version: int
    courseTitle: str
    holderName: str
    issuerName: str
    primaryColor: str
    accentColor: str
    completedAt: str
    issuedAt: str
    # The CourseCompleted that issued it; dropped when the holder is erased (its id names the learner).
    completionEventId: str | None = None
    status: CertificateStatus = "valid"
    revokedAt: str | None = None
    revokedBy: str | None = None
    revocationReason: str | None = None
    code: str
    codeDigest: str
    credential: str = ""


class CertificateCode(StoredDocument):
    """The index entry of a verification code in ``certificate-codes`` (id: the code's SHA-256), in
    the platform's one partition: which tenant's certificate the code names."""

    certificateTenantId: str
    certificateId: str


def certificate_id(tenant_id: str, user_id: str, course_id: str, version: int) -> str:
    """The one certificate id of a learner's completion of a course version (128 bits of a hash,
    so ids of different completions never meet, and contain nothing a URL or document id forbids)."""
    # The unit separator cannot occur in tenant, user or course ids, so no two tuples join alike.
    joined = "\x1f".join((tenant_id, user_id, course_id, str(version)))
    return "crt" + hashlib.sha256(joined.encode()).hexdigest()[:32]


def code_digest(code: str) -> str:
    """The id of a code's index document: its SHA-256 in hex, computed alike for any string."""
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def pdf_blob_name(tenant_id: str, cert_id: str) -> str:
    """Where a certificate's PDF is stored in the ``certificates`` blob container."""
    return f"{tenant_id}/{cert_id}.pdf"


class RevokeRequest(InputModel):
    reason: Reason = Field(description="why the certificate is withdrawn; shown by the public verification")


class CertificateView(OutputModel):
    """A certificate as its holder (and the tenant's staff) see it."""

    id: str
    userId: str
    courseId: str
    version: int
    courseTitle: str
    holderName: str
    issuerName: str
    completedAt: str
    issuedAt: str
    status: CertificateStatus
    revokedAt: str | None = None
    revocationReason: str | None = None
    verificationCode: str = Field(description="share it: anyone can check the certificate with it")
    verificationUrl: str = Field(description="the public verification of this certificate (also its QR code)")
    pdfUrl: str = Field(description="GET it with a bearer token for a redirect to a short-lived URL of the PDF")
    credential: str = Field(description="a compact JWS (EdDSA) of the certificate, verifiable offline with the JWKS")


class VerificationView(OutputModel):
    """What anyone holding a verification code may learn: this certificate, nothing else."""

    certificateId: str
    status: CertificateStatus
    holderName: str
    courseTitle: str
    completedAt: str
    issuer: str = Field(description="the organisation that issued the certificate")
    issuedAt: str
    revokedAt: str | None = None
    revocationReason: str | None = None
    credential: str = Field(description="the signed credential: a compact JWS (EdDSA)")
    jwksUrl: str = Field(description="the public keys that verify the credential")


class Jwk(OutputModel):
    """An Ed25519 public key as a JSON Web Key (RFC 8037)."""

    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class Jwks(OutputModel):
    keys: list[Jwk]
