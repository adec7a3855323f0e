"""What every feature and page shares: URL state, widgets, text escaping and formatting, exports,
the register's facts and the existence rule, the disclosure rule, colours, the page frame, logging.

``common`` imports nothing from a feature; features import ``common`` and ``dashboard.warehouse``.
"""
