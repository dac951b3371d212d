"""Tenancy: tenants (branding, feature flags, K-12 setting), users and role assignments."""

from shared.platform.contexts import ContextSpec
from shared.platform.jobs import Periodically, Upkeep
from shared.tenancy.api import router
from shared.tenancy.model import TENANTS_CONTAINER, USERS_CONTAINER
from shared.tenancy.retention import SWEEP_EVERY_SECONDS, sweep_retention

__all__ = ["SPEC"]


def _upkeep() -> tuple[Upkeep, ...]:
    return (Upkeep("retention-sweep", Periodically(SWEEP_EVERY_SECONDS, sweep_retention)),)


SPEC = ContextSpec(
    "tenancy",
    router=router,
    containers=(TENANTS_CONTAINER, USERS_CONTAINER),
    upkeep=_upkeep,
    triggers="functions.retention",
)
