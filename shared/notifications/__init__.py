"""Notifications: what a user is told (certificates, videos, assignments, grades), read state, and a stream."""

from shared.notifications.api import router
from shared.notifications.model import NOTIFICATIONS_CONTAINER
from shared.notifications.service import PERSONAL_DATA
from shared.platform.contexts import ContextSpec

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "notifications",
    router=router,
    containers=(NOTIFICATIONS_CONTAINER,),
    personal_data=PERSONAL_DATA,
)
