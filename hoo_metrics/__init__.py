"""hoo_metrics: the metrics library behind the HOO dashboard.

The public surface: the app and the command line import only from here. Each name comes from
its one-feature module (as scipy.stats re-exports from its private modules). The subpackages
follow the data, each importing only what comes before it (the ``Cohort`` class before the
checks that build one; tests/test_layout.py): ``io`` (read files, REDCap,
canonical text) -> ``checks`` (validate) -> ``cohort`` -> ``metrics`` (one family each,
numbers only) -> ``privacy`` (small-cell suppression) -> ``present`` (results, view models,
format, figures, report, export, summary) -> ``store`` (the cohort library) -> ``cli``
(``python -m hoo_metrics``). Below them all, the rules they share: ``contract`` (the data
contract's names), ``problems`` (how a problem is told), ``arrowtext`` (text columns) and
``identifiers`` (the identifier screen); ``sample`` (the synthetic cohort) loads through the
checks. The imports are explicit, so a function that shares its module's name
(``enrollment``, ``summary``, ``validate``) is the function here, never the module (that is
``metrics.enrollment``, ``present.summary``, ``checks.validate``).

Loading, validation (with the canonical text, whose hash a loaded Cohort carries) and the
summary's metrics are imported at once. The presentation modules (figures and plotly, report,
export, store and sqlite, privacy, format, methods) and baseline, outcomes and sample are
imported on first use of any name not defined here (PEP 562 ``__getattr__``), so ``python -m
hoo_metrics summary`` does not pay for them. No module or subpackage directly under
``hoo_metrics`` shares its name with a function of this package, so the module attribute that
importing a submodule sets can never hide a function.
"""

# ruff: noqa: F401 - the imports below are the re-exports; __all__ is completed on first use

from __future__ import annotations

import importlib

from ._version import __version__
from .checks.validate import ValidationResult, load_cohort, validate
from .cohort import Cohort, cohort_from_canonical
from .contract import (
    ALL_GROUP,
    BLANK_GROUP,
    CONTRACT_VERSION,
    POPULATION_LABELS,
    POPULATIONS,
    RESOURCE_LABELS,
    STAGE_CATEGORIES,
    STAGE_LABELS,
    resource_label,
    stage_category_label,
)
from .io.canonical import canonical_tables, content_sha256, response_columns
from .io.load import RawTables, read_tables
from .io.redcap import REDCAP_SAMPLE_DIR, to_redcap
from .io.redcap import convert as convert_redcap
from .metrics.compare import compare_resources
from .metrics.enrollment import enrollment
from .metrics.followup import (
    contacts_per_participant,
    ended_by_contact,
    followup_summary,
    support_duration_curve,
)
from .metrics.inference import (
    MeanComparison,
    ProportionComparison,
    benjamini_hochberg,
    compare_means,
    compare_proportions,
    contingency_test,
    mean_interval,
    wilson_interval,
)
from .metrics.resources import resources_by_wave, resources_overall
from .metrics.stages import (
    BASELINE_STAGE_CATEGORY,
    early_to_thriving,
    recovered_resource_tests,
    stage_categories,
    stage_category,
    transition_waves,
    transitions,
    with_baseline_stage_category,
)
from .present.summary import summary
from .problems import ERROR, WARNING, CohortError, Problem

# imported on first use: every name of __all__ of these modules ...
_WHOLE_MODULES = (
    "present.export",
    "present.figures",
    "present.format",
    "present.methods",
    "privacy",
    "present.report",
    "present.results",
    "store",
)
# ... and these names of these modules
_LAZY_NAMES = {
    "metrics.baseline": ("baseline_table", "baseline_tests"),
    "metrics.outcomes": ("OUTCOMES", "OutcomeComparison", "compare_outcome", "stage_distribution"),
    "sample": (
        "SAMPLE_DIR",
        "generate_sample",
        "load_sample",
        "write_redcap_sample",
        "write_sample",
    ),
}
_ALL_GROUPED = [  # grouped by module
    "Cohort", "CohortError", "Problem", "ERROR", "WARNING",
    "RawTables", "read_tables", "ValidationResult", "load_cohort", "validate",
    "canonical_tables", "cohort_from_canonical", "content_sha256", "response_columns",
    "ALL_GROUP", "BLANK_GROUP", "CONTRACT_VERSION", "POPULATIONS", "POPULATION_LABELS",
    "RESOURCE_LABELS", "STAGE_CATEGORIES", "STAGE_LABELS", "resource_label",
    "stage_category_label",
    "MeanComparison", "ProportionComparison", "benjamini_hochberg", "compare_means",
    "compare_proportions", "contingency_test", "mean_interval", "wilson_interval",
    "enrollment",
    "contacts_per_participant", "ended_by_contact", "followup_summary",
    "support_duration_curve",
    "resources_by_wave", "resources_overall", "compare_resources",
    "early_to_thriving", "recovered_resource_tests", "stage_categories", "stage_category",
    "transition_waves", "transitions", "BASELINE_STAGE_CATEGORY", "with_baseline_stage_category",
    "OUTCOMES", "OutcomeComparison", "compare_outcome", "suppress_outcome", "SuppressedOutcome",
    "REDCAP_SAMPLE_DIR", "convert_redcap", "to_redcap", "write_redcap_sample",
    "baseline_table", "baseline_tests",
    "summary",
    "SAMPLE_DIR", "generate_sample", "load_sample", "write_sample",
    "__version__",
]  # fmt: skip


def _import_lazy() -> list[str]:
    """Import the lazy modules and bind their public names here (as the eager imports would
    have); the names bound."""
    names = []
    for module in _WHOLE_MODULES:
        m = importlib.import_module(f".{module}", __name__)
        names += m.__all__
        globals().update({n: getattr(m, n) for n in m.__all__})
    for module, wanted in _LAZY_NAMES.items():
        m = importlib.import_module(f".{module}", __name__)
        names += wanted
        globals().update({n: getattr(m, n) for n in wanted})
    return names


def __getattr__(name: str):
    """A lazily imported public name (or ``__all__``, which lists them)."""
    if name.startswith("__") and name != "__all__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    names = _import_lazy()
    if name == "__all__":
        everything = [*_ALL_GROUPED, *(n for n in names if n not in _ALL_GROUPED)]
        globals()["__all__"] = everything
        return everything
    if name in globals():
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})
