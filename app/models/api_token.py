"""The api_tokens table: bearer tokens with one role each, stored only as a hash."""

from datetime import datetime

from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UtcDateTime

ROLES = ("reader", "editor", "admin")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("role IN ('reader', 'editor', 'admin')", name="role_known"),)

    # The token is "<key>.<secret>": the key finds the row, the secret's hash proves it.
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime(), nullable=False, server_default=func.now()
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
