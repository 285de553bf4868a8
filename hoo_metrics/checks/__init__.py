"""Validate: raw tables to a Cohort, or the problems that stop it.

- :mod:`.validate`: ``validate``, ``load_cohort`` and ``ValidationResult`` (the public names).

The data contract's checks live in private modules that import one way only:
:mod:`._cells` (the cell helpers: parsing whole numbers, text columns, membership) ->
:mod:`._participants`, :mod:`._responses` (with most_helpful), :mod:`._contacts` (with days
going down): each table's checks, functions taking the validator -> :mod:`._validator` (the
run, its reporting, the checks the tables share, the Cohort built at the end).

The rules it applies that reading and the Cohort share live beside the subpackages:
:mod:`hoo_metrics.identifiers` (the identifier screen) and :mod:`hoo_metrics.problems` (how a
problem is told). Named ``checks``, not ``validate``: ``hoo_metrics.validate`` is the function.
Plain modules; this ``__init__`` imports nothing.
"""
