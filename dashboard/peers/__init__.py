"""Compare a council with its peers: group kinds and stored peer sets (``groups``, ``sets``), the
statistics within a group (``statistics``), their downloads, widgets and charts.

Imports ``dashboard.common`` and ``dashboard.warehouse`` only, never another feature.
"""
