"""Validate: raw tables to a Cohort, or the problems that stop it.

- :mod:`.validate`: the data contract's checks, ``validate`` and ``load_cohort``.

The rules it applies that reading and the Cohort share live beside the subpackages:
:mod:`hoo_metrics.identifiers` (the identifier screen) and :mod:`hoo_metrics.problems` (how a
problem is told). Named ``checks``, not ``validate``: ``hoo_metrics.validate`` is the function.
Plain modules; this ``__init__`` imports nothing.
"""
