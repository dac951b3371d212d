"""Azure Functions entry point: the FastAPI app behind one HTTP function, plus each
context's trigger blueprint. Nothing heavy happens here: the platform is built on first use."""

import azure.functions as func

from functions import BLUEPRINTS
from shared.http.app import create_api

app = func.AsgiFunctionApp(app=create_api(), http_auth_level=func.AuthLevel.ANONYMOUS, function_name="http_api")
for blueprint in BLUEPRINTS:
    app.register_functions(blueprint)
