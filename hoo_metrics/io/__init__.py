"""Files in: read a cohort and keep it as canonical text.

- :mod:`.load`: read the three tables from a folder, a .zip or an .xlsx workbook (text only);
- :mod:`.redcap`: a REDCap export (records + data dictionary) to the three tables;
- :mod:`.canonical`: the canonical CSV bytes of a cohort's tables, their SHA-256, and back.

Plain modules, imported by their own path; the public names are re-exported by
:mod:`hoo_metrics`. Reading comes first in the flow: these modules import only the shared
rules beside them (``contract``, ``problems``, ``arrowtext``, ``identifiers``), never the
checks or the Cohort. This ``__init__`` imports nothing, so importing one reader does not
import the others.
"""
