"""A local JWKS endpoint serving a dev issuer's public key, as Entra ID publishes its keys."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jwt.algorithms import RSAAlgorithm

from shared.platform.identity import DevIssuer


@contextmanager
def serving_jwks(issuer: DevIssuer) -> Iterator[str]:
    """Serve ``issuer``'s key set on 127.0.0.1; yields the JWKS URL."""
    jwk = {**RSAAlgorithm.to_jwk(issuer.public_key, as_dict=True), "kid": "dev", "use": "sig", "alg": "RS256"}
    body = json.dumps({"keys": [jwk]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/discovery/v2.0/keys"
    finally:
        server.shutdown()
        server.server_close()
