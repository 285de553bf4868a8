"""Metrics: one family per module, numbers only (tidy DataFrames, no text, no suppression).

- :mod:`.enrollment`, :mod:`.followup`, :mod:`.resources`, :mod:`.compare` (resource use
  between groups), :mod:`.stages` (stage transitions), :mod:`.baseline` (Table 1),
  :mod:`.outcomes` (outcomes between groups);
- :mod:`.inference`: the intervals and tests they share;
- :mod:`._analysed`: the analysed cohort, the typed facts several families derive from one
  analysis set (contacts, follow-up responses, stages), built once per analysis set.

Plain modules; this ``__init__`` imports nothing, so ``python -m hoo_metrics summary`` loads
only the families it needs (:mod:`.outcomes` imports :mod:`hoo_metrics.privacy`).
"""
