"""Database tables: one module per table; models know nothing of HTTP, signals or tasks.

Services write SQL with the tables below (Core, not ORM objects: large documents and bulk
writes need it, and one style is easier to read than two).
"""

from app.models.aggregate_changes import AggregateChange
from app.models.api_token import ROLES, ApiToken
from app.models.citizen import Citizen
from app.models.import_batch import ImportBatch
from app.models.kinship import Kinship
from app.models.stored_aggregates import StoredAggregate

aggregate_changes = AggregateChange.__table__
api_tokens = ApiToken.__table__
citizens = Citizen.__table__
imports = ImportBatch.__table__
kinship = Kinship.__table__
stored_aggregates = StoredAggregate.__table__

__all__ = [
    "ROLES",
    "AggregateChange",
    "ApiToken",
    "Citizen",
    "ImportBatch",
    "Kinship",
    "StoredAggregate",
    "aggregate_changes",
    "api_tokens",
    "citizens",
    "imports",
    "kinship",
    "stored_aggregates",
]
