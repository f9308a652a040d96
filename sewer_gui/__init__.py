"""Sewer CCTV coding assistant: PACP-style domain, storage, reports and the Qt application."""

__version__ = "0.1.0"
