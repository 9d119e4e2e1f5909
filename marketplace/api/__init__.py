"""The app's versioned JSON API under /api/v1: till tokens per showroom and the till's sale endpoint.

Built with flask-smorest (marshmallow schemas, webargs parsing, apispec): the OpenAPI document at
/api/v1/openapi.json is generated from the same schemas that validate the requests and shape the responses,
so it cannot drift from the code. Chosen over apiflask and spectree because it is a plain extension on top of
Flask's own Blueprint (no subclass of Flask to adopt, nothing changes for the HTML app), it installs cleanly
with Flask 3.1 and marshmallow 4, it is well kept (regular releases, marshmallow-code organisation), and
marshmallow's strict fields and validators give the precise per-field error messages a till needs. Its
app-wide HTTP error handler is switched off (openapi.TillApi): the API's blueprint renders its own error
bodies, {"error": code, "message": ..., "details": {...}}, and the HTML pages keep theirs.

Modules: models (TillToken), tokens (create, revoke, authenticate), schemas, openapi (the Api object),
views (POST /api/v1/showroom-sales), views_admin (the admin's token screens).
"""
