"""Names every trigger binding uses, so blueprints and Bicep agree on one spelling.

A binding's ``connection`` names a prefix of app settings: ``SERVICEBUS__fullyQualifiedNamespace``,
``COSMOS__accountEndpoint`` and ``AzureWebJobsStorage__accountName`` with
``__credential=managedidentity``, which infra/main.bicep sets (no keys anywhere).
"""

from __future__ import annotations

__all__ = ["COSMOS_CONNECTION", "COSMOS_DATABASE", "SERVICEBUS_CONNECTION", "STORAGE_CONNECTION"]

SERVICEBUS_CONNECTION = "SERVICEBUS"
COSMOS_CONNECTION = "COSMOS"
STORAGE_CONNECTION = "AzureWebJobsStorage"
# The Cosmos trigger reads the database name from the app setting the platform reads too.
COSMOS_DATABASE = "%LMS_COSMOS_DATABASE%"
