"""Reproducible recipes: the shipped model and the results table."""
