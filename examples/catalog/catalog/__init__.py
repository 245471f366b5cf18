"""A product catalogue served with FastAPI, kept in Meilisearch by scrypath in queue mode."""
