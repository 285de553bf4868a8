"""The JSON summary (data contract section 3), key by key, on a cohort worked by hand."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from hoo_metrics import load_cohort, summary
from tests.cli import run_cli

ROOT = Path(__file__).resolve().parent.parent

PARTICIPANTS = """participant_id,arm,status,role
P1,A,completed,nurse
P2,A,completed,midwife
P3,B,completed,nurse
P4,B,withdrew,resident
"""
RESPONSES = (
    "participant_id,month,stage,stage6_path,"
    "used_peers,helpful_peers,used_family,helpful_family,most_helpful\n"
    """P1,0,2,,,,,,
P1,3,6,thriving,1,5,0,,peers
P2,0,6,thriving,,,,,
P2,3,4,,0,,1,3,family
P3,0,5,,,,,,
P3,3,6,surviving,1,4,1,,peers;family
P4,0,1,,,,,,
"""
)
CONTACTS = """participant_id,contact_no,day,more_followup
P1,1,3,yes
P1,2,30,no
P2,1,5,no
P3,1,4,yes
P4,1,2,no
"""

# Worked by hand (completers P1, P2, P3; P4 withdrew):
# follow-up, all: P1 ends at contact 2 (day 30, event), P2 at contact 1 (day 5, event), P3 never
#   (censored at day 4). ended_by_contact: k=1 -> 1/3 (P2); k=2 -> 2/3. contacts 2,1,1 -> median 1.
#   Kaplan-Meier: t=4 censored (S=1), t=5: 2 at risk, 1 event -> S=0.5 <= 0.5 -> median 5.
# follow-up, A: P1, P2: k=1 -> 1/2, k=2 -> 2/2; contacts 2,1 -> median 1.5; S(5)=1/2 -> median 5.
# follow-up, B: P3 only, largest contact_no 1: k=1 -> 0/1; contacts 1; censored -> median null.
# resources, month 3, A (P1, P2): peers used 1/2, rating 5, named 1; family used 1/2, rating 3,
#   named 1. Tie on most_helpful, helpful_mean 5 > 3 -> peers rank 1, family rank 2.
# resources, month 3, B (P3): peers used 1/1, rating 4, named 1; family used 1/1, no rating
#   (mean null, n 0), named 1 -> tie on most_helpful, null mean last -> peers 1, family 2.
# overall: A participants 2, peers 1 used/1 named, family 1/1 -> tie everywhere -> code order:
#   family 1, peers 2. B participants 1: same.
# resource tests: every table is [[1, 1], [1, 0]] (A 1 of 2, B 1 of 1). Hypergeometric with
#   margins rows (2, 1), columns (2, 1): P(a=1) = C(2,1)C(1,1)/C(3,2) = 2/3, P(a=2) = 1/3; both
#   <= 2/3 -> p = 1. BH of [1, 1] -> q = 1.
# transitions: P1 early -> thriving (A), P2 thriving -> middle (A), P3 middle -> surviving (B).
# recovered: transitioned = {P1}, others = {P2, P3}. peers: 1/1 vs 1/2 -> [[1,0],[1,1]] -> p 1.
#   family: 0/1 vs 2/2 -> [[0,1],[2,0]]: P(a=0) = C(2,0)C(1,1)/C(3,1) = 1/3, P(a=1) = 2/3;
#   only a=0 is as extreme -> p = 1/3.
EXPECTED = {
    "population": "completed",
    "group_by": "arm",
    "groups": ["A", "B"],
    "enrollment": {
        "enrolled": 4,
        "analysed": 3,
        "by_group": {"A": {"enrolled": 2, "analysed": 2}, "B": {"enrolled": 2, "analysed": 1}},
    },
    "followup": {
        "participants": 3,
        "ended_by_contact": {"1": 1 / 3, "2": 2 / 3},
        "median_contacts": 1.0,
        "median_support_days": 5.0,
        "by_group": {
            "A": {
                "participants": 2,
                "ended_by_contact": {"1": 0.5, "2": 1.0},
                "median_contacts": 1.5,
                "median_support_days": 5.0,
            },
            "B": {
                "participants": 1,
                "ended_by_contact": {"1": 0.0},
                "median_contacts": 1.0,
                "median_support_days": None,
            },
        },
    },
    "resources": [
        {"month": 3, "group": "A", "resource": "peers", "respondents": 2, "used": 1,
         "used_share": 0.5, "helpful_mean": 5.0, "helpful_n": 1, "most_helpful": 1, "rank": 1},
        {"month": 3, "group": "A", "resource": "family", "respondents": 2, "used": 1,
         "used_share": 0.5, "helpful_mean": 3.0, "helpful_n": 1, "most_helpful": 1, "rank": 2},
        {"month": 3, "group": "B", "resource": "peers", "respondents": 1, "used": 1,
         "used_share": 1.0, "helpful_mean": 4.0, "helpful_n": 1, "most_helpful": 1, "rank": 1},
        {"month": 3, "group": "B", "resource": "family", "respondents": 1, "used": 1,
         "used_share": 1.0, "helpful_mean": None, "helpful_n": 0, "most_helpful": 1, "rank": 2},
    ],
    "resources_overall": [
        {"group": "A", "resource": "family", "participants": 2, "used_ever": 1,
         "most_helpful_ever": 1, "rank": 1},
        {"group": "A", "resource": "peers", "participants": 2, "used_ever": 1,
         "most_helpful_ever": 1, "rank": 2},
        {"group": "B", "resource": "family", "participants": 1, "used_ever": 1,
         "most_helpful_ever": 1, "rank": 1},
        {"group": "B", "resource": "peers", "participants": 1, "used_ever": 1,
         "most_helpful_ever": 1, "rank": 2},
    ],
    "resource_tests": [
        {"resource": "peers", "measure": "used_ever", "p_value": 1.0, "q_value": 1.0},
        {"resource": "family", "measure": "used_ever", "p_value": 1.0, "q_value": 1.0},
        {"resource": "peers", "measure": "most_helpful_ever", "p_value": 1.0, "q_value": 1.0},
        {"resource": "family", "measure": "most_helpful_ever", "p_value": 1.0, "q_value": 1.0},
    ],
    "transitions": {
        "categories": ["early", "middle", "dropping_out", "surviving", "thriving"],
        "counts": [
            {"group": "A", "from": "early", "to": "thriving", "n": 1},
            {"group": "A", "from": "thriving", "to": "middle", "n": 1},
            {"group": "B", "from": "middle", "to": "surviving", "n": 1},
        ],
        "early_to_thriving": {"n": 1, "by_group": {"A": 1, "B": 0}},
    },
    "transition_resource_tests": [
        {"resource": "peers", "transitioned": 1, "transitioned_n": 1, "others": 1,
         "others_n": 2, "p_value": 1.0},
        {"resource": "family", "transitioned": 0, "transitioned_n": 1, "others": 2,
         "others_n": 2, "p_value": 1 / 3},
    ],
}  # fmt: skip


@pytest.fixture
def cohort_dir(tmp_path: Path) -> Path:
    (tmp_path / "participants.csv").write_text(PARTICIPANTS)
    (tmp_path / "responses.csv").write_text(RESPONSES)
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    return tmp_path


def assert_same(actual, expected, path="$"):
    """Exact structure and key order, ints as ints, floats within 1e-12, null as None."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        assert list(actual) == list(expected), f"{path}: keys {list(actual)}"
        for key in expected:
            assert_same(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert isinstance(actual, float), f"{path}: {actual!r} is not a float"
        assert math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-12), f"{path}: {actual}"
    elif expected is None:
        assert actual is None, f"{path}: {actual!r} should be null"
    else:
        assert type(actual) is type(expected) and actual == expected, f"{path}: {actual!r}"


def test_summary_matches_hand_worked_json(cohort_dir):
    result = summary(load_cohort(cohort_dir))
    # The object must survive strict JSON (no NaN) unchanged.
    assert_same(json.loads(json.dumps(result, allow_nan=False)), EXPECTED)


def test_population_all_counts_the_withdrawn_participant(cohort_dir):
    # P4 (B, withdrew) joins: enrollment analysed 4; P4 has one contact ending at contact 1
    # (day 2): overall participants 4, k=1 -> P2, P4 = 2/4, k=2 -> 3/4.
    result = summary(load_cohort(cohort_dir), population="all")
    assert result["population"] == "all"
    assert result["enrollment"]["analysed"] == 4
    assert result["followup"]["participants"] == 4
    assert result["followup"]["ended_by_contact"] == {"1": 0.5, "2": 0.75}
    # P4 has no follow-up response: still 1 participant in B's overall resources.
    b_overall = [r for r in result["resources_overall"] if r["group"] == "B"]
    assert {r["participants"] for r in b_overall} == {1}


def test_group_by_another_column(cohort_dir):
    # Roles among enrolled: midwife (P2), nurse (P1, P3), resident (P4, withdrew).
    result = summary(load_cohort(cohort_dir), group_by="role")
    assert result["groups"] == ["midwife", "nurse", "resident"]
    assert result["enrollment"]["by_group"]["resident"] == {"enrolled": 1, "analysed": 0}
    # Resident has no analysed participant with a contact.
    assert result["followup"]["by_group"]["resident"] == {
        "participants": 0,
        "ended_by_contact": {},
        "median_contacts": None,
        "median_support_days": None,
    }
    # Early to thriving: P1 is a nurse.
    assert result["transitions"]["early_to_thriving"]["by_group"] == {
        "midwife": 0,
        "nurse": 1,
        "resident": 0,
    }


def test_cli_summary_prints_the_contract_json(cohort_dir, capsys):
    done = run_cli(capsys, "summary", str(cohort_dir))
    assert done.returncode == 0, done.stderr
    assert_same(json.loads(done.stdout), EXPECTED)


def test_cli_summary_on_invalid_data_exits_2_without_traceback(cohort_dir):
    # An unknown status on file row 3 (P2) and a stage of 9 on file row 4 (P2, month 3).
    (cohort_dir / "participants.csv").write_text(
        PARTICIPANTS.replace("P2,A,completed", "P2,A,done")
    )
    (cohort_dir / "responses.csv").write_text(RESPONSES.replace("P2,3,4,", "P2,3,9,"))
    # A real process: its exit code, and no traceback reaches the user.
    done = subprocess.run(
        [sys.executable, "-m", "hoo_metrics", "summary", str(cohort_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "participants, row 3, column status" in done.stderr
    assert "responses, row 5, column stage" in done.stderr


def test_cli_validate_exit_codes(cohort_dir, capsys):
    ok = run_cli(capsys, "validate", str(cohort_dir))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "0 error(s)" in ok.stdout
    (cohort_dir / "participants.csv").write_text(PARTICIPANTS.replace("P3,B,", "P3,,"))
    bad = run_cli(capsys, "validate", str(cohort_dir))
    assert bad.returncode == 2
    assert "participants, row 4, column arm" in bad.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["summary", "no/such/folder"], "no such file or folder"),
        (["summary", "{dir}", "--group-by", "shoe_size"], "no such column"),
    ],
)
def test_cli_bad_arguments_are_sentences(cohort_dir, args, message, capsys):
    done = run_cli(capsys, *[a.format(dir=cohort_dir) for a in args])
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["summary", "validate", "sample"])
def test_cli_help_explains_each_command(command, capsys):
    done = run_cli(capsys, command, "--help")
    assert done.returncode == 0
    assert "usage: python -m hoo_metrics " + command in done.stdout
    assert len(done.stdout.splitlines()) > 4


def _fisher_two_sided(a: int, n1: int, b: int, n2: int) -> float:
    """Fisher's exact two-sided p from hypergeometric terms (independent of scipy)."""
    from math import comb

    col, total = a + b, n1 + n2

    def prob(x: int) -> float:
        return comb(n1, x) * comb(n2, col - x) / comb(total, col)

    observed = prob(a)
    support = range(max(0, col - n2), min(col, n1) + 1)
    return sum(prob(x) for x in support if prob(x) <= observed * (1 + 1e-7))


def test_sample_reproduces_the_published_figures_through_the_cli(capsys):
    """The trial's published figures, read from `python -m hoo_metrics summary` on the sample."""
    done = run_cli(capsys, "summary", str(ROOT / "sample_data" / "healing_our_own"))
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)
    # 50 enrolled, 25 per arm; 42 completed: 23 enhanced, 19 routine.
    assert s["groups"] == ["enhanced", "routine"]
    assert s["enrollment"]["enrolled"] == 50 and s["enrollment"]["analysed"] == 42
    assert s["enrollment"]["by_group"] == {
        "enhanced": {"enrolled": 25, "analysed": 23},
        "routine": {"enrolled": 25, "analysed": 19},
    }
    # Enhanced arm: 15/23 = 65.2% ended after the first contact, 21/23 = 91.3% by the second.
    fu = s["followup"]["by_group"]["enhanced"]
    assert fu["participants"] == 23
    assert round(100 * fu["ended_by_contact"]["1"], 1) == 65.2
    assert round(100 * fu["ended_by_contact"]["2"], 1) == 91.3
    assert fu["median_support_days"] < 90
    # Enhanced named departmental leadership most helpful more often: Fisher P rounds to 0.02.
    (leadership,) = [
        t
        for t in s["resource_tests"]
        if t["resource"] == "department_leadership" and t["measure"] == "most_helpful_ever"
    ]
    named = {
        r["group"]: r["most_helpful_ever"]
        for r in s["resources_overall"]
        if r["resource"] == "department_leadership"
    }
    assert named["enhanced"] > 0 and named["enhanced"] / 23 > named["routine"] / 19
    expected = _fisher_two_sided(named["enhanced"], 23, named["routine"], 19)
    assert leadership["p_value"] == pytest.approx(expected, rel=1e-9)
    assert round(leadership["p_value"], 2) == 0.02
    # Early to thriving used peers (P rounds to 0.02) and departmental leadership (0.07) more.
    tests = {t["resource"]: t for t in s["transition_resource_tests"]}
    for resource, published in (("peers", 0.02), ("department_leadership", 0.07)):
        t = tests[resource]
        assert t["transitioned"] / t["transitioned_n"] > t["others"] / t["others_n"]
        expected = _fisher_two_sided(
            t["transitioned"], t["transitioned_n"], t["others"], t["others_n"]
        )
        assert t["p_value"] == pytest.approx(expected, rel=1e-9)
        assert round(t["p_value"], 2) == published
    # Most completers start on the stage 6 thriving path.
    baseline_thriving = sum(c["n"] for c in s["transitions"]["counts"] if c["from"] == "thriving")
    assert baseline_thriving > 42 / 2


def test_summary_leaves_the_content_hash_for_first_use():
    # The loader hands the Cohort a LazyText for its SHA-256: a summary never reads it, so it
    # is not computed; read later, it is the hash of the loaded tables, shared with the
    # analysis set and filtered cohorts, and it survives pickling (Streamlit's cache).
    import pickle

    from hoo_metrics import SAMPLE_DIR
    from hoo_metrics.cohort import Cohort, LazyText
    from hoo_metrics.io.canonical import canonical_tables, content_sha256

    cohort = load_cohort(SAMPLE_DIR)
    stored = Cohort.__dict__["sha256"].raw(cohort)
    assert isinstance(stored, LazyText) and stored._value is None
    summary(cohort)
    assert stored._value is None  # the summary did not need it
    expected = content_sha256(canonical_tables(cohort))
    first = cohort.filter({"arm": [cohort.groups("arm")[0]]})
    assert first.sha256 == expected  # a filtered cohort keeps the full cohort's hash
    assert stored._value == expected  # computed once, for both
    assert cohort.sha256 == cohort.analysis_set("completed").sha256 == expected
    assert pickle.loads(pickle.dumps(cohort)).sha256 == expected
    assert Cohort(cohort.participants, cohort.responses, sha256="abc").sha256 == "abc"
    assert Cohort(cohort.participants, cohort.responses).sha256 == ""


def test_summary_command_imports_no_presentation_modules():
    # `import hoo_metrics` (as `python -m hoo_metrics summary` does) leaves plotly, sqlite3,
    # openpyxl and the presentation modules unimported; any of their names imports them on
    # first use, and the functions named like their modules stay functions throughout.
    code = """
import sys, types
import hoo_metrics as hm
import hoo_metrics.checks.validate, hoo_metrics.metrics.enrollment, hoo_metrics.present.summary
heavy = ["plotly", "sqlite3", "openpyxl", "hoo_metrics.store", "hoo_metrics.privacy"]
heavy += [f"hoo_metrics.present.{m}" for m in ("figures", "report", "export", "format",
                                               "methods", "results")]
print([m for m in heavy if m in sys.modules])
names = ("enrollment", "summary", "validate")
print([isinstance(getattr(hm, n), types.FunctionType) for n in names])
print(hm.build_report.__module__, hm.km_chart.__module__, hm.load_sample.__module__)
print([isinstance(getattr(hm, n), types.FunctionType) for n in names])
print(all(hasattr(hm, n) for n in hm.__all__), "plotly" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        "[]",
        "[True, True, True]",
        "hoo_metrics.present.report hoo_metrics.present.figures hoo_metrics.sample",
        "[True, True, True]",
        "True True",
    ]


def test_the_process_entry_returns_main_s_code_and_leaves_no_object_to_the_exit_collection(
    monkeypatch,
):
    # _run (python -m hoo_metrics) gives main's exit code and freezes what the interpreter's
    # shutdown would walk in vain
    import gc

    from hoo_metrics.cli import _main as cli

    monkeypatch.setattr(cli, "main", lambda: 2)
    gc.unfreeze()
    try:
        assert cli._run() == 2
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_reader_that_stops_early_is_no_internal_error():
    # `python -m hoo_metrics summary ... | head`: the reader closes the pipe after a few bytes.
    # The process is the point here (the pipe is the operating system's). The summary of the
    # sample is far more than 64 bytes, so the writer meets the closed pipe.
    proc = subprocess.Popen(
        [sys.executable, "-m", "hoo_metrics", "summary", str(ROOT / "sample_data/healing_our_own")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.read(64)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert first.startswith(b"{")
    assert "internal error" not in err and "Traceback" not in err, err
