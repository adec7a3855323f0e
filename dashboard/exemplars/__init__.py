"""Find exemplar councils: the composite score and completeness (``scoring``), the exemplar rule
with its reasons and near misses (``rule``), rank stability (``stability``), what a transformed
council looks like (``profiles``), the finder and the UK overview (``finder``), the shortlist CSV,
the method widgets and the charts.

Imports ``dashboard.common`` and ``dashboard.warehouse`` only, never another feature: the
self-assessment maturity the rule can use comes in as a frame (``dashboard.views.compose``
joins the two).
"""
