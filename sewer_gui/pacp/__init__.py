"""PACP-style domain: code table, inspections, observations, validation and ratings (no Qt)."""
