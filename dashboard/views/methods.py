"""Data and methods: indicator definitions, the data version and its sources, how figures are computed."""

import pandas as pd
import streamlit as st

from dashboard.common import catalogue, contents, limits
from dashboard.common.page import open_warehouse
from dashboard.common.text import markdown, when_text
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import choose_page, data_table
from dashboard.peers import significance, statistics
from dashboard.peers.groups import GROUP_KINDS
from etl.demo import DEMO_SEED, DEMO_SOURCE_NAME

ALL_THEMES = "All themes"  # the theme filter's "no filter" choice
POLARITY_WORDS = {"higher": "higher", "lower": "lower", "neutral": "neither"}

wh = open_warehouse()
meta = wh.scalar_meta()
st.title("Data and methods")
st.write(
    "What the figures are, where they come from, and exactly how ranks, quartile bands and "
    "medians are worked out, so every number on the dashboard can be checked and challenged."
)
notices = st.container()

st.header("Data version")
version = st.columns(3)
version[0].metric("Data version", meta.get("data_version", "unknown"))
version[1].metric("Published", when_text(meta.get("published_at")) or "unknown")
loaded = contents.data_contents(wh)
version[2].metric("Synthetic data", "some" if contents.holds_synthetic(loaded, None) else "none")
st.markdown(contents.summary_text(loaded))

st.header("Indicators")
theme = url_selectbox("Theme", [ALL_THEMES, *catalogue.indicator_themes(wh)], key="theme")
chosen_theme = "" if theme == ALL_THEMES else theme
in_theme, total = catalogue.indicator_count(wh, chosen_theme), catalogue.indicator_count(wh)
size = limits.DEFINITIONS_PAGE_SIZE
page = choose_page(in_theme, size, key="definitions_page")  # not "page": the profile's own
shown = wh.query("methods_indicators", theme=chosen_theme, limit=size, offset=(page - 1) * size)
st.caption(
    f"{in_theme:,} of {total:,} indicators. 'Better when' says which direction is better: "
    "higher, lower, or neither (never ranked, nor coloured as good or bad); the reason is beside "
    "it (no publisher states which direction is better for its figures, so these are ours)."
)
data_table(
    shown.assign(polarity=shown["polarity"].map(POLARITY_WORDS).fillna(shown["polarity"])).rename(
        columns={
            "theme": "Theme",
            "indicator_id": "Id",
            "name": "Name",
            "polarity": "Better when",
            "polarity_reason": "Why",
            "unit": "Unit",
            "min_value": "Min",
            "max_value": "Max",
            "decimals": "Decimals",
            "aggregation": "Combining predecessors",
            "source": "Publisher",
            "source_url": "Publisher's page",
            "description": "Definition",
            "caveats": "Publisher's caveats",
            "source_name": "Loaded from",
            "periods": "Periods",
            "first_period": "First",
            "last_period": "Latest",
        }
    ),
    key="methods_indicators",
    column_config={"source_url": st.column_config.LinkColumn("Publisher's page")},
)

st.header("How the figures are computed")
st.markdown(
    """
All comparisons are made **within a group of councils**: the peer group chosen on the council
pages, or the councils you filtered on the Browse page. Every figure is worked out afresh from
the values of one indicator in one period.

- **Missing values.** A council whose value is empty, suppressed or marked missing is shown with
  its status but left out of ranks, medians, quartiles and bands.
- **Rank.** 1 = best. For *higher is better* indicators the largest value ranks 1; for *lower is
  better* the smallest does. **Ties share the best rank** (standard competition ranking): two
  councils tied for 2nd both rank 2 and the next ranks 4. "Rank r of n" counts only councils with
  a value. **Indicators where neither is better are not ranked**; they are described as higher or
  lower, never better or worse.
- **Median and quartiles.** The values are put in order and the quartile is read off between
  the two nearest values, in proportion (linear interpolation; the same as Excel's
  `QUARTILE.INC` and `MEDIAN`): the lower quartile is the 25th percentile, the median the 50th
  and the upper quartile the 75th.
- **Quartile band.** The group's quartiles split the councils into four bands. For ranked
  indicators the *top quartile* is at or beyond the best-side quartile (at or above the upper
  quartile when higher is better, at or below the lower quartile when lower is better), then the
  second and third quartiles (split at the median), then the *bottom quartile*. A value exactly
  on a cut point takes the better band. Where neither is better, bands go by value, from
  *highest quarter* to *lowest quarter*. With fewer than four values in the group no band is given.
- **Change since the previous period.** The council's value minus its value in the latest
  earlier period of the same kind (financial year, calendar year...) that has a value;
  *Improving/Worsening* by which direction is better (*Increasing/Decreasing* where neither is),
  with a flag when that period is not the one just before (a gap in the series).
- **Against the peer median (95% interval).** Where the publisher gives 95% confidence limits,
  a value whose whole interval lies above or below the peer group's median is *significantly
  better* or *significantly worse* (by which direction is better; *higher* or *lower* where neither is); an
  interval that contains the median is *not significantly different* (the method OHID's
  Fingertips uses). Without limits the table says *no interval published* and the quartile band
  is the guide. Example: median 68.0, value 72.4 with limits 70.1 to 74.7: significantly better
  when higher is better.
- **Distance from the median (MADs).** (value − median) ÷ MAD, where MAD is the median of the
  group's absolute differences from its median, unscaled (as Oflog publishes it), so it reads the
  same for every unit; positive is above the median. Not computed when half or more of the group
  share the median value (MAD is 0). Example: values 60, 64, 66, 68, 70, 71, 75 have median 68
  and MAD 3, so 75 is +2.33 MADs from the median.
- **Exemplars.** The composite, the rule, the tested trend behind "improving" (weighted least
  squares where limits are published, Mann–Kendall otherwise), the rank-stability check and the
  robustness across peer definitions are on the *Exemplar method* page, each with its
  formula and a worked example.
- **Spine chart** (Council profile). Every indicator on one scale: the peer median in the
  middle, the group's value furthest from the median at the edge, and the better side on the
  right on every row (mirrored when lower is better; higher to the right where neither is
  better). The light bar runs from the group's lowest to its highest value, the darker bar
  covers its middle half (lower to upper quartile), and the marker is the council, its colour
  and its shape giving its quartile band.
- **Maps** colour councils on a colour-blind-safe scale whose light end is always the better
  end; indicators where neither is better use a single-hue scale.
"""
)

st.caption("In one line each, as written into every peer-comparison download:")
data_table(
    pd.DataFrame(
        {
            "Figure": [
                "Rank",
                "Median and quartiles",
                "Quartile band",
                "Change",
                "Against the peer median",
                "Distance from the median",
            ],
            "Method": [
                statistics.RANK_METHOD,
                statistics.QUARTILE_METHOD,
                statistics.BAND_METHOD,
                statistics.CHANGE_METHOD,
                significance.SIGNIFICANCE_METHOD,
                significance.MAD_METHOD,
            ],
        }
    ),
    key="methods_one_line",
)

st.subheader("Peer groups")
st.write(
    "A peer group only ever holds councils (combined and strategic authorities never), "
    "and only those that existed during the chosen period. The kinds of group offered:"
)
data_table(
    pd.DataFrame({"Peer group": [kind.label for kind in GROUP_KINDS.values()], "In links": list(GROUP_KINDS)}),
    key="methods_group_kinds",
)

st.subheader("Size limits")
st.write(
    "So that every page stays quick however many indicators are loaded, a page never lists or "
    "reads all of them at once:"
)
st.markdown("\n".join(f"- {sentence}" for sentence in limits.limit_sentences()))

st.header("Synthetic data")
synthetic = [c for c in loaded.values() if c.any_synthetic]
if synthetic:
    kinds = ", ".join(markdown(c.holds) for c in synthetic)
    source_names = ", ".join(markdown(s) for c in synthetic for s in c.synthetic_sources)
    st.write(
        f"Synthetic in this warehouse: **{kinds}** (source {source_names}). The councils are the real UK "
        "councils of the register below, but these figures are invented by Exemplar's demo generator, from a "
        f"fixed random seed ({DEMO_SEED}) so the same files come out every time: each council has "
        "a persistent latent quality and some a steady improvement trend, and the fully synthetic "
        f"demo (source {markdown(DEMO_SOURCE_NAME)}) also leaves some values missing, suppressed or "
        "estimated on purpose so every status can be seen. No council publishes its "
        "self-assessment answers, so the default warehouse's answers are always synthetic. "
        "**Do not quote synthetic figures.**"
    )
else:
    st.write("This warehouse holds no synthetic data: every value comes from the loaded sources listed below.")

st.header("Sources")
st.subheader("Loaded files")
st.caption(
    "Each file behind the published data, with its SHA-256 hash so a copy can be checked. Files "
    "holding self-assessment answers that a council has not published are not listed: a file's "
    "hash could give its answers away."
)
sources = wh.query("methods_sources")
data_table(
    sources.assign(
        loaded_at=sources["loaded_at"].map(when_text),
        is_synthetic=sources["is_synthetic"].map({True: "Yes", False: "No"}),
    ).rename(
        columns={
            "source_name": "Source",
            "file_name": "File",
            "sha256": "SHA-256",
            "rows_loaded": "Rows",
            "load_id": "Load",
            "loaded_at": "Loaded at",
            "is_synthetic": "Synthetic",
            "holds": "Holds",
            "publisher": "Publisher",
            "licence": "Licence",
        }
    ),
    key="methods_sources",
)
st.subheader("Load history")
st.caption("Every successful load whose data this version holds, newest first.")
history = wh.query("load_history")
data_table(
    history.assign(finished_at=history["finished_at"].map(when_text)).rename(
        columns={
            "load_id": "Load",
            "finished_at": "Finished",
            "source_name": "Source",
            "file_name": "File",
            "sha256": "SHA-256",
            "rows_read": "Rows read",
            "rows_loaded": "Rows loaded",
            "outcome": "Outcome",
        }
    ),
    key="methods_load_history",
)

st.subheader("Reference data and credits")
references = wh.query("methods_reference_sources")
st.write(
    "Facts about councils (codes, names, nation, region, type, dates, successors, population, "
    "area, centroid and deprivation) come from real published data by **mySociety**, used under "
    "the **MIT licence**: the *UK Local Authority Names and Codes* register and the *Composite UK "
    "Index of Multiple Deprivation*. Snapshots used:"
)
data_table(
    references.rename(
        columns={
            "name": "Name",
            "publisher": "Publisher",
            "licence": "Licence",
            "snapshot": "Snapshot",
            "files": "Files",
        }
    ),
    key="methods_references",
)

with notices:
    show_url_notices()
