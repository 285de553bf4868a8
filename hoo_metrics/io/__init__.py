"""Files in: read a cohort and keep it as canonical text.

- :mod:`.load`: read the three tables from a folder, a .zip or an .xlsx workbook (text only);
- :mod:`.redcap`: a REDCap export (records + data dictionary) to the three tables;
- :mod:`.canonical`: the canonical CSV bytes of a Cohort and their SHA-256;
- :mod:`.arrowtext`: the Arrow string columns the readers and the Cohort share;
- :mod:`.sample`: the synthetic "Healing Our Own" cohort, written in the formats read here.

Plain modules, imported by their own path; the public names are re-exported by
:mod:`hoo_metrics`. This ``__init__`` imports nothing: the Cohort and the checks import
:mod:`.arrowtext` while :mod:`.canonical` imports the Cohort, so a re-exporting ``__init__``
would close an import cycle.
"""
