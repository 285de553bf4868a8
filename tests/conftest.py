"""Fixtures shared by the unit tests."""

import pytest

import hoo_metrics as hm


@pytest.fixture(scope="session")
def sample_cohort():
    """The committed synthetic sample, loaded as a user would (folder of CSVs)."""
    return hm.load_cohort("sample_data/healing_our_own")
