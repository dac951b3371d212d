"""Credentials' trigger: the ``certificates`` queue, where every CourseCompleted arrives, issues certificates.

A message that fails raises, so Service Bus delivers it again and dead-letters it after the queue's
maximum delivery count; issuing is idempotent, so redeliveries (even concurrent ones) are harmless.
"""

from __future__ import annotations

import json

import azure.functions as func

from functions._bindings import SERVICEBUS_CONNECTION
from shared.bootstrap import default_platform
from shared.credentials.handlers import on_course_completed
from shared.platform.topology import CERTIFICATES_QUEUE

__all__ = ["bp"]

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # azure-functions leaves __init__ unannotated


@bp.service_bus_queue_trigger(arg_name="message", queue_name=CERTIFICATES_QUEUE, connection=SERVICEBUS_CONNECTION)
def issue_certificate(message: func.ServiceBusMessage) -> None:
    """Decode a completion from the certificates queue and issue its certificate."""
    on_course_completed(default_platform(), json.loads(message.get_body()))
