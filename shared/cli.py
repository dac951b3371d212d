"""Developer commands.

``python -m shared.cli token --tenant TENANT --user USER --role ROLE [--ttl SECONDS]``
prints a bearer token signed by the local dev issuer. It refuses to run on the azure
profile, where tokens come from Entra ID.

``python -m shared.cli cosmos-containers > infra/cosmos-containers.json`` writes the
document containers and their indexes for the Bicep, from the code's own list.

``python -m shared.cli openapi > web/src/api/openapi.json`` writes the embedded profile's OpenAPI
document (every route, the dev sign-in included) as JSON with sorted keys and a 2-space indent, the
same bytes on every run, for the web app's generated client and the test that it has not drifted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence

from shared.bootstrap import bootstrap
from shared.kernel import TENANT_ID_PATTERN, USER_ID_PATTERN
from shared.roles import Role
from shared.settings import Settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m shared.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a dev bearer token")
    token.add_argument("--tenant", help="tenant id (not for SuperAdmin)")
    token.add_argument("--user", required=True, help="user id (the token's subject)")
    token.add_argument("--role", action="append", required=True, choices=[r.value for r in Role], help="repeatable")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600)")
    commands.add_parser("cosmos-containers", help="print the Cosmos DB containers and indexes for infra/")
    commands.add_parser("openapi", help="print the embedded profile's OpenAPI document (JSON)")
    return parser


def openapi_json() -> str:
    """The embedded profile's OpenAPI document: sorted keys, 2-space indent, a trailing newline."""
    from shared.http.app import create_api

    document = create_api(settings=Settings(profile="embedded")).openapi()
    return json.dumps(document, sort_keys=True, indent=2) + "\n"


def _token(args: argparse.Namespace, settings: Settings) -> str:
    roles = {Role(r) for r in args.role}
    if Role.SUPER_ADMIN in roles and len(roles) > 1:
        raise ValueError("SuperAdmin is a platform role; do not combine it with tenant roles")
    if Role.SUPER_ADMIN not in roles and not args.tenant:
        raise ValueError("--tenant is required for tenant roles")
    if args.tenant and not re.match(TENANT_ID_PATTERN, args.tenant):
        raise ValueError(f"--tenant must match {TENANT_ID_PATTERN}")
    if not re.match(USER_ID_PATTERN, args.user):
        raise ValueError(f"--user must match {USER_ID_PATTERN}")
    if not 1 <= args.ttl <= settings.dev_token_max_ttl_seconds:
        raise ValueError(f"--ttl must be between 1 and {settings.dev_token_max_ttl_seconds}")
    issuer = bootstrap(settings).dev_issuer
    assert issuer is not None
    tenant = None if Role.SUPER_ADMIN in roles else args.tenant
    return issuer.issue(user_id=args.user, tenant_id=tenant, roles=roles, ttl_seconds=args.ttl)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "cosmos-containers":
        from shared.containers import cosmos_containers_json

        sys.stdout.write(cosmos_containers_json())
        return 0
    if args.command == "openapi":
        sys.stdout.write(openapi_json())
        return 0
    settings = Settings()
    if settings.profile != "embedded":
        print("dev tokens exist only on the embedded profile (LMS_PROFILE=embedded)", file=sys.stderr)
        return 2
    try:
        print(_token(args, settings))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
