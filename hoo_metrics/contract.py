"""The data contract as code: tables, columns, vocabularies, labels and stage categories.

Source of truth: shared/data-contract.md. Every other module takes its names from here.
"""

from __future__ import annotations

CONTRACT_VERSION = "1.0"

TABLES = ("participants", "responses", "contacts")
REQUIRED_TABLES = ("participants", "responses")

PARTICIPANT_REQUIRED = ("participant_id", "arm", "status")
PARTICIPANT_OPTIONAL = ("role", "event_type")
RESPONSE_REQUIRED = ("participant_id", "month")
RESPONSE_OPTIONAL = ("stage", "stage6_path", "most_helpful")
CONTACT_REQUIRED = ("participant_id", "contact_no", "day", "more_followup")

USED_PREFIX = "used_"
HELPFUL_PREFIX = "helpful_"

STATUSES = ("completed", "withdrew", "lost_to_follow_up")
STAGE6_PATHS = ("dropping_out", "surviving", "thriving")
YES_NO = ("yes", "no")
MAX_MOST_HELPFUL = 3
HELPFUL_MIN, HELPFUL_MAX = 1, 5
STAGE_MIN, STAGE_MAX = 1, 6

POPULATIONS = ("completed", "all")
DEFAULT_GROUP_BY = "arm"
#: Group label used when a metric is computed without a grouping column.
ALL_GROUP = "all"
#: Group label for participants whose grouping column is blank.
BLANK_GROUP = "(blank)"

#: Scott et al. (2009) six stages of the second-victim trajectory.
STAGE_LABELS = {
    1: "Chaos and accident response",
    2: "Intrusive reflections",
    3: "Restoring personal integrity",
    4: "Enduring the inquisition",
    5: "Obtaining emotional first aid",
    6: "Moving on",
}
STAGE_CATEGORIES = ("early", "middle", "dropping_out", "surviving", "thriving")
STAGE_CATEGORY_LABELS = {
    "early": "Early (stages 1-3)",
    "middle": "Middle (stages 4-5)",
    "dropping_out": "Moved on: dropping out",
    "surviving": "Moved on: surviving",
    "thriving": "Moved on: thriving",
    # the coarser categories of the recoded stage mix (privacy.recode_stage_mix)
    "moved_on": "Moved on (stage 6)",
    "not_moved_on": "Not yet moved on (stages 1-5)",
}
#: The categories of stage 6 (moving on), by any path.
MOVED_ON = ("dropping_out", "surviving", "thriving")
#: The stage mix recoded coarser and coarser: shown category -> the categories it adds up.
STAGE_RECODINGS = (
    {c: (c,) for c in STAGE_CATEGORIES},
    {"early": ("early",), "middle": ("middle",), "moved_on": MOVED_ON},
    {"not_moved_on": ("early", "middle"), "moved_on": MOVED_ON},
)

RESOURCE_LABELS = {
    "peers": "Peers / colleagues",
    "peer_supporter": "Trained peer supporter",
    "department_leadership": "Departmental leadership",
    "family": "Family",
    "friends": "Friends",
    "eap": "Employee assistance program",
    "mental_health": "Mental health professional",
    "chaplain": "Chaplain / spiritual care",
    "risk_management": "Risk management / patient safety",
    "other": "Other",
}

POPULATION_LABELS = {"completed": "Completers", "all": "All enrolled"}


def resource_label(code: str) -> str:
    """Human label of a resource code: the built-in label, or the code made readable."""
    if code in RESOURCE_LABELS:
        return RESOURCE_LABELS[code]
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else code


def stage_category_label(category: str) -> str:
    """Human label of a stage category."""
    return STAGE_CATEGORY_LABELS.get(category, category)
