"""PACP-style exchange tables as CSV files and as an SQLite copy (no Qt)."""
