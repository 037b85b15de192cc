"""Pure computations of the citizens domain: no Flask, no SQLAlchemy."""
