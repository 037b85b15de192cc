"""The aggregate resource types: `birthdays` and `town-age-stats`."""

from marshmallow_jsonapi import Schema, fields

from app.schemas.base import ResourceSchema


class BirthdaysSchema(ResourceSchema):
    class Meta:
        type_ = "birthdays"
        self_view = "api.birthdays"
        self_view_kwargs = {"import_id": "<id>"}

    id = fields.Str(dump_only=True)
    months = fields.Dict(dump_only=True)


class TownAgeStatSchema(Schema):
    class Meta:
        type_ = "town-age-stats"

    id = fields.Str(dump_only=True)
    town = fields.Str(dump_only=True)
    p50 = fields.Float(dump_only=True)
    p75 = fields.Float(dump_only=True)
    p99 = fields.Float(dump_only=True)
