"""PDF inspection reports (reportlab, no Qt)."""
