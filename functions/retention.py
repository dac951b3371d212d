"""Retention's trigger: once a day, delete what each tenant keeps longer than its retention settings
allow (audit entries, and the activity detail shared/privacy/service.py applies).

A run that fails raises; the next day's run starts over, and every purge is idempotent, so nothing is
lost by a failure but a day.
"""

from __future__ import annotations

import azure.functions as func

from shared.bootstrap import default_platform
from shared.privacy.service import sweep_retention

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


# 03:17 UTC: a quiet hour for most tenants, off the minute other timers start on.
@bp.timer_trigger(arg_name="timer", schedule="0 17 3 * * *", run_on_startup=False, use_monitor=True)
def apply_tenant_retention(timer: func.TimerRequest) -> None:
    """Apply every tenant's audit and activity retention."""
    sweep_retention(default_platform())
