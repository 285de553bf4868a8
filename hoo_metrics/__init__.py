"""hoo_metrics: the metrics library behind the HOO dashboard.

The public surface: the app and the command line import only from here. Names resolve lazily
to their one-feature modules (as scipy does), so importing the package stays cheap and the
command line starts quickly.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS: dict[str, tuple[str, ...]] = {
    "contract": (
        "CONTRACT_VERSION",
        "ALL_GROUP",
        "BLANK_GROUP",
        "POPULATIONS",
        "POPULATION_LABELS",
        "RESOURCE_LABELS",
        "STAGE_CATEGORIES",
        "STAGE_LABELS",
        "resource_label",
        "stage_category_label",
    ),
    "problems": ("Problem", "CohortError", "ERROR", "WARNING"),
    "cohort": ("Cohort",),
    "load": ("read_tables", "RawTables"),
    "validate": ("validate", "load_cohort", "ValidationResult"),
    "inference": (
        "wilson_interval",
        "mean_interval",
        "benjamini_hochberg",
        "compare_proportions",
        "compare_means",
        "contingency_test",
        "ProportionComparison",
        "MeanComparison",
    ),
    "enrollment": ("enrollment",),
    "followup": (
        "followup_summary",
        "ended_by_contact",
        "contacts_per_participant",
        "support_duration_curve",
    ),
    "resources": ("resources_by_wave", "resources_overall"),
    "compare": ("compare_resources",),
    "stages": (
        "stage_category",
        "stage_categories",
        "transitions",
        "transition_waves",
        "early_to_thriving",
        "recovered_resource_tests",
    ),
    "baseline": ("baseline_table", "baseline_tests"),
    "summary": ("summary",),
    "sample": ("generate_sample", "write_sample", "SAMPLE_DIR", "load_sample"),
}
#: Modules whose own ``__all__`` is re-exported whole.
_WHOLE_MODULES = ("figures", "format", "privacy", "store", "canonical")

_NAME_TO_MODULE = {name: mod for mod, names in _EXPORTS.items() for name in names}

__all__ = [*sorted(_NAME_TO_MODULE), "__version__"]


def __getattr__(name: str):
    module = _NAME_TO_MODULE.get(name)
    if module is not None:
        return getattr(importlib.import_module(f".{module}", __name__), name)
    for module in _WHOLE_MODULES:
        try:
            mod = importlib.import_module(f".{module}", __name__)
        except ModuleNotFoundError:
            continue
        if name in getattr(mod, "__all__", ()):
            return getattr(mod, name)
    raise AttributeError(f"module 'hoo_metrics' has no attribute {name!r}")


def __dir__():
    return __all__
