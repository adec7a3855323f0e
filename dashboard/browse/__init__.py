"""Browse councils: filter by nation, region, type and name, one indicator in one period as a
table, a map (``map``) and a CSV, ranked within the filtered councils (``filters``).

Imports ``dashboard.common`` and ``dashboard.warehouse`` only, never another feature.
"""
