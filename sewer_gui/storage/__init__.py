"""Project storage: one SQLite file per project (no Qt)."""
