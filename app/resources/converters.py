"""URL converters for the ids in our routes."""

from werkzeug.routing import BaseConverter, ValidationError

from app.domain.citizen_rules import MAX_INT


class IdConverter(BaseConverter):
    """A non-negative 32-bit id in ASCII digits; anything else is simply no such URL (404).

    Werkzeug's `int` converter also matches non-ASCII digits ("１") and values the database
    column cannot hold, which would reach PostgreSQL and fail there.
    """

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_INT:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value)
