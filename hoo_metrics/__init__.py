"""hoo_metrics: the metrics library behind the HOO dashboard.

The public surface: the app and the command line import only from here. Each name comes from
its one-feature module (as scipy.stats re-exports from its private modules). The imports are
explicit, so a function that shares its module's name (``enrollment``, ``summary``,
``validate``) is the function here, never the module.
"""

from __future__ import annotations

from . import canonical as _canonical
from . import export as _export
from . import figures as _figures
from . import format as _format
from . import privacy as _privacy
from . import report as _report
from . import store as _store
from .baseline import baseline_table, baseline_tests
from .cohort import Cohort
from .compare import compare_resources
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
from .enrollment import enrollment
from .followup import (
    contacts_per_participant,
    ended_by_contact,
    followup_summary,
    support_duration_curve,
)
from .inference import (
    MeanComparison,
    ProportionComparison,
    benjamini_hochberg,
    compare_means,
    compare_proportions,
    contingency_test,
    mean_interval,
    wilson_interval,
)
from .load import RawTables, read_tables
from .outcomes import OUTCOMES, OutcomeComparison, compare_outcome, suppress_outcome
from .problems import ERROR, WARNING, CohortError, Problem
from .redcap import REDCAP_SAMPLE_DIR, to_redcap, write_redcap_sample
from .redcap import convert as convert_redcap
from .resources import resources_by_wave, resources_overall
from .sample import SAMPLE_DIR, generate_sample, load_sample, write_sample
from .stages import (
    BASELINE_STAGE_CATEGORY,
    early_to_thriving,
    recovered_resource_tests,
    stage_categories,
    stage_category,
    transition_waves,
    transitions,
    with_baseline_stage_category,
)
from .summary import summary
from .validate import ValidationResult, load_cohort, validate

__version__ = "0.1.0"

_WHOLE_MODULES = (_canonical, _export, _figures, _format, _privacy, _report, _store)
globals().update({n: getattr(m, n) for m in _WHOLE_MODULES for n in m.__all__})

__all__ = [  # grouped by module
    "Cohort", "CohortError", "Problem", "ERROR", "WARNING",
    "RawTables", "read_tables", "ValidationResult", "load_cohort", "validate",
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
    "OUTCOMES", "OutcomeComparison", "compare_outcome", "suppress_outcome",
    "REDCAP_SAMPLE_DIR", "convert_redcap", "to_redcap", "write_redcap_sample",
    "baseline_table", "baseline_tests",
    "summary",
    "SAMPLE_DIR", "generate_sample", "load_sample", "write_sample",
    "__version__",
    *(n for m in _WHOLE_MODULES for n in m.__all__),
]  # fmt: skip
