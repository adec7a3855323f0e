"""Councils across reorganisations: former councils with their successors, and a successor's
series continued from its predecessors (marked derived, never ranked).

Imports ``dashboard.common`` and ``dashboard.warehouse`` only, never another feature.
"""
