"""Reporting: per-course read models kept current from events, served as instructor reports."""

from shared.platform.contexts import ContextSpec
from shared.platform.jobs import BusConsumer
from shared.reporting.api import router
from shared.reporting.handlers import HANDLERS, REPORTING_EVENTS, on_event_message
from shared.reporting.model import REPORTS_CONTAINER
from shared.reporting.service import PERSONAL_DATA

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "reporting",
    router=router,
    containers=(REPORTS_CONTAINER,),
    consumers=(BusConsumer("reporting-events", REPORTING_EVENTS, on_event_message, events=HANDLERS),),
    triggers=("functions.reporting",),
    personal_data=PERSONAL_DATA,
)
