"""Self-assessment results: maturity by council, theme and round under the disclosure rule
(``results``), maturity against outcomes (``quadrant``), the template a council fills in
(``template``) and the charts.

Imports ``dashboard.common`` and ``dashboard.warehouse`` only, never another feature: the
exemplars and outcome scores it sets maturity against come in as arguments
(``dashboard.views.compose`` joins the two features).
"""
