"""The pure rules of credentials: certificate ids, the signing key's forms, the printed page."""

from __future__ import annotations

import base64
import io
import re
from datetime import date

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from shared.credentials.model import certificate_id, code_digest
from shared.credentials.pdf import PrintedCertificate, render_certificate
from shared.credentials.signing import parse_private_key
from shared.errors import Unavailable
from shared.kernel import RESOURCE_ID_PATTERN


def test_a_completion_always_names_the_same_certificate_and_different_completions_never_meet() -> None:
    first = certificate_id("acme", "lea", "tides", 1)
    assert certificate_id("acme", "lea", "tides", 1) == first
    others = {
        certificate_id("other", "lea", "tides", 1),
        certificate_id("acme", "max", "tides", 1),
        certificate_id("acme", "lea", "waves", 1),
        certificate_id("acme", "lea", "tides", 2),
        certificate_id("acme", "lea.tides", "1", 1),  # no joining of parts makes two completions alike
    }
    assert first not in others and len(others) == 5
    assert re.match(RESOURCE_ID_PATTERN, first)


def test_every_code_has_a_digest_of_the_same_shape_whatever_it_looks_like() -> None:
    digests = [code_digest(c) for c in ("abc", "", "x" * 5000, "not a code!", "\udcff")]
    assert all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests) and len(set(digests)) == 5


def _public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_the_signing_key_may_be_kept_as_pem_or_as_raw_base64() -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    forms = [pem.decode(), base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).rstrip(b"=").decode()]
    assert {_public_bytes(parse_private_key(form)) for form in forms} == {_public_bytes(key)}


def test_a_signing_key_that_is_not_ed25519_is_refused() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    for value in (rsa_pem, "not base64 at all!", base64.b64encode(b"too short").decode()):
        with pytest.raises(Unavailable):
            parse_private_key(value)


def _printed(**overrides: str) -> PrintedCertificate:
    fields = {
        "holder_name": "Léa Martin",
        "course_title": "Tides",
        "issuer_name": "Harbour Academy",
        "certificate_id": "crt0123456789abcdef0123456789abcdef",
        "verification_code": "Q2VydGlmaWNhdGUtY29kZS0xMjM0NTY3",
        "verification_url": "https://lms.example.com/api/v1/verify/Q2VydGlmaWNhdGUtY29kZS0xMjM0NTY3",
        "primary_color": "#1f4e79",
        "accent_color": "#f2a900",
        **overrides,
    }
    return PrintedCertificate(completed_on=date(2026, 3, 12), **fields)


def _text(pdf: bytes) -> str:
    return str(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def test_the_page_states_the_completion_date_in_words() -> None:
    assert "Completed on 12 March 2026" in _text(render_certificate(_printed()))


def test_a_title_too_long_for_the_page_is_cut_with_an_ellipsis_and_the_code_stays_whole() -> None:
    title = "An Extremely Thorough Introduction " * 6
    text = _text(render_certificate(_printed(course_title=title)))
    assert "An Extremely Thorough Introduction" in text and "…" in text and title.strip() not in text
    assert "Q2VydGlmaWNhdGUtY29kZS0xMjM0NTY3" in text


def test_the_same_certificate_renders_to_the_same_bytes() -> None:
    assert render_certificate(_printed()) == render_certificate(_printed())
