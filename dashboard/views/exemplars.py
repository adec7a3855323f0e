"""Exemplar finder: the exemplars of a peer group by name with their reasons, the near misses
with why each missed, then the evidence (rank stability, the composite ranking, incomplete
councils, the weights). Every choice is kept in the page address (defaults left out)."""

import streamlit as st

from dashboard.common.contents import ANSWERS, INDICATORS
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox, url_toggle
from dashboard.common.widgets import chart_table_download, download_button
from dashboard.exemplars import verdicts
from dashboard.exemplars.charts import composite_ranking, rank_intervals
from dashboard.exemplars.exports import shortlist_csv, shortlist_provenance
from dashboard.exemplars.widgets import choose_method, choose_period, weights_table
from dashboard.views.compose import choose_exemplar_peer_group, exemplar_robustness, find_exemplars

METHOD_PAGE = "dashboard/views/exemplar_method.py"  # the method, linked from the top of the page
PROFILE_PAGE = "dashboard/views/transformed.py"  # the exemplars' profile against any council
NO_COUNCIL = ""  # the "mark a council" choice that marks none

wh = open_warehouse(shows=[INDICATORS, ANSWERS])
st.title("Exemplar finder")
st.write(
    "Councils that perform well **against comparable councils**, keep improving and have "
    "complete data. Every choice below is kept in the page address."
)
st.page_link(METHOD_PAGE, label="How the method works", icon=":material/menu_book:")

controls = st.columns(4)
period = choose_period(wh, container=controls[0])
choice = choose_exemplar_peer_group(wh, period, places=controls[1:])
codes, description, candidates = choice.codes, choice.description, choice.candidates
method = choose_method(wh)
show_url_notices()

if not codes:
    st.warning(f"{markdown(description)}: choose another type, region or period.")
    st.stop()
weights = weights_table(wh, method)
if weights["share_of_composite"].sum() == 0:
    st.warning("No indicator carries any weight: choose at least one indicator, with its theme's weight above 0.")
    st.stop()

stamp = export_stamp(wh)
found = find_exemplars(wh, stamp.data_version, tuple(codes), period, method)
names = dict(zip(candidates["authority_code"], candidates["short_name"], strict=True))
# the shortlist (exemplars and near misses) under every other peer definition that applies
shortlisted = found.table.loc[found.table["is_exemplar"], "authority_code"].tolist()
shortlisted += found.near_misses["authority_code"].tolist()
robust = exemplar_robustness(wh, shortlisted, period, method)
table = found.table.merge(robust, on="authority_code", how="left")
table = table.assign(short_name=table["authority_code"].map(names))
found.near_misses = found.near_misses.merge(robust, on="authority_code", how="left")
ranked = table[table["composite"].notna()]
incomplete = table[table["composite"].isna()]
exemplars = table[table["is_exemplar"]]
misses = found.near_misses.assign(
    short_name=found.near_misses["authority_code"].map(names),
    missed=[verdicts.missed_sentence(row, method.rule) for row in found.near_misses.to_dict("records")],
)

# -- the answer ------------------------------------------------------------------------------
st.header(markdown(f"Exemplars: {description}"), anchor="exemplars")
improvement_text = (
    f"Improvement is the tested trend over each council's latest {method.rule.trend.points} points up to {period}."
    if method.rule.tests_trend
    else f"Improvement compares {period} with {found.scores.base_period or 'no earlier period'}."
)
st.caption(markdown(f"Rule: {method.rule.describe()}. {improvement_text}"))
st.markdown(verdicts.summary_sentence(table, misses))
if exemplars.empty:
    st.info("No council meets every condition of the rule. The near misses below say which condition each one failed.")
else:
    st.markdown(verdicts.answer_markdown(exemplars, names))

st.subheader("Near misses")
st.caption("Councils in the top half of the ranking that fail one condition of the rule, best first.")
if misses.empty:
    st.write("No council in the top half fails just one condition.")
else:
    st.markdown(verdicts.near_miss_markdown(misses, names, method.rule))

provenance = shortlist_provenance(
    peer_group=description,
    period=period,
    base_period=found.scores.base_period,
    weights=method.weights,
    indicators=method.indicators,
    rule=method.rule,
    settings=method.settings,
    maturity_used=found.maturity_used,
)
download_button(
    "Download the shortlist (CSV)",
    shortlist_csv(table, names, provenance, stamp, misses),
    file_name=file_name("exemplar-shortlist", period),
    key="exemplar_shortlist_download",
    caption="Exemplars and near misses with their reasons and why each near miss missed; the peer group, "
    "weights, thresholds, K, seed, data version and sources are in the about_* columns.",
)
st.page_link(
    PROFILE_PAGE,
    label="What a transformed council looks like",
    icon=":material/compare_arrows:",
    query_params={k: st.query_params[k] for k in st.query_params},
)

# -- the evidence ------------------------------------------------------------------------------
st.header("The evidence", anchor="evidence")
labels = {
    "short_name": "Council",
    "status": "Status",
    "composite_rank": "Rank",
    "n_composite": "Ranked councils",
    "rank_p05": "Rank, 5th percentile",
    "rank_p95": "Rank, 95th percentile",
    "top_share_draws": "Top quartile in resamples",
    "composite": "Composite",
    "completeness": "Completeness",
    "reason": "Why",
    "n_values": "Indicators with a value",
    "n_applicable": "Indicators that apply",
    "is_exemplar": "Exemplar",
    "improving": f"Indicators improving over {method.rule.k} periods",
    "worsening": f"Indicators worsening over {method.rule.k} periods",
    "composite_change": f"Composite change over {method.rule.k} periods",
    "robustness": "Under other peer definitions",
    "exemplar_under": "Exemplar under",
    "not_exemplar_under": "Not an exemplar under",
    "trend_improving": "Indicators improving significantly",
    "trend_worsening": "Indicators worsening significantly",
}
percent = st.column_config.NumberColumn(format="percent")
formats = {
    "Top quartile in resamples": percent,
    "Completeness": percent,
    "Composite": st.column_config.NumberColumn(format="%.3f"),
    "Why": st.column_config.TextColumn(width="large"),
    f"Composite change over {method.rule.k} periods": st.column_config.NumberColumn(format="%+.3f"),
    "Under other peer definitions": st.column_config.TextColumn(
        help="The same rule applied within each other way of choosing peers that covers the council: "
        "same type nationally, same type in the region, each stored set of statistical neighbours "
        "or family groups. 'Exemplar under' lists the definitions under which it is one."
    ),
}

st.subheader("Under other peer definitions")
st.caption(
    "Is each council on the shortlist still an exemplar when its peers are chosen another way? "
    "The same rule, applied within every other peer group that covers it."
)
shortlist_rows = table[table["authority_code"].isin(shortlisted)].sort_values("composite_rank")
shortlist_rows = shortlist_rows.assign(status=shortlist_rows["is_exemplar"].map({True: "Exemplar", False: "Near miss"}))
st.dataframe(
    shortlist_rows[["short_name", "status", "robustness", "exemplar_under", "not_exemplar_under"]].rename(
        columns=labels
    ),
    hide_index=True,
    column_config=formats,
    key="exemplar_robustness",
)

st.subheader("Rank stability")
intervals = verdicts.interval_rows(table, found.near_misses, names)
cut = verdicts.top_cut_rank(table)
st.caption(
    f"Each bar is where the council ranked in 90% of {method.settings.draws} resamples (weights jittered, "
    f"each indicator left out of one draw in ten; seed {method.settings.seed}); the diamond is its rank. "
    f"The dashed line is the last rank in the top {method.rule.top_share:.0%}."
)
interval_table = intervals.drop(columns="authority_code").rename(columns=labels)
chart_table_download(
    rank_intervals(intervals, cut, method.rule.top_share),
    interval_table,
    csv_bytes(intervals.rename(columns={"short_name": "council"}), stamp, provenance),
    file_name("exemplar-rank-stability", period),
    key="exemplar_stability",
    column_config=formats,
    download_label="Download the rank intervals (CSV)",
)

st.subheader("Composite ranking")
mark_place, toggle_place = st.columns(2, vertical_alignment="bottom")
mark = choice.council
if mark is None:
    mark = url_selectbox(
        "Mark a council in the ranking",
        [NO_COUNCIL, *sorted(codes, key=lambda c: names.get(c, c))],
        key="council",
        default=NO_COUNCIL,
        format_func=lambda c: names.get(c, c) if c else "No council marked",
        container=mark_place,
        omit_default=True,
    )
show_all = url_toggle(
    f"Show every ranked council ({len(ranked)})", key="all", default=False, container=toggle_place, omit_default=True
)
bars = verdicts.ranking_rows(table, council=mark or None, show_all=show_all)
if not show_all and len(bars) < len(ranked):
    st.caption(f"The best {len(bars)} of {len(ranked)} ranked councils" + (" and the marked council." if mark else "."))
trend = ["is_exemplar", "improving", "worsening", "composite_change"]
if method.rule.tests_trend:
    trend += ["trend_improving", "trend_worsening"]
ranking_columns = [
    "short_name",
    "composite_rank",
    "rank_p05",
    "rank_p95",
    "top_share_draws",
    "composite",
    "completeness",
    *trend,
]
chart_table_download(
    composite_ranking(bars, council=mark or None),
    ranked.sort_values("composite_rank")[ranking_columns].rename(columns=labels),
    csv_bytes(ranked.sort_values("composite_rank")[["authority_code", *ranking_columns]], stamp, provenance),
    file_name("exemplar-ranking", period),
    key="exemplar_ranking",
    column_config=formats,
    download_label="Download the ranking (CSV)",
)

if not incomplete.empty:
    st.subheader("Incomplete data: not ranked")
    st.caption(
        f"Below {method.rule.min_completeness:.0%} of the indicators that apply to this group: "
        "no composite, so never ranked on a few indicators."
    )
    st.dataframe(
        incomplete[["short_name", "completeness", "n_values", "n_applicable"]].rename(columns=labels),
        hide_index=True,
        column_config=formats,
        key="exemplar_incomplete",
    )

with st.expander("Weights in use"):
    st.dataframe(
        weights.rename(
            columns={
                "theme": "Theme",
                "name": "Indicator",
                "polarity": "Better when",
                "theme_weight": "Theme weight",
                "indicator_weight": "Indicator weight",
                "share_of_composite": "Share of the composite",
            }
        ),
        hide_index=True,
        key="exemplar_weights",
        column_config={"Share of the composite": percent},
    )
