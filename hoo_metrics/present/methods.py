"""The Methods text: how every number is computed, the privacy rules and the references.

One text, two renderings: the dashboard's Methods page draws it with Streamlit and the HTML
report embeds it (:func:`hoo_metrics.build_report`). It is plain text, never Markdown or HTML:
each renderer escapes it for its own medium. No streamlit here.

Every statement describes the code as it is; where the code has a name for something (a
test's name as the Test column prints it, the threshold constants, the P-value format), the
text takes it from the code rather than repeating it. The privacy rules depend on the view's
threshold k, so the text is a function of k: :func:`methods_sections`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import MAX_MOST_HELPFUL, STATUSES
from ..metrics.inference import (
    CHI_SQUARE,
    FISHER,
    FISHER_FREEMAN_HALTON,
    KRUSKAL_WALLIS,
    MANN_WHITNEY,
    MAX_EXACT_TABLES,
    WELCH,
)
from ..metrics.outcomes import LOG_RANK
from ..privacy import CMS_MIN_CELL, DEFAULT_MIN_CELL, ENV_VAR, HIDDEN_TEXT, TOO_FEW_TEXT
from .format import p_value

__all__ = ["MethodsItem", "MethodsSection", "methods_sections"]


@dataclass(frozen=True)
class MethodsItem:
    """One entry of a section's list: a short ``term`` (may be "", as for a reference) and
    its ``text``. Plain text."""

    term: str
    text: str


@dataclass(frozen=True)
class MethodsSection:
    """A titled part of the Methods text: paragraphs, then a list of items. Plain text."""

    title: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[MethodsItem, ...] = ()


#: The references, in the order the text first uses them. Only methods the code uses.
REFERENCES = (
    "Rivera-Chiauzzi E, et al. Healing Our Own: a randomized trial to assess benefits of peer "
    "support. Journal of Patient Safety 2022;18(1):e308-e314.",
    "Scott SD, Hirschinger LE, Cox KR, et al. The natural history of recovery for the "
    'healthcare provider "second victim" after adverse patient events. Quality & Safety in '
    "Health Care 2009;18(5):325-330.",
    "Wilson EB. Probable inference, the law of succession, and statistical inference. Journal "
    "of the American Statistical Association 1927;22:209-212.",
    "Newcombe RG. Interval estimation for the difference between independent proportions: "
    "comparison of eleven methods. Statistics in Medicine 1998;17:873-890.",
    "Kaplan EL, Meier P. Nonparametric estimation from incomplete observations. Journal of the "
    "American Statistical Association 1958;53:457-481.",
    "Greenwood M. The natural duration of cancer. Reports on Public Health and Medical "
    "Subjects 33. London: HMSO; 1926.",
    "Brookmeyer R, Crowley J. A confidence interval for the median survival time. Biometrics "
    "1982;38:29-41.",
    "Fisher RA. Statistical Methods for Research Workers. 5th ed. Edinburgh: Oliver and Boyd; "
    "1934.",
    "Freeman GH, Halton JH. Note on an exact treatment of contingency, goodness of fit and "
    "other problems of significance. Biometrika 1951;38:141-149.",
    'Welch BL. The generalization of "Student\'s" problem when several different population '
    "variances are involved. Biometrika 1947;34:28-35.",
    "Mann HB, Whitney DR. On a test of whether one of two random variables is stochastically "
    "larger than the other. Annals of Mathematical Statistics 1947;18:50-60.",
    "Kruskal WH, Wallis WA. Use of ranks in one-criterion variance analysis. Journal of the "
    "American Statistical Association 1952;47:583-621.",
    "Mantel N. Evaluation of survival data and two new rank order statistics arising in its "
    "consideration. Cancer Chemotherapy Reports 1966;50(3):163-170.",
    "Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and powerful "
    "approach to multiple testing. Journal of the Royal Statistical Society B 1995;57:289-300.",
    "Hundepool A, Domingo-Ferrer J, Franconi L, et al. Statistical Disclosure Control. "
    "Chichester: Wiley; 2012.",
    "Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that "
    "are friendly to colorblind people. 2008 (the colour palette of every chart).",
)


def _definitions() -> MethodsSection:
    statuses = ", ".join(s.replace("_", " ") for s in STATUSES)
    return MethodsSection(
        "Definitions",
        (
            "The definitions of the data contract, built after the Healing Our Own trial "
            "(Rivera-Chiauzzi et al. 2022).",
        ),
        (
            MethodsItem(
                "Analysis set",
                "Completers (the trial's analysis): participants with status completed; or "
                "all enrolled participants. Groups are the values of the grouping column.",
            ),
            MethodsItem(
                "Enrollment",
                "Enrolled = participants; analysed = participants in the analysis set; both "
                f"per group, with the enrolled by status ({statuses}).",
            ),
            MethodsItem(
                "Waves",
                "Month 0 is baseline; months after 0 are the follow-up waves.",
            ),
            MethodsItem(
                "Resources, by wave",
                "Respondents = analysed participants with a response at that month. Used = "
                "respondents who marked the resource used. Mean helpfulness (1 = not at all, "
                "5 = extremely) over the respondents who used the resource and rated it. Most "
                "helpful = respondents naming it (each names up to "
                f"{MAX_MOST_HELPFUL}). Rank: most helpful, then mean helpfulness, then used, "
                "then resource code.",
            ),
            MethodsItem(
                "Resources, whole follow-up",
                "Participants with at least one follow-up response; used, or named most "
                "helpful, at any follow-up wave. Rank: most helpful, then used, then resource "
                "code.",
            ),
            MethodsItem(
                "Recovery stages",
                "The six stages of Scott et al. (2009): 1 chaos and accident response, 2 "
                "intrusive reflections, 3 restoring personal integrity, 4 enduring the "
                "inquisition, 5 obtaining emotional first aid, 6 moving on by dropping out, "
                "surviving or thriving. Categories: early = stages 1-3, middle = stages 4-5, "
                "and stage 6 by its path. A transition runs from the baseline category to the "
                "category at the last follow-up wave with a stage; only participants with both "
                "count.",
            ),
            MethodsItem(
                "Resources of those who recovered",
                "Among the participants with a transition: use of each resource at any "
                "follow-up wave by those who went from the early stages to thriving, against "
                "all the others.",
            ),
            MethodsItem(
                "Follow-up",
                "Over the analysed participants with at least one peer-support contact. "
                "Support ends at the first contact after which the participant wanted no more "
                "follow-up (the end contact); a participant whose every contact asked for more "
                "is censored at their last contact. Ended by contact c = participants whose "
                "end contact is c or earlier, over the participants with a contact. Support "
                "duration = the day of the end contact (an event) or of the last contact "
                "(censored).",
            ),
        ),
    )


def _estimates() -> MethodsSection:
    return MethodsSection(
        "Estimates and intervals",
        ("Every interval is a 95% confidence interval.",),
        (
            MethodsItem("Share", "Wilson score interval (Wilson 1927)."),
            MethodsItem("Mean", "t interval: mean ± t(n-1) · SD / √n."),
            MethodsItem(
                "Risk difference",
                "First group minus second; Newcombe's hybrid score interval (method 10 of "
                "Newcombe 1998), from the two Wilson intervals.",
            ),
            MethodsItem(
                "Odds ratio",
                "Conditional maximum-likelihood estimate with its exact conditional interval "
                "(as R's fisher.test).",
            ),
            MethodsItem(
                "Difference in means",
                "First group minus second, with Welch's t interval, whichever test gives the "
                "P-value.",
            ),
            MethodsItem(
                "Support duration",
                "Kaplan-Meier estimate (Kaplan & Meier 1958; scipy.stats.ecdf) with "
                "Greenwood's pointwise band (Greenwood 1926), clipped to 0 and 1. The curve "
                "drawn is coarsened while suppression is on (below).",
            ),
            MethodsItem(
                "Median support duration",
                "The first day on which the Kaplan-Meier estimate is at or below 50%; its "
                "interval runs from the first day the lower band is at or below 50% to the "
                "first day the upper band is (inverting the pointwise band, as Brookmeyer & "
                "Crowley 1982 and R's survfit). Medians come from the full curve, not the "
                "coarsened one. The difference in medians between two groups has no interval.",
            ),
        ),
    )


def _tests() -> MethodsSection:
    return MethodsSection(
        "Tests",
        (
            "Each table names the test used on each row. Tests of two groups are two-sided; "
            "groups with nobody to count are left out of a test.",
        ),
        (
            MethodsItem(
                "A share between groups",
                f"Two groups: {FISHER} test (Fisher 1934) on the 2x2 table of yes and no by "
                f"group. More groups: {CHI_SQUARE} test of independence. Used for the "
                "resources by group, the resources of those who recovered and the Compare "
                "page's shares.",
            ),
            MethodsItem(
                "Table 1 and stage categories",
                f"A 2x2 table: {FISHER} test. A table with two rows or two columns and more "
                f"cells (2 x c): {FISHER_FREEMAN_HALTON} test (Freeman & Halton 1951), by "
                f"enumerating every table with the observed margins, when there are at most "
                f"{MAX_EXACT_TABLES:,} of them. Any other table (3 x 3 and larger, or too "
                f"many tables to enumerate): {CHI_SQUARE} test of independence. Rows and "
                "columns of zeros are dropped first. In Table 1, blank values are not a level "
                "and are left out of the test; the P-values are not adjusted (the tests are "
                "descriptive). The Compare page tests its groups x stage categories the same "
                "way; its effect is the difference in the share thriving, with Newcombe's "
                "interval.",
            ),
            MethodsItem(
                "Helpfulness between groups",
                f"Two groups: {WELCH} test (Welch 1947); more groups: {KRUSKAL_WALLIS} test "
                "(Kruskal & Wallis 1952). Over the whole follow-up each participant counts "
                "once, with their mean rating.",
            ),
            MethodsItem(
                "Contacts per participant between groups",
                f"Two groups: {MANN_WHITNEY} test (Mann & Whitney 1947); more groups: "
                f"{KRUSKAL_WALLIS} test.",
            ),
            MethodsItem(
                "Support duration between groups",
                f"{LOG_RANK} test (Mantel 1966): scipy.stats.logrank for two groups, the "
                "k-sample chi-square form for more.",
            ),
            MethodsItem(
                "Many resources",
                "Benjamini-Hochberg q-values (Benjamini & Hochberg 1995) over the resources "
                'of one measure that have a P-value; printed to two decimals, or "< 0.01".',
            ),
            MethodsItem(
                "P-values",
                f"Two decimals from 0.01 up ({p_value(0.234)}), except that a value from "
                f"0.045 to just under 0.05 keeps three ({p_value(0.047)}), so that it never "
                f"reads 0.05; three decimals from 0.001 to 0.01 ({p_value(0.0042)}); "
                f"{p_value(0.0004)} below that and {p_value(0.995)} above 0.99; "
                f"{p_value(float('nan'))} when the test is undefined. Small pilot samples give "
                "wide intervals: read the interval, not only the P-value.",
            ),
        ),
    )


def _small(k: int) -> tuple[str, str, str]:
    """(k, k-1 and "<k") as the text prints them: numbers, or the letters while k = 1 hides
    nothing and the rules are stated for any k."""
    if k > 1:
        return str(k), str(k - 1), f"<{k}"
    return "k", "k-1", "<k"


def _privacy(k: int) -> MethodsSection:
    kk, k1, label = _small(k)
    setting = (
        f"This view's threshold is k = {k}."
        if k > 1
        else "This view's threshold is k = 1, which hides nothing; with a threshold k above 1 "
        "the rules below apply."
    )
    return MethodsSection(
        "Privacy: small-cell suppression",
        (
            "Leaders read results about their own staff, so no number may single out a "
            f"colleague. {setting} The default is {DEFAULT_MIN_CELL}, set by {ENV_VAR}; the "
            f"stricter choice is {CMS_MIN_CELL}, the cell-size suppression policy of the "
            "Centers for Medicare & Medicaid Services. Every table of a view is computed once "
            "and suppressed jointly, so that a number hidden in one table cannot come back "
            "from another (primary and secondary cell suppression, Hundepool et al. 2012).",
        ),
        (
            MethodsItem(
                "Small counts",
                f'A count from 1 to {k1} is hidden and prints as "{label}"; zero may show.',
            ),
            MethodsItem(
                "Too few participants",
                f"A group with fewer than {kk} participants shows none of its results "
                f'("{TOO_FEW_TEXT}").',
            ),
            MethodsItem(
                "Subtraction",
                f"A count whose denominator minus it is from 1 to {k1} is hidden. Where cells "
                "add up to a shown total, no line keeps exactly one hidden cell, and a total "
                f"whose hidden cells add up to 1 to {k1} is hidden; the steps of a cumulative "
                f"count are never 1 to {k1}. Finally, the whole system of shown numbers is "
                f"solved, and a shown cell more is hidden while any hidden count from 1 to {k1} "
                f'could still be worked out. Such cells print "{HIDDEN_TEXT}".',
            ),
            MethodsItem(
                "Derived values",
                "A share, interval, mean, P-value, q-value, risk difference or odds ratio "
                f"built on a hidden count, a hidden denominator or fewer than {kk} answers is "
                "hidden. A test is hidden when any cell of its table is hidden (Table 1: see "
                "the recoding below).",
            ),
            MethodsItem(
                "Overall rows",
                "The overall rows of a grouped table are the numbers of the same view without "
                "a grouping, hidden exactly where that view hides them.",
            ),
            MethodsItem(
                "Refused views",
                f"A view is refused before any number is drawn when fewer than {kk} analysed "
                f"participants remain, when its filters leave out 1 to {k1} of the cohort's "
                "analysed participants, or when a view one step away (without one filter, "
                "without one of a filter's values, or the completers against all enrolled) "
                f"differs from it by 1 to {k1} participants, overall or in a group shown.",
            ),
            MethodsItem(
                "Lifting",
                "An evaluator may turn suppression off for their own session of the dashboard; "
                "every page and the report then say so.",
            ),
        ),
    )


def _recoding(k: int) -> MethodsSection:
    kk, k1, _ = _small(k)
    return MethodsSection(
        "Privacy: recoding and the coarsened curve",
        (
            "Before a view gives up on a question it shows the coarsest honest answer: "
            "categories pooled (global recoding, Hundepool et al. 2012) from the shown numbers "
            "only, so a recoded number gives back nothing the tables do not already show.",
        ),
        (
            MethodsItem(
                "Table 1 tests",
                "A characteristic whose table has a hidden cell is tested on pooled levels: "
                "its levels with a hidden cell become one level, whose count in a group is the "
                "group's n minus the blank level and the levels shown; groups whose n is "
                f"hidden are left out. While a pooled count or its complement is from 1 to "
                f"{k1}, the smallest shown level joins the pool. The test is chosen as above "
                "for the pooled table, and the page and the report name the levels pooled. "
                "When no pooling leaves two levels and two groups, or a blank level is hidden, "
                "the test stays hidden.",
            ),
            MethodsItem(
                "Stage mix",
                "Where a stage mix has hidden cells, it is shown in the finest of these "
                "groupings whose every count the shown numbers determine and is 0 or at least "
                f"{kk} (and so is the rest of the total): the five categories; early, middle, "
                "moved on (stage 6); not yet moved on (stages 1-5), moved on. Where the "
                "number who had moved on is hidden, the sentence gives it as a lower bound, "
                'and a bar with no count above 0 draws it ("at least 81% of 21"): the '
                f'printed cells, each "<{kk}" '
                f"count being 1 to {k1} and any other hidden count 0 to its total, bound it "
                f"from below; the bound is shown only when it is at least {kk} and is not the "
                "exact count.",
            ),
            MethodsItem(
                "Follow-up waves",
                "A wave where no mean rating rests on at least "
                f"{kk} answers names the resources rated most helpful with the waves pooled "
                "(the whole follow-up's means).",
            ),
            MethodsItem(
                "Support-duration curve",
                "Days are merged into steps until a step holds at least "
                f"{kk} ended supports, at least {kk} participants remain at risk after it, and "
                f"the participants censored during it, and the ended supports still to come, "
                f"are none or at least {kk}; each step is drawn at its last day and the curve "
                "stops at its last such step. Its values are the product-limit estimate over "
                "the merged steps with Greenwood's band, so everything drawn follows from "
                f"counts of at least {kk}. A group with fewer than {kk} participants is not "
                "drawn.",
            ),
        ),
    )


def methods_sections(k: int = DEFAULT_MIN_CELL) -> list[MethodsSection]:
    """The Methods text for a view whose small-cell suppression threshold is ``k`` (an int of
    at least 1; k = 1 hides nothing): definitions, estimates and intervals, tests, the
    privacy rules (worded with this k), recoding, and the references, last."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")
    return [
        _definitions(),
        _estimates(),
        _tests(),
        _privacy(k),
        _recoding(k),
        MethodsSection("References", items=tuple(MethodsItem("", r) for r in REFERENCES)),
    ]
