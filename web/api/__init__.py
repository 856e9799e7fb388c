"""The REST API ``/api/v1`` (flask-smorest, OpenAPI at ``/api/v1/openapi.json``, Swagger UI at ``/api/v1/docs``).

``web.app.register_blueprints`` registers the plain blueprint ``bp`` of ``web.api.v1``; its registration sets up
flask-smorest and registers the resource blueprints (named ``blp`` in their modules, so that they are registered
once, through flask-smorest, which also documents them).
"""
