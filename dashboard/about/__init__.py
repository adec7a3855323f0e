"""The About pages' facts: what the warehouse holds, where its data comes from, versions and
where to get help.

Imports ``dashboard.common`` and ``dashboard.warehouse`` only, never another feature.
"""
