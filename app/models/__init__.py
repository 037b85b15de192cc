"""Database tables: one module per table; models know nothing of HTTP, signals or tasks."""

from app.models.api_token import ROLES, ApiToken
from app.models.citizen import Citizen
from app.models.import_batch import ImportBatch
from app.models.kinship import Kinship
from app.models.stored_aggregates import StoredAggregate

__all__ = ["ROLES", "ApiToken", "Citizen", "ImportBatch", "Kinship", "StoredAggregate"]
