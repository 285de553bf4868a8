"""The one Methods text, worded with the view's k (the report embeds it: tests/test_report.py,
the Methods page shows it: tests/app/test_pages.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import hoo_metrics as hm
from hoo_metrics.metrics import inference, outcomes
from hoo_metrics.present import methods


def _text(sections) -> str:
    return "\n".join(
        "\n".join([s.title, *s.paragraphs, *(f"{i.term}. {i.text}" for i in s.items)])
        for s in sections
    )


def _references(sections) -> list[str]:
    (refs,) = [s for s in sections if s.title == "References"]
    return [i.text for i in refs.items]


def test_public_and_without_streamlit():
    assert hm.methods_sections is methods.methods_sections
    assert "methods_sections" in hm.__all__
    tree = ast.parse(Path(methods.__file__).read_text(encoding="utf-8"))
    imported = {
        (n.module or "") if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    }
    assert not any(m.split(".")[0] == "streamlit" for m in imported)


@pytest.mark.parametrize(("k", "other"), [(5, 11), (11, 5)])
def test_the_text_names_k(k, other):
    text = _text(hm.methods_sections(k))
    assert f"threshold is k = {k}." in text
    assert f'A count from 1 to {k - 1} is hidden and prints as "<{k}"' in text
    assert f"fewer than {k} participants shows none of its results" in text
    assert f"a step holds at least {k} ended supports" in text  # the coarsened curve
    assert f"complement is from 1 to {k - 1}, the smallest shown level" in text  # Table 1
    # the stage mix's lower bound and the waves pooled
    assert f'each "<{k}" count being 1 to {k - 1} and any other hidden count 0' in text
    assert f"shown only when it is at least {k} and is not the exact count" in text
    assert f"no mean rating rests on at least {k} answers" in text
    # nothing of another threshold, and no unfilled placeholder
    assert f"from 1 to {other - 1}" not in text and f"<{other}" not in text
    assert f"at least {other} " not in text
    assert "{" not in text and "k-1" not in text
    # the default and CMS's stricter choice, from the library's constants
    assert f"The default is {hm.DEFAULT_MIN_CELL}, set by HOO_MIN_CELL" in text
    assert f"the stricter choice is {hm.CMS_MIN_CELL}" in text


def test_k_1_states_the_rules_for_any_k():
    text = _text(hm.methods_sections(1))
    assert "threshold is k = 1, which hides nothing" in text
    assert 'A count from 1 to k-1 is hidden and prints as "<k"' in text
    assert "from 1 to 0" not in text and "<1" not in text
    for bad in (0, -3, 2.5, True, "5"):
        with pytest.raises(ValueError):
            hm.methods_sections(bad)


def test_the_tests_named_as_the_code_names_them():
    text = _text(hm.methods_sections(5))
    for name in (
        inference.FISHER,
        inference.FISHER_FREEMAN_HALTON,
        inference.CHI_SQUARE,
        inference.WELCH,
        inference.MANN_WHITNEY,
        inference.KRUSKAL_WALLIS,
        outcomes.LOG_RANK,
    ):
        assert name in text
    # a 3 x 3 table is never Fisher-Freeman-Halton: the text says chi-square, as the code does
    assert inference.contingency_test([[5, 1, 2], [1, 6, 2], [2, 2, 7]])[0] == inference.CHI_SQUARE
    assert inference.contingency_test([[5, 1, 2], [1, 6, 2]])[0] == inference.FISHER_FREEMAN_HALTON
    assert "(3 x 3 and larger, or too many tables to enumerate): Chi-square" in text
    # the P format's examples are format.p_value's own output
    for p in (0.234, 0.047, 0.0042, 0.0004, 0.995, float("nan")):
        assert hm.p_value(p) in text
    assert inference.ANOVA not in text  # the app never runs it


def test_every_method_cited_and_every_reference_used():
    sections = hm.methods_sections(5)
    refs = _references(sections)
    body = _text([s for s in sections if s.title != "References"])
    for cite, ref in [
        ("Wilson 1927", "Wilson EB"),
        ("Newcombe 1998", "Newcombe RG"),
        ("Fisher 1934", "Fisher RA"),
        ("Freeman & Halton 1951", "Freeman GH, Halton JH"),
        ("Kaplan & Meier 1958", "Kaplan EL, Meier P"),
        ("Greenwood 1926", "Greenwood M"),
        ("Brookmeyer & Crowley 1982", "Brookmeyer R, Crowley J"),
        ("Mantel 1966", "Mantel N"),
        ("Welch 1947", "Welch BL"),
        ("Mann & Whitney 1947", "Mann HB, Whitney DR"),
        ("Kruskal & Wallis 1952", "Kruskal WH, Wallis WA"),
        ("Benjamini & Hochberg 1995", "Benjamini Y, Hochberg Y"),
        ("Hundepool et al. 2012", "Hundepool A"),
        ("Scott et al. (2009)", "Scott SD"),
        ("Rivera-Chiauzzi et al. 2022", "Rivera-Chiauzzi E"),
    ]:
        assert cite in body, cite
        assert sum(r.startswith(ref) for r in refs) == 1, ref
    assert len(refs) == 16  # the fifteen above and the chart palette (Okabe & Ito)
