"""The `imports` resource type."""

from marshmallow_jsonapi import fields

from app.schemas.base import RelatedLink, ResourceSchema


class ImportSchema(ResourceSchema):
    class Meta:
        type_ = "imports"
        self_view = "api.import_detail"
        self_view_kwargs = {"import_id": "<id>"}

    id = fields.Str(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    citizens_count = fields.Integer(dump_only=True)
    data_version = fields.Integer(dump_only=True)
    deleted_at = fields.DateTime(allow_none=True)
    # Who trashed the import; filled in for admins only (see app.resources.imports).
    audit = fields.ResourceMeta(dump_only=True)
    citizens = RelatedLink("api.citizen_list", type_="citizens", many=True, dump_only=True)
    birthdays = RelatedLink("api.import_birthdays", type_="birthdays", dump_only=True)
    town_age_stats = RelatedLink(
        "api.town_age_stats",
        type_="town-age-stats",
        many=True,
        dump_only=True,
        data_key="town-age-stats",
    )
