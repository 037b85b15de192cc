"""The base of our resources: flask-rest-jsonapi-next's `Resource`, minus its header check.

The library's `Resource` is a MethodView whose dispatch picks the method (HEAD falls back to GET)
and stamps the JSON:API media type on what it returns; `Api.route` (app.resources.routes)
registers it. Its ResourceList/ResourceDetail/ResourceRelationship subclasses are not used: they
run the library's data layer, which we replaced (see the README's design notes).
"""

from flask_rest_jsonapi_next.decorators import check_headers
from flask_rest_jsonapi_next.resource import Resource


class JsonApiResource(Resource):
    """A resource whose media types app.jsonapi.negotiate_media_type has checked already.

    The library adds its `check_headers` decorator to every resource class; it accepts
    application/json and multipart/form-data bodies and refuses `Accept` values with a quality
    weight (`;q=0.5`), both against JSON:API, so it is taken off again here.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.decorators = tuple(d for d in cls.decorators if d is not check_headers)
