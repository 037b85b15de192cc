"""Apply a parsed collection query (filter, sort, page) to a SQL selectable."""

from sqlalchemy import func, select
from sqlalchemy.engine import Row

from app.extensions import db


def apply_collection_query(rows, query, default_order: tuple[str, ...]) -> tuple[int, list[Row]]:
    """Return (count of matching rows, the requested page) of `rows`, a subquery."""
    conditions = [rows.c[name].in_(values) for name, values in query.filters.items()]
    order = [rows.c[name].desc() if desc else rows.c[name].asc() for name, desc in query.sort]
    order += [rows.c[name] for name in default_order]  # a stable total order for paging
    statement = select(rows).where(*conditions).order_by(*order)
    if query.page_size:
        statement = statement.limit(query.page_size).offset(
            (query.page_number - 1) * query.page_size
        )
    page = db.session.execute(statement).all()
    if query.page_size == 0 and not conditions:
        return len(page), page
    count = db.session.execute(select(func.count()).select_from(rows).where(*conditions))
    return count.scalar_one(), page
