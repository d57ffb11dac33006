"""Acceptance pages."""
