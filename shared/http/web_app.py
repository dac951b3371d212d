"""The built web app (``web/``), served on the API's own origin when its folder exists.

``make run`` builds the app into ``LMS_WEB_DIST`` (``web/dist``) and this layer answers every GET or
HEAD whose path is not under ``/api``: the file of that path, or ``index.html`` when there is none,
so the app's own routes (``/courses/x``) load the app (the single-page fallback). ``/assets/*`` holds
content-hashed bundles: cached for a year, immutable, and a missing one is a 404 (never the HTML
page, which a browser would then cache as a script). ``index.html`` is revalidated on every load. A
path that climbs out of the folder (``..``, a link pointing outside) is a 404. Without the folder
(Azure, where Static Web Apps serves the app; an unbuilt checkout), these paths answer 404 as any
unknown path does.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.http.problems import problem_response

__all__ = ["WEB_CSP", "WebAppFiles"]

INDEX = "index.html"
ASSETS_PREFIX = "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# What the app's pages may load: its own scripts and styles, the API on the same origin, and the
# blob: and data: URLs a video player (media source buffers, workers) and images use. No third party.
WEB_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


class WebAppFiles:
    """ASGI layer in front of the routes: web app paths are answered from ``dist``, the rest pass on."""

    def __init__(self, app: ASGIApp, *, dist: Path) -> None:
        self.app = app
        self.dist = Path.cwd() / dist  # a relative folder is relative to the working directory

    def _serves(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and not _is_api(str(scope.get("path", "")))
            and self.dist.is_dir()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._serves(scope):
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        found = self._file(path)
        if found is None:
            response = problem_response(404, "not-found", "Not Found", "no such file")
            await response(scope, receive, send)
            return
        file, cache_control = found
        headers = {"Cache-Control": cache_control, "Content-Security-Policy": WEB_CSP}
        await FileResponse(file, headers=headers)(scope, receive, send)

    def _file(self, path: str) -> tuple[Path, str] | None:
        """The file answering ``path`` and its Cache-Control; None for a refused or missing asset."""
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
            return None
        root = self.dist.resolve()
        candidate = root.joinpath(*parts).resolve() if parts else root
        if not candidate.is_relative_to(root):
            return None  # a link inside the folder that points out of it
        if candidate.is_file():
            return candidate, IMMUTABLE if path.startswith(ASSETS_PREFIX) else REVALIDATE
        if path.startswith(ASSETS_PREFIX):
            return None
        return self._index(root)

    @staticmethod
    def _index(root: Path) -> tuple[Path, str] | None:
        index = root / INDEX
        return (index, REVALIDATE) if index.is_file() else None
