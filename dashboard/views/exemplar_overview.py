"""Exemplars across the UK: assets and enablers at national, regional and local level.

Exemplars per region and authority type (the rule runs separately in every type and region
group, so each council is judged against councils of its own type in its own region); the share
of councils at maturity level 4 or above on each enabler theme by nation and region (withheld
under the disclosure rule); and a map of council boundaries showing either the exemplars or an
enabler, zoomed to the chosen nation or region."""

import streamlit as st

from dashboard.common import geography
from dashboard.common.contents import ANSWERS, INDICATORS
from dashboard.common.disclosure import MIN_PEER_RESPONDENTS
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import chart_table_download
from dashboard.exemplars.finder import ALL_REGIONS
from dashboard.exemplars.maps import exemplar_map, overview_heatmap
from dashboard.exemplars.widgets import choose_method, choose_period
from dashboard.selfassessment import enablers, results
from dashboard.selfassessment.enabler_charts import BY_COUNCIL, BY_REGION, area_label, enabler_heatmap, enabler_map
from dashboard.views.compose import national_overview

ALL_NATIONS = "All nations"  # the zoom choice that shows the whole UK
ALL_TYPES = "All types"  # the map's choice that shows every authority type
EXEMPLARS = "exemplars"
SHOWN = {
    EXEMPLARS: "Exemplars",
    BY_REGION: f"Enablers: each region's share at level {enablers.ENABLER_LEVEL} or above",
    BY_COUNCIL: "Enablers: each council's own level",
}

wh = open_warehouse(shows=[INDICATORS, ANSWERS])
st.title("Exemplars across the UK")
st.write(
    "Where the exemplar councils are and how far councils have put the enablers of transformation "
    "in place: for the UK, each nation and region, and council by council on the map."
)
st.page_link("dashboard/views/exemplar_method.py", label="How exemplars are chosen", icon="📖")
period = choose_period(wh)
method = choose_method(wh, resampling=False)
stamp = export_stamp(wh)
overview = national_overview(wh, stamp.data_version, period, method)

nation_col, region_col = st.columns(2)
nations = sorted(overview["nation"].dropna().unique())
nation = url_selectbox("Nation", [ALL_NATIONS, *nations], key="nation", default=ALL_NATIONS, container=nation_col)
in_nation = overview if nation == ALL_NATIONS else overview[overview["nation"] == nation]
regions = sorted(in_nation.loc[in_nation["region"] != in_nation["nation"], "region"].dropna().unique())
region = url_selectbox("Region", [ALL_REGIONS, *regions], key="region", default=ALL_REGIONS, container=region_col)
in_area = in_nation if region == ALL_REGIONS else in_nation[in_nation["region"] == region]
area = region if region != ALL_REGIONS else (nation if nation != ALL_NATIONS else "the UK")
show_url_notices()

st.caption(markdown(f"Rule: {method.rule.describe()}. Groups: authority type x region in {period}. Showing {area}."))
provenance = {
    "period": period,
    "rule": method.rule.describe(),
    "groups": "authority type x region",
    "indicators": "; ".join(method.indicators),
    "method": "docs/exemplar-method.md",
    "area": area,
}

# -- assets: exemplars per region and type -------------------------------------------------
st.subheader("Exemplars per region and authority type")
counts = in_area.pivot_table(index="region", columns="authority_type", values="is_exemplar", aggfunc="sum")
sizes = in_area.groupby(["region", "authority_type"], as_index=False).agg(
    councils=("authority_code", "count"), ranked=("composite", "count"), exemplars=("is_exemplar", "sum")
)
chart_table_download(
    overview_heatmap(counts),
    sizes.rename(
        columns={
            "region": "Region",
            "authority_type": "Authority type",
            "councils": "Councils",
            "ranked": "Ranked",
            "exemplars": "Exemplars",
        }
    ),
    csv_bytes(sizes, stamp, provenance),
    file_name("exemplars-by-region", period),
    key="overview",
    caption="Each cell counts the exemplars among one authority type in one region; an empty cell has "
    "no council of that type there.",
    download_label="Download the counts (CSV)",
)

# -- enablers: share at level 4 or above ---------------------------------------------------
st.subheader(f"Enablers in place: councils at maturity level {enablers.ENABLER_LEVEL} or above")
rounds = results.rounds(wh)
levels = shares = None
if not rounds:
    st.info("No self-assessment answers have been published yet, so there is nothing to show about enablers.")
else:
    round_label = url_selectbox("Self-assessment round", rounds[::-1], key="round", default=rounds[-1])
    levels = enablers.enabler_levels(wh, round_label)
    shares = enablers.enabler_shares(levels)
    shown_areas = shares[
        (shares["area_kind"] == "United Kingdom")
        | (shares["nation"] == nation)
        | ((nation == ALL_NATIONS) & (shares["area_kind"] == "Nation"))
    ]
    if region != ALL_REGIONS:
        shown_areas = shown_areas[(shown_areas["area_kind"] != "Region") | (shown_areas["area"] == region)]
    table = shown_areas.assign(
        Area=[
            area_label(k, a, n)
            for k, a, n in zip(shown_areas["area_kind"], shown_areas["area"], shown_areas["nation"], strict=True)
        ],
        share_pct=(shown_areas["share"] * 100).round(1),
    )[["Area", "theme", "respondents", "at_level", "share_pct", "note"]].rename(
        columns={
            "theme": "Enabler theme",
            "respondents": "Councils that published answers",
            "at_level": f"At level {enablers.ENABLER_LEVEL} or above",
            "share_pct": "Share (%)",
            "note": "Note",
        }
    )
    chart_table_download(
        enabler_heatmap(shown_areas),
        table,
        csv_bytes(
            table,
            stamp,
            {
                **provenance,
                "round": round_label,
                "disclosure": f"at least {MIN_PEER_RESPONDENTS} councils with published answers per share",
            },
        ),
        file_name("enablers-by-area", round_label),
        key="enablers",
        caption=markdown(
            f"Round {round_label}. A council counts when its published answers to a theme's enabler questions "
            f"average {enablers.ENABLER_LEVEL} or more. A share is shown only when at least {MIN_PEER_RESPONDENTS} "
            "councils in the area published answers, and a further area is withheld where a withheld one "
            "could otherwise be worked out from the total; the Table tab gives each reason."
        ),
        download_label="Download the enabler shares (CSV)",
    )

# -- the map -------------------------------------------------------------------------------
st.subheader("Map of councils")
options = [EXEMPLARS] if shares is None else list(SHOWN)
shown = url_selectbox(
    "The map shows", options, key="show", default=EXEMPLARS, format_func=SHOWN.__getitem__, radio=True, horizontal=True
)
types = sorted(in_area["authority_type"].unique())
shown_type = url_selectbox("Authority type on the map", [ALL_TYPES, *types], key="type", default=ALL_TYPES)
on_map = in_area if shown_type == ALL_TYPES else in_area[in_area["authority_type"] == shown_type]
if shown == EXEMPLARS:
    plan = geography.map_plan(wh, on_map, period, on_map["composite"].notna().tolist())
    exemplars = plan.councils[plan.councils["is_exemplar"].fillna(False).astype(bool)]
    listing = exemplars[["short_name", "authority_type", "region", "composite_rank", "n_composite", "map_note"]]
    listing = listing.rename(
        columns={
            "short_name": "Council",
            "authority_type": "Authority type",
            "region": "Region",
            "composite_rank": "Rank in group",
            "n_composite": "Ranked in group",
            "map_note": "On the map",
        }
    )
    chart_table_download(
        exemplar_map(plan.councils, plan.shapes),
        listing,
        csv_bytes(listing, stamp, provenance),
        file_name("exemplars", period),
        key="overview_exemplars",
        caption=f"{plan.describe()} Exemplars are blue with a yellow star at their centre; other ranked councils "
        "grey; councils the rule could not rank (too few figures) pale grey. The Table tab lists the exemplars.",
        download_label="Download the exemplars (CSV)",
    )
elif levels is not None and shares is not None:
    themes = sorted(levels["theme"].unique())
    theme = url_selectbox("Enabler theme", themes, key="enabler")
    values = (
        enablers.region_share_by_council(on_map, shares, theme)
        if shown == BY_REGION
        else enablers.own_level_by_council(on_map, levels, theme)
    )
    plan = geography.map_plan(wh, values, period, values["value"].notna().tolist())
    column = "Region's share (%)" if shown == BY_REGION else "Own level (1-5)"
    listing = plan.councils.assign(value=plan.councils["value"].round(1))[
        ["short_name", "region", "value", "note", "map_note"]
    ].rename(
        columns={"short_name": "Council", "region": "Region", "value": column, "note": "Note", "map_note": "On the map"}
    )
    chart_table_download(
        enabler_map(plan.councils, plan.shapes, shown),
        listing,
        csv_bytes(listing, stamp, {**provenance, "enabler_theme": theme, "map": SHOWN[shown]}),
        file_name("enabler-map", theme, shown),
        key="overview_enabler_map",
        caption=f"{plan.describe()} Pale grey: "
        + (
            "the region's share is withheld (reason in the Table tab)."
            if shown == BY_REGION
            else "no published answers in this round."
        )
        + " Only published answers are used.",
        download_label="Download the map's figures (CSV)",
    )
