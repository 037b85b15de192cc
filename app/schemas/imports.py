"""The `imports` resource type."""

from marshmallow_jsonapi import Schema, fields


class ImportSchema(Schema):
    class Meta:
        type_ = "imports"
        self_url = "/imports/{id}"
        self_url_kwargs = {"id": "<id>"}

    id = fields.Str(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    citizens_count = fields.Integer(dump_only=True)
    data_version = fields.Integer(dump_only=True)
    deleted_at = fields.DateTime(allow_none=True)
    # Who trashed the import; filled in for admins only (see app.resources.imports).
    audit = fields.ResourceMeta(dump_only=True)
