"""Azure Functions entry point: the FastAPI app behind one HTTP function, plus each
context's trigger blueprint. Nothing heavy happens here: the platform is built on first use."""

import azure.functions as func

from shared.telemetry import configure_telemetry

# Before the app is built, so the FastAPI instrumentation sees it (only when App Insights is set).
configure_telemetry()

from functions import BLUEPRINTS  # noqa: E402
from shared.http.app import create_api  # noqa: E402

app = func.AsgiFunctionApp(app=create_api(), http_auth_level=func.AuthLevel.ANONYMOUS, function_name="http_api")
for blueprint in BLUEPRINTS:
    app.register_functions(blueprint)
