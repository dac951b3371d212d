"""The ceiling the real-socket benchmark compares with: a bare FastAPI app on uvicorn, started the
way ``make run`` starts the platform (127.0.0.1, no access log), answering the platform's paths with
the same JSON the platform answered (read from a file the benchmark writes), and nothing else: no
token check, no tenant, no store. ``python -m bench.bare --port P --bodies FILE``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI


def bare_app(bodies: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/api/health")
    def health() -> Any:
        return {"status": "ok"}

    @app.get("/api/v1/courses")
    def courses() -> Any:
        return bodies["catalog"]

    @app.get("/api/v1/me")
    def me() -> Any:
        return bodies["me"]

    @app.post("/api/v1/progress")
    def progress(batch: dict[str, Any]) -> Any:
        # Parse only: the JSON body is read and decoded, then the platform's answer returned.
        return bodies["progress"]

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bodies", type=Path, required=True)
    args = parser.parse_args()
    app = bare_app(json.loads(args.bodies.read_text()))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
