"""HTTP routes of credentials: the caller's certificates, a certificate's PDF (a redirect to a
short-lived signed URL, never the bytes), revocation, the public verification and the public keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse

from shared.credentials import service
from shared.credentials.model import CertificateView, Jwks, RevokeRequest, VerificationView
from shared.errors import NotFound
from shared.http.deps import PUBLIC, Continuation, GuardedRoute, Limit, Services, TenantGuard
from shared.http.problems import problem_response
from shared.kernel import RESOURCE_ID_PATTERN, Paged
from shared.platform.tenancy import TenantContext
from shared.roles import Operation

router = APIRouter(prefix="/api/v1", tags=["credentials"], route_class=GuardedRoute)

CertificateIdPath = Annotated[str, Path(pattern=RESOURCE_ID_PATTERN)]
PDF_REDIRECT: dict[int | str, dict[str, Any]] = {
    302: {"description": "a redirect to a short-lived signed URL of the PDF (Location)"},
    409: {"description": "the PDF is still being made"},
}
UNKNOWN_CODE: dict[int | str, dict[str, Any]] = {404: {"description": "no certificate has this code"}}
NOT_CACHED = "no-store"


@router.get("/me/certificates")
def list_my_certificates(
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.CERTIFICATE_READ_OWN))],
    platform: Services,
    limit: Limit = 50,
    continuation: Continuation = None,
) -> Paged[CertificateView]:
    return service.list_my_certificates(platform, ctx, limit=limit, continuation=continuation)


@router.get("/certificates/{certificateId}/pdf", status_code=302, response_class=Response, responses=PDF_REDIRECT)
def certificate_pdf(
    certificateId: CertificateIdPath,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.CERTIFICATE_DOWNLOAD))],
    platform: Services,
) -> Response:
    url, _ = service.certificate_pdf_url(platform, ctx, certificateId)
    return Response(status_code=302, headers={"Location": url, "Cache-Control": NOT_CACHED})


@router.post("/certificates/{certificateId}/revoke")
def revoke_certificate(
    certificateId: CertificateIdPath,
    body: RevokeRequest,
    ctx: Annotated[TenantContext, Depends(TenantGuard(Operation.CERTIFICATE_REVOKE))],
    platform: Services,
) -> CertificateView:
    return service.revoke_certificate(platform, ctx, certificateId, body.reason)


# ``:path`` so that a code with a slash reaches the same answer as any other unknown code.
@router.get("/verify/{code:path}", openapi_extra=PUBLIC, responses=UNKNOWN_CODE, response_model=VerificationView)
def verify_certificate(code: str, platform: Services, response: Response) -> VerificationView | JSONResponse:
    """Public: whether the certificate a verification code names is genuine and still valid."""
    try:
        view = service.verify_certificate(platform, code)
    except NotFound as exc:
        # Built here without the request, so the body does not echo the code: a wrong code and a
        # malformed one get byte-identical answers (but for a correlation id the caller may choose).
        refusal = problem_response(404, NotFound.slug, NotFound.title, exc.detail)
        refusal.headers["Cache-Control"] = NOT_CACHED
        return refusal
    # Never cached anywhere: a revocation must show on the very next check.
    response.headers["Cache-Control"] = NOT_CACHED
    return view


@router.get("/.well-known/jwks.json", openapi_extra=PUBLIC)
def signing_keys(platform: Services, response: Response) -> Jwks:
    """Public: the keys that verify certificates' signed credentials (JWKS, RFC 7517)."""
    response.headers["Cache-Control"] = "public, max-age=3600"
    return service.signing_keys(platform)
