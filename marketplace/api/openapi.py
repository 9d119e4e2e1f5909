"""The flask-smorest Api (one per app): builds /api/v1/openapi.json from the API's blueprints."""

from flask import Flask
from flask_smorest import Api

from marketplace.api.schemas import ErrorOut


class TillApi(Api):
    """flask-smorest's Api without its app-wide HTTP error handler (the HTML pages keep the app's own; the
    API blueprints render their JSON error bodies themselves). Every error the document describes has that
    body, {"error": code, "message": ..., "details": {...}} (ERROR_SCHEMA, used for the default response)."""

    ERROR_SCHEMA = ErrorOut

    def _register_error_handlers(self):
        return None


DEFAULTS = {
    "API_TITLE": "OCOP Market API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


def init_app(app: Flask, blueprints) -> TillApi:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    api = TillApi()
    api.init_app(app, spec_kwargs={"components": {"securitySchemes": {
        "tillToken": {"type": "http", "scheme": "bearer",
                      "description": "A till token an admin created for the showroom."}}}})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return api
