"""Tenancy: tenants (branding, feature flags, K-12 setting), users and role assignments."""

from shared.platform.contexts import ContextSpec
from shared.tenancy.api import dev_router, router
from shared.tenancy.model import TENANTS_CONTAINER, USER_EMAILS_CONTAINER, USERS_CONTAINER
from shared.tenancy.users import PERSONAL_DATA

__all__ = ["SPEC"]


# Its personal data is the profile: an erasure visits it last.
SPEC = ContextSpec(
    "tenancy",
    router=router,
    embedded_router=dev_router,
    containers=(TENANTS_CONTAINER, USERS_CONTAINER, USER_EMAILS_CONTAINER),
    personal_data=PERSONAL_DATA,
)
