"""The base of our marshmallow-jsonapi schemas: self links from the route table, absolute."""

import flask
from marshmallow_jsonapi.flask import Schema


class ResourceSchema(Schema):
    """marshmallow-jsonapi's Flask schema: `self_view` names a route of the route table
    (app.resources.routes) instead of hard-coding a URL.

    Links are absolute, built from the URL the client used: behind trusted proxies
    (TRUSTED_PROXIES) url_for sees the forwarded scheme, host, port and prefix.
    """

    def generate_url(self, view_name, **kwargs):
        return flask.url_for(view_name, _external=True, **kwargs) if view_name else None
