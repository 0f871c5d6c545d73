"""Curbside: Cloud Functions for the on-demand vehicle-service platform."""
