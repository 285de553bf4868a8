"""Methods: how each number is computed, the tests, the software versions and the references."""

from importlib import metadata

import pandas as pd
import streamlit as st

import hoo_metrics as hm
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(view, "Methods", "How every number in this dashboard is computed.")

st.markdown(
    """
#### Definitions
- **Analysis set.** *Completers* (the trial's analysis): participants with status `completed`.
  *All enrolled*: everyone randomized. Groups: the values of the grouping column.
- **Waves.** Month 0 is baseline; months > 0 are follow-up waves.
- **Resources, by wave.** Respondents = analysed participants with a response at that month.
  Use = respondents with `used_<code>` = 1; mean helpfulness (1 = not at all, 5 = extremely)
  over those who used the resource and rated it; most helpful = respondents naming it (up to 3).
  Rank: most helpful, then mean helpfulness, then use.
- **Resources, whole follow-up.** Participants with at least one follow-up response; used (or
  named most helpful) at any follow-up wave.
- **Recovery stages** (Scott et al. 2009): early = stages 1-3 (chaos and accident response,
  intrusive reflections, restoring personal integrity), middle = 4-5 (enduring the inquisition,
  obtaining emotional first aid), stage 6 moving on by dropping out, surviving or thriving.
  A transition runs from the baseline category to the category at the last follow-up wave with
  a stage.
- **Follow-up.** Over analysed participants with at least one peer-support contact. Support
  ends at the first contact after which the participant wanted no more follow-up; support
  duration = day of that contact, or of the last contact (censored) if every contact asked
  for more.

#### Privacy: small-cell suppression
Leaders read results about their own staff, so no number may single out a colleague. With a
threshold k (default 5, set by `HOO_MIN_CELL`; the stricter choice is 11, the cell-size policy
of the Centers for Medicare & Medicaid Services):
- a count from 1 to k-1 shows as **<k** (zero may show), and so does a share, mean, interval
  or P-value built on it or on fewer than k answers;
- a group with fewer than k participants shows "Too few participants to show";
- a value that would give a hidden one back by subtraction (a total minus the other cells,
  the non-users as respondents minus users) shows as *suppressed*;
- filters that leave fewer than k analysed participants, or leave out fewer than k, are
  refused before any number is drawn;
- an evaluator may lift suppression for their own session ("Show small cells" in the
  sidebar); every page then says so in red under its title.

#### Statistics
| Number | Method |
|---|---|
| 95% CI of a share | Wilson score interval |
| 95% CI of a mean | t distribution |
| Two groups, a share | Fisher's exact test, two-sided |
| More groups, a share | chi-square test of independence |
| Risk difference CI | Newcombe hybrid score interval (method 10) |
| Odds ratio CI | conditional maximum likelihood (scipy.stats.contingency.odds_ratio) |
| Multiple resources | Benjamini-Hochberg q-values within each measure |
| Table 1 | Fisher's exact (2x2), Fisher-Freeman-Halton exact (larger), else chi-square |
| Means between groups | Welch's t; Mann-Whitney U / Kruskal-Wallis for counts |
| Support duration | Kaplan-Meier (scipy.stats.ecdf), pointwise 95% band |
| Median support duration | first day with survival <= 50% |

P-values are two-sided and exact where stated; they are printed to two decimals (three below
0.01) and as "P < 0.001" below that. Small pilot samples give wide intervals: read the CI, not
only the P.

#### References
- Rivera-Chiauzzi E, et al. Healing Our Own: a randomized trial to assess benefits of peer
  support. *Journal of Patient Safety* 2022;18(1):e308-e314.
- Scott SD, Hirschinger LE, Cox KR, et al. The natural history of recovery for the healthcare
  provider "second victim" after adverse patient events. *Quality & Safety in Health Care*
  2009;18(5):325-330.
- Newcombe RG. Interval estimation for the difference between independent proportions.
  *Statistics in Medicine* 1998;17:873-890.
- Benjamini Y, Hochberg Y. Controlling the false discovery rate. *JRSS B* 1995;57:289-300.
- Okabe M, Ito K. Color universal design (2008): the colour palette of every chart.
"""
)

st.markdown("#### Software")
versions = pd.DataFrame(
    [(p, metadata.version(p)) for p in ("streamlit", "pandas", "numpy", "scipy", "plotly")]
    + [("hoo_metrics", hm.__version__)],
    columns=["Package", "Version"],
)
ui.table(view, versions, "package-versions", key="versions")
