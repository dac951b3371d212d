"""Developer commands.

``python -m shared.cli token --tenant TENANT --user USER --role ROLE [--ttl SECONDS]``
prints a bearer token signed by the local dev issuer. It refuses to run on the azure
profile, where tokens come from Entra ID.

``python -m shared.cli cosmos-containers > infra/cosmos-containers.json`` writes the
document containers and their indexes for the Bicep, from the code's own list.

``python -m shared.cli openapi > web/src/api/openapi.json`` writes the embedded profile's OpenAPI
document (every route, the dev sign-in included) as JSON with sorted keys and a 2-space indent, the
same bytes on every run, for the web app's generated client and the test that it has not drifted.

``python -m shared.cli backup DIR`` copies the embedded profile's data dir (``LMS_DATA_DIR``) into the
new folder DIR while the platform runs; ``restore DIR`` brings it back into an empty data dir
(``shared/platform/local_backup.py``). In Azure, Cosmos DB and Blob Storage keep their own backups.
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
    poison = commands.add_parser("poison", help="list the change-feed documents set aside, or replay one")
    poison.add_argument("action", choices=["list", "replay"])
    poison.add_argument("record", nargs="?", help="the record id to replay")
    commands.add_parser("bus-subscriptions", help="print each topic subscription's SQL filter for infra/")
    for verb, helped in (("backup", "copy the data dir into DIR, online"), ("restore", "data dir from DIR")):
        command = commands.add_parser(verb, help=f"embedded profile: {helped}")
        command.add_argument("dir", help="the backup folder")
    return parser


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from shared.platform.local_backup import BackupError, backup, restore

    if settings.profile != "embedded":
        print("backup and restore are for the embedded profile; in Azure see the README (Backups)", file=sys.stderr)
        return 2
    try:
        if args.command == "backup":
            done = backup(settings.data_dir, Path(args.dir))
        else:
            done = restore(Path(args.dir), settings.data_dir)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    where = args.dir if args.command == "backup" else settings.data_dir
    print(f"{args.command}: {len(done.databases)} databases and {len(done.files)} files in {where}")
    return 0


def openapi_json() -> str:
    """The embedded profile's OpenAPI document: sorted keys, 2-space indent, a trailing newline."""
    from shared.http.app import create_api

    document = create_api(settings=Settings(profile="embedded")).openapi()
    return json.dumps(document, sort_keys=True, indent=2) + "\n"


def _poison(args: argparse.Namespace) -> int:
    """``poison list``: the records as JSON lines, newest first; ``poison replay ID``: run the feed's
    handler on the document as it is now (exit 1 if it still fails)."""
    from shared.bootstrap import CONTEXTS, default_platform
    from shared.platform.poison import poisoned, replay

    platform = default_platform()
    if args.action == "list":
        for record in poisoned(platform):
            print(json.dumps({k: v for k, v in record.items() if not k.startswith("_")}, sort_keys=True))
        return 0
    if not args.record:
        print("error: replay needs the record id (from: poison list)", file=sys.stderr)
        return 2
    handlers = {feed.name: feed.handler for spec in CONTEXTS for feed in spec.feeds}
    ok = replay(platform, args.record, handlers)
    print("replayed" if ok else "still failing: see poison list", file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def bus_subscriptions_json() -> str:
    """``infra/bus-subscriptions.json``: each events subscription's SQL filter, a ``type IN (...)`` of
    the event types its consumer handles (the subscription's ``$Default`` rule in Azure)."""
    from shared.bootstrap import subscription_filters
    from shared.platform.bus import subscription_path
    from shared.platform.topology import EVENT_SUBSCRIPTIONS, EVENTS_TOPIC

    filters = subscription_filters()
    rules = {}
    for name in EVENT_SUBSCRIPTIONS:
        types = sorted(filters[subscription_path(EVENTS_TOPIC, name)])
        rules[name] = "type IN (" + ", ".join(f"'{t}'" for t in types) + ")"
    return json.dumps(rules, indent=2, sort_keys=True) + "\n"


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
    if args.command == "poison":
        return _poison(args)
    if args.command == "bus-subscriptions":
        sys.stdout.write(bus_subscriptions_json())
        return 0
    settings = Settings()
    if args.command in ("backup", "restore"):
        return _backup(args, settings)
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
