"""Imports: create one in bulk, read, list and trash."""

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Row

from app.domain.kinship import kinship_rows
from app.extensions import db
from app.services.citizens import STORED_COLUMNS
from app.services.database import bulk_insert, import_not_found, write_to_import
from app.services.query import apply_collection_query
from app.services.visibility import citizen_visible, citizens, import_visible, imports, kinship


def citizens_count():
    return (
        select(func.count())
        .where(citizens.c.import_id == imports.c.id, citizen_visible())
        .scalar_subquery()
        .label("citizens_count")
    )


def import_rows():
    """A selectable of visible imports with their attributes, ready to filter, sort and page."""
    return (
        select(
            imports.c.id,
            imports.c.created_at,
            imports.c.data_version,
            imports.c.deleted_at,
            citizens_count(),
        )
        .where(import_visible())
        .subquery("import_rows")
    )


def create_import(parsed_citizens: list[dict]) -> int:
    """Store a validated import with its citizens and kinship in one transaction."""
    try:
        import_id = db.session.execute(
            insert(imports).values(data_version=1).returning(imports.c.id)
        ).scalar_one()
        bulk_insert(
            citizens,
            STORED_COLUMNS,
            (
                (
                    import_id,
                    c["citizen_id"],
                    c["town"],
                    c["street"],
                    c["building"],
                    c["apartment"],
                    c["name"],
                    c["birth_date"],
                    c["gender"],
                )
                for c in parsed_citizens
            ),
        )
        bulk_insert(
            kinship,
            ("import_id", "citizen_id", "relative_id"),
            ((import_id, c, r) for c, r in kinship_rows(parsed_citizens)),
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return import_id


def get_import(import_id: int) -> Row:
    rows = import_rows()
    row = db.session.execute(select(rows).where(rows.c.id == import_id)).first()
    if row is None:
        raise import_not_found(import_id)
    return row


def list_imports(query) -> tuple[int, list[Row]]:
    return apply_collection_query(import_rows(), query, default_order=("id",))


def trash_import(import_id: int) -> None:
    def trash():
        db.session.execute(
            update(imports).where(imports.c.id == import_id).values(deleted_at=func.now())
        )

    write_to_import(import_id, trash)
