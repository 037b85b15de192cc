"""The base of our marshmallow-jsonapi schemas: self links from the route table, absolute."""

import flask
from marshmallow_jsonapi.flask import Relationship, Schema


class ResourceSchema(Schema):
    """marshmallow-jsonapi's Flask schema: `self_view` names a route of the route table
    (app.resources.routes) instead of hard-coding a URL.

    Links are absolute, built from the URL the client used: behind trusted proxies
    (TRUSTED_PROXIES) url_for sees the forwarded scheme, host, port and prefix.
    """

    def generate_url(self, view_name, **kwargs):
        return flask.url_for(view_name, _external=True, **kwargs) if view_name else None


class RelatedLink(Relationship):
    """A relationship given by its `related` link alone (from the route table, absolute)."""

    def __init__(self, related_view: str, **kwargs):
        super().__init__(
            related_view=related_view, related_view_kwargs={"import_id": "<id>"}, **kwargs
        )

    def get_url(self, obj, view_name, view_kwargs):
        url = super().get_url(obj, view_name, view_kwargs)
        return None if url is None else flask.request.host_url.rstrip("/") + url
