"""The report layer, between the checks and the renderers: the report of a scan
(:class:`~trustgraph.report.scan_report.ScanReport`), suppressions (:mod:`trustgraph.report.suppressions`) and
:func:`~trustgraph.report.build.build_report`. Nothing here formats text; :mod:`trustgraph.render` does."""
