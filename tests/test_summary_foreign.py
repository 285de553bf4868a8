"""The summary on a cohort nobody here wrote by hand: generated (five waves, ten resources),
with odd arm labels, a resource code that is not built in and missing waves. Every number
checked is recomputed here with plain pandas from the CSV text, independently of hoo_metrics.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.generate import generate
from hoo_metrics.cli import main

ARMS = {"enhanced": "Groupe B (ré)", "routine": "arm-1"}  # "arm-1" sorts first


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory) -> Path:
    tables = generate(300, seed=11)
    p, r = tables["participants"], tables["responses"]
    p["arm"] = p["arm"].map(ARMS)
    # a resource code that is not built in
    r = r.rename(columns={"used_other": "used_yoga_class", "helpful_other": "helpful_yoga_class"})
    r["most_helpful"] = r["most_helpful"].str.replace("other", "yoga_class", regex=False)
    # missing waves: drop every month-6 answer of the first 40 participants
    first40 = p["participant_id"].iloc[:40]
    r = r[~((r["month"] == 6) & r["participant_id"].isin(first40))]
    out = tmp_path_factory.mktemp("foreign")
    p.to_csv(out / "participants.csv", index=False)
    r.to_csv(out / "responses.csv", index=False)
    tables["contacts"].to_csv(out / "contacts.csv", index=False)
    return out


@pytest.fixture(scope="module")
def result(cohort_dir) -> dict:
    # In this process (capsys is per test; this runs once for the module).
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["summary", str(cohort_dir)])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def frames(cohort_dir):
    p = pd.read_csv(cohort_dir / "participants.csv", dtype=str)
    r = pd.read_csv(cohort_dir / "responses.csv", dtype=str, keep_default_na=False)
    return p, r


def test_top_level_keys_and_groups(result):
    assert list(result) == [
        "population",
        "group_by",
        "groups",
        "enrollment",
        "followup",
        "resources",
        "resources_overall",
        "resource_tests",
        "transitions",
        "transition_resource_tests",
    ]
    # ascending order of the labels: "Groupe B (ré)" < "arm-1" ("G" sorts before "a")
    assert result["groups"] == sorted(ARMS.values())


def test_enrollment_counts_match_pandas(result, frames):
    p, _ = frames
    for arm in ARMS.values():
        mine = p[p["arm"] == arm]
        assert result["enrollment"]["by_group"][arm] == {
            "enrolled": len(mine),
            "analysed": int((mine["status"] == "completed").sum()),
        }


def test_every_follow_up_wave_and_the_new_resource_are_listed(result):
    months = sorted({r["month"] for r in result["resources"]})
    assert months == [3, 6, 9, 12]
    codes = {r["resource"] for r in result["resources"]}
    assert "yoga_class" in codes and "other" not in codes and len(codes) == 10
    # ranks are 1..10 within each wave and group
    for month in months:
        for arm in ARMS.values():
            ranks = sorted(
                r["rank"] for r in result["resources"] if r["month"] == month and r["group"] == arm
            )
            assert ranks == list(range(1, 11))


def test_wave_counts_match_pandas(result, frames):
    p, r = frames
    completers = set(p.loc[p["status"] == "completed", "participant_id"])
    arm_of = dict(zip(p["participant_id"], p["arm"], strict=True))
    r = r[r["participant_id"].isin(completers)].copy()
    r["arm"] = r["participant_id"].map(arm_of)
    for row in result["resources"]:
        if row["resource"] not in ("yoga_class", "peers"):
            continue
        wave = r[(r["month"] == str(row["month"])) & (r["arm"] == row["group"])]
        used = wave["used_" + row["resource"]] == "1"
        ratings = pd.to_numeric(wave.loc[used, "helpful_" + row["resource"]], errors="coerce")
        named = wave["most_helpful"].str.split(";").apply(set).map({row["resource"]}.issubset)
        assert row["respondents"] == len(wave)
        assert row["used"] == int(used.sum())
        assert row["used_share"] == pytest.approx(used.sum() / len(wave))
        assert row["helpful_n"] == int(ratings.notna().sum())
        assert row["helpful_mean"] == pytest.approx(ratings.mean())
        assert row["most_helpful"] == int(named.sum())
    # the 40 participants without a month-6 answer are not month-6 respondents
    m6 = sum(
        row["respondents"]
        for row in result["resources"]
        if row["month"] == 6 and row["resource"] == "peers"
    )
    m3 = sum(
        row["respondents"]
        for row in result["resources"]
        if row["month"] == 3 and row["resource"] == "peers"
    )
    dropped = len(completers & set(p["participant_id"].iloc[:40]))
    assert m3 - m6 == dropped


def test_transitions_add_up(result):
    counts = result["transitions"]["counts"]
    assert all(c["n"] > 0 for c in counts)
    assert {c["from"] for c in counts} <= set(result["transitions"]["categories"])
    # early -> thriving cells add up to the reported totals
    e2t = result["transitions"]["early_to_thriving"]
    per_arm = {
        arm: sum(
            c["n"]
            for c in counts
            if c["group"] == arm and c["from"] == "early" and c["to"] == "thriving"
        )
        for arm in ARMS.values()
    }
    assert e2t["by_group"] == per_arm
    assert e2t["n"] == sum(per_arm.values())
    for t in result["transition_resource_tests"]:
        assert t["transitioned_n"] == e2t["n"]
        assert t["p_value"] is None or 0.0 <= t["p_value"] <= 1.0
