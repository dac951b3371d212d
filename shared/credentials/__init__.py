"""Credentials: one verifiable PDF certificate per completed course version, revocation, public verification."""

from shared.credentials.api import router
from shared.credentials.handlers import on_certificate_message
from shared.credentials.model import CERTIFICATE_CODES_CONTAINER, CERTIFICATES_CONTAINER
from shared.credentials.service import PERSONAL_DATA
from shared.platform.contexts import ContextSpec
from shared.platform.jobs import BusConsumer
from shared.platform.topology import CERTIFICATES_QUEUE

__all__ = ["SPEC"]

SPEC = ContextSpec(
    "credentials",
    router=router,
    containers=(CERTIFICATES_CONTAINER, CERTIFICATE_CODES_CONTAINER),
    consumers=(BusConsumer("credentials-certificates", CERTIFICATES_QUEUE, on_certificate_message),),
    triggers=("functions.credentials",),
    personal_data=PERSONAL_DATA,
)
