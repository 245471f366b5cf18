"""scrypath's verification runner: `python -m verify PHASE...` (repo tooling, not shipped)."""
