"""Usage billing: active learners, enrollments, storage, video minutes, API requests and request units per month."""

from shared.billing.api import router
from shared.billing.handlers import (
    BILLING_EVENTS,
    FLUSH_EVERY_SECONDS,
    HANDLERS,
    MEASURE_EVERY_SECONDS,
    on_event_message,
)
from shared.billing.model import USAGE_CONTAINER
from shared.billing.service import flush_usage_meter, measure_storage
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import BusConsumer, Periodically, Upkeep

__all__ = ["SPEC"]


def _upkeep() -> tuple[Upkeep, ...]:
    return (
        Upkeep("billing-meter-flush", Periodically(FLUSH_EVERY_SECONDS, flush_usage_meter)),
        Upkeep("billing-storage", Periodically(MEASURE_EVERY_SECONDS, measure_storage)),
    )


SPEC = ContextSpec(
    "billing",
    router=router,
    containers=(USAGE_CONTAINER,),
    consumers=(BusConsumer("billing-events", BILLING_EVENTS, on_event_message, events=HANDLERS),),
    upkeep=_upkeep,
    triggers=("functions.billing",),
)
