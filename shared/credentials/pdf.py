"""The printable certificate: one landscape A4 page, drawn with reportlab, the QR code with segno.

The fonts are Bitstream Vera (regular and bold), which reportlab ships; their used glyphs are
embedded as subsets, so the PDF looks the same everywhere and its text can be extracted. The
tenant's branding appears as its name in its primary colour, framed in its colours. The tenant's
logo is left out on purpose: ``logoUrl`` is any https URL a TenantAdmin typed, and the server does
not fetch arbitrary URLs (a request forgery risk); a logo will need an upload into our own blobs.
The output is reproducible (``invariant``): the same certificate always renders to the same bytes.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import reportlab
import segno
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["PrintedCertificate", "render_certificate"]

REGULAR = "LmsVera"
BOLD = "LmsVeraBold"
_FONT_DIR = Path(reportlab.__file__).parent / "fonts"
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
TEXT_WIDTH = PAGE_WIDTH - 160
INK = HexColor("#222222")
MUTED = HexColor("#555555")
QR_SIZE = 108.0

# reportlab keeps per-document font state in shared objects: one render at a time per process.
_render_lock = threading.Lock()
_fonts_registered = False


@dataclass(frozen=True)
class PrintedCertificate:
    """What the page shows."""

    holder_name: str
    course_title: str
    issuer_name: str
    completed_on: date
    certificate_id: str
    verification_code: str
    verification_url: str
    primary_color: str
    accent_color: str


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        pdfmetrics.registerFont(TTFont(REGULAR, str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONT_DIR / "VeraBd.ttf")))
        _fonts_registered = True


def _fitted(text: str, font: str, size: float, min_size: float, width: float = TEXT_WIDTH) -> tuple[str, float]:
    """The text and a font size that fits ``width``: smaller first, then cut with an ellipsis."""
    while size > min_size and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    while len(text) > 1 and pdfmetrics.stringWidth(text, font, size) > width:
        text = text[:-2].rstrip() + "…"
    return text, size


def _centred(canvas: Canvas, y: float, text: str, font: str, size: float, color: Color, min_size: float = 9) -> None:
    fitted, fitted_size = _fitted(text, font, size, min_size)
    canvas.setFont(font, fitted_size)
    canvas.setFillColor(color)
    canvas.drawCentredString(PAGE_WIDTH / 2, y, fitted)


def _frame(canvas: Canvas, primary: Color, accent: Color) -> None:
    canvas.setStrokeColor(primary)
    canvas.setLineWidth(6)
    canvas.rect(24, 24, PAGE_WIDTH - 48, PAGE_HEIGHT - 48)
    canvas.setStrokeColor(accent)
    canvas.setLineWidth(1.5)
    canvas.rect(36, 36, PAGE_WIDTH - 72, PAGE_HEIGHT - 72)
    canvas.line(PAGE_WIDTH / 2 - 90, 392, PAGE_WIDTH / 2 + 90, 392)


def _qr_code(canvas: Canvas, url: str, x: float, y: float) -> None:
    """The URL as a QR code, drawn as vector squares (crisp at any zoom), in runs of dark modules."""
    rows = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(scale=1, border=4)]
    module = QR_SIZE / len(rows)
    canvas.setFillColor(HexColor("#000000"))
    for r, row in enumerate(rows):
        top = y + QR_SIZE - (r + 1) * module
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            canvas.rect(x + start * module, top, (c - start) * module, module, stroke=0, fill=1)


def _details(canvas: Canvas, cert: PrintedCertificate) -> None:
    lines = [
        f"Issued by {cert.issuer_name}",
        f"Certificate ID: {cert.certificate_id}",
        f"Verification code: {cert.verification_code}",
        f"Verify at {cert.verification_url}",
    ]
    canvas.setFillColor(MUTED)
    for n, line in enumerate(lines):
        fitted, size = _fitted(line, REGULAR, 9, 6, width=PAGE_WIDTH - 120 - QR_SIZE - 100)
        canvas.setFont(REGULAR, size)
        canvas.drawString(60, 112 - n * 15, fitted)


def _draw(canvas: Canvas, cert: PrintedCertificate) -> None:
    primary, accent = HexColor(cert.primary_color), HexColor(cert.accent_color)
    _frame(canvas, primary, accent)
    _centred(canvas, 500, cert.issuer_name, BOLD, 22, primary)
    _centred(canvas, 420, "CERTIFICATE OF COMPLETION", BOLD, 30, INK)
    _centred(canvas, 360, "This certifies that", REGULAR, 14, MUTED)
    _centred(canvas, 315, cert.holder_name, BOLD, 34, primary, min_size=14)
    _centred(canvas, 280, "has successfully completed", REGULAR, 14, MUTED)
    _centred(canvas, 240, cert.course_title, BOLD, 24, INK, min_size=11)
    completed = f"{cert.completed_on.day} {cert.completed_on:%B %Y}"
    _centred(canvas, 205, f"Completed on {completed}", REGULAR, 13, INK)
    _details(canvas, cert)
    _qr_code(canvas, cert.verification_url, PAGE_WIDTH - 60 - QR_SIZE, 52)


def render_certificate(cert: PrintedCertificate) -> bytes:
    """The certificate as the bytes of a one-page PDF with its fonts embedded."""
    out = io.BytesIO()
    with _render_lock:
        _register_fonts()
        # The embedded font from the start, so no unembedded Helvetica is ever referenced.
        # (types-reportlab annotates initialFontName as a float; reportlab takes a font name.)
        canvas = Canvas(
            out,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            invariant=1,
            pageCompression=1,
            initialFontName=REGULAR,  # type: ignore[arg-type]
        )
        canvas.setTitle(f"Certificate of completion: {cert.course_title}")
        canvas.setAuthor(cert.issuer_name)
        canvas.setSubject(f"{cert.holder_name} completed {cert.course_title}")
        canvas.setCreator("Learning platform")
        _draw(canvas, cert)
        canvas.showPage()
        canvas.save()
    return out.getvalue()
