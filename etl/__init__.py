"""Exemplar's ETL: extract -> validate -> transform -> load, publishing warehouse versions atomically."""
