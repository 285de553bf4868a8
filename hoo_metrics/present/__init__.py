"""View models: what each page shows, built from a view's jointly suppressed results.

A page (``app_pages/*.py``) asks for its view model and only lays it out: every number,
sentence, table and figure is made here, from :class:`hoo_metrics.present.results.Results`, so no
statistic and no suppression text is assembled in a page or in ``hoo_app``. One module per
page (``hoo_metrics.present.overview``, ...); the building blocks are in
:mod:`hoo_metrics.present.model`. No streamlit here.
"""
