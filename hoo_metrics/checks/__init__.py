"""Validate: raw tables to a Cohort, or the problems that stop it.

- :mod:`.validate`: the data contract's checks, ``validate`` and ``load_cohort``;
- :mod:`.identifiers`: the screen for identifying participant columns (names, free text, ...);
- :mod:`.problems`: :class:`Problem` and :class:`CohortError`, the one way a problem is told.

Named ``checks``, not ``validate``: ``hoo_metrics.validate`` is the function. Plain modules;
this ``__init__`` imports nothing (see :mod:`hoo_metrics.io`).
"""
