"""Audit: an append-only record of sensitive changes (who, what, before, after, why)."""

from shared.audit.api import router
from shared.audit.model import AUDIT_CONTAINER
from shared.audit.service import PERSONAL_DATA
from shared.platform.contexts import ContextSpec

__all__ = ["SPEC"]

SPEC = ContextSpec("audit", router=router, containers=(AUDIT_CONTAINER,), personal_data=PERSONAL_DATA)
