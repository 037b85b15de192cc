"""The base of our resources: flask-rest-jsonapi-next's classes minus its header check."""

from flask_rest_jsonapi_next import ResourceDetail, ResourceList, ResourceRelationship
from flask_rest_jsonapi_next.decorators import check_headers


class _WithoutLibraryHeaderCheck:
    """Drop the library's `check_headers` decorator from the resource.

    It accepts application/json and multipart/form-data bodies and refuses `Accept` values with a
    quality weight (`;q=0.5`), both against JSON:API; app.jsonapi.negotiate_media_type does the
    negotiation for every route instead.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.decorators = tuple(d for d in cls.decorators if d is not check_headers)


class JsonApiList(_WithoutLibraryHeaderCheck, ResourceList):
    pass


class JsonApiDetail(_WithoutLibraryHeaderCheck, ResourceDetail):
    pass


class JsonApiRelationship(_WithoutLibraryHeaderCheck, ResourceRelationship):
    pass
