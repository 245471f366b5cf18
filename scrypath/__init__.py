"""scrypath: keep SQLAlchemy records in a Meilisearch index, and see and repair that sync."""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
