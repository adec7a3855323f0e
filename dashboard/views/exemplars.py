"""Exemplar finder: councils that perform well against comparable councils, keep improving,
have complete data (and, when available, mature self-assessment), with the reasons in words."""

import pandas as pd
import streamlit as st

from dashboard.common.contents import ANSWERS, INDICATORS
from dashboard.common.disclosure import peer_stat_allowed
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import chart_table_download
from dashboard.exemplars import finder, profiles
from dashboard.exemplars.charts import composite_ranking, theme_profile_chart
from dashboard.exemplars.exports import shortlist_csv, shortlist_provenance
from dashboard.exemplars.widgets import choose_method, choose_period, weights_table
from dashboard.selfassessment.results import maturity_profile as self_assessment_profile
from dashboard.views.compose import choose_exemplar_peer_group, exemplar_robustness, maturity_for_rule

METHOD_PAGE = "dashboard/views/exemplar_method.py"  # the method, linked from the top of the page

wh = open_warehouse(shows=[INDICATORS, ANSWERS])
st.title("Exemplar finder")
st.write(
    "Councils that perform well **against comparable councils**, keep improving and have "
    "complete data. Every choice below is kept in the page address."
)
st.page_link(METHOD_PAGE, label="How the composite, the rule and the stability check work", icon="📖")

controls = st.columns(3)
period = choose_period(wh, container=controls[0])
choice = choose_exemplar_peer_group(wh, period, container=controls[1])
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

maturity = maturity_for_rule(wh, codes, method.rule) if method.use_maturity else None
found = finder.find_exemplars(
    wh, codes, period, method.rule, method.weights, method.indicators, method.settings, maturity
)
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

st.subheader(markdown(description))
improvement_text = (
    f"Improvement is the tested trend over each council's latest {method.rule.trend.points} points up to {period}."
    if method.rule.tests_trend
    else f"Improvement compares {period} with {found.scores.base_period or 'no earlier period'}."
)
st.caption(markdown(f"Rule: {method.rule.describe()}. {improvement_text}"))
metrics = st.columns(4)
metrics[0].metric("Councils in the group", len(table))
metrics[1].metric("Ranked (complete data)", len(ranked))
metrics[2].metric("Exemplars", int(table["is_exemplar"].sum()))
metrics[3].metric("Incomplete (not ranked)", len(incomplete))

st.subheader("Exemplar candidates")
shown = [
    "short_name",
    "composite_rank",
    "rank_p05",
    "rank_p95",
    "top_share_draws",
    "composite",
    "completeness",
    "robustness",
    "exemplar_under",
    "reason",
]
labels = {
    "short_name": "Council",
    "composite_rank": "Rank",
    "rank_p05": "Rank, 5th pct",
    "rank_p95": "Rank, 95th pct",
    "top_share_draws": "Top quartile in resamples",
    "composite": "Composite",
    "completeness": "Completeness",
    "reason": "Why",
    "failed": "Condition not met",
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
    "Condition not met": st.column_config.TextColumn(width="medium"),
    "Under other peer definitions": st.column_config.TextColumn(
        help="The same rule applied within each other way of choosing peers that covers the council: "
        "same type nationally, same type in the region, each stored set of statistical neighbours "
        "or family groups. 'Exemplar under' lists the definitions under which it is one."
    ),
}
candidates_table = table[table["is_exemplar"]][shown].rename(columns=labels)
if candidates_table.empty:
    st.info("No council meets every condition of the rule. The near misses below show which condition each one failed.")
else:
    st.dataframe(candidates_table, hide_index=True, column_config=formats, key="exemplar_candidates")

st.subheader("Near misses")
misses = found.near_misses.assign(short_name=found.near_misses["authority_code"].map(names))
st.dataframe(
    misses[["short_name", "composite_rank", "failed", "robustness", "reason"]].rename(columns=labels),
    hide_index=True,
    column_config=formats,
    key="exemplar_near_misses",
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

st.subheader("Composite ranking")
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
stamp = export_stamp(wh)
trend = ["is_exemplar", "improving", "worsening", "composite_change"]
if method.rule.tests_trend:
    trend += ["trend_improving", "trend_worsening"]
ranked_columns = [c for c in shown[:-1] if c not in ("robustness", "exemplar_under")]  # shortlist only
chart_table_download(
    composite_ranking(table),
    ranked.sort_values("composite_rank")[ranked_columns + trend].rename(columns=labels),
    shortlist_csv(table, names, provenance, stamp, found.near_misses),
    file_name("exemplar-shortlist", period),
    key="exemplar_ranking",
    column_config=formats,
    download_label="Download the shortlist (CSV)",
    download_caption="Exemplars and near misses with reasons, composite, completeness and stability; "
    "the peer group, weights, thresholds, K, seed, data version and sources are in the about_* columns.",
)

with st.expander("Weights in use"):
    st.dataframe(
        weights,
        hide_index=True,
        key="exemplar_weights",
        column_config={"share_of_composite": percent},
    )

st.subheader("What a transformed council looks like")
exemplar_codes = table.loc[table["is_exemplar"], "authority_code"].tolist()
if choice.council is None:
    council = url_selectbox(
        "Compare with",
        sorted(codes, key=lambda c: names.get(c, c)),
        key="council",
        format_func=lambda c: names.get(c, c),
    )
else:  # the group was chosen around a council: compare that council
    council = choice.council
profile = profiles.theme_profile(found.scores, exemplar_codes, council)
st.caption(
    f"Theme by theme: the median of the {len(exemplar_codes)} exemplars' mean percentile rank "
    f"in the theme, against {markdown(names.get(council, council))}. 1 = best in the peer group."
)
profile_table = profile.rename(
    columns={
        "theme": "Theme",
        "exemplar_median": "Exemplars (median)",
        "exemplars": "Exemplars with a value",
        "council_score": names.get(council, council),
    }
)
chart_table_download(
    theme_profile_chart(profile, names.get(council, council)),
    profile_table,
    csv_bytes(profile_table, stamp, {**provenance, "council": council}),
    "transformed-council-profile.csv",
    key="exemplar_profile",
    download_label="Download the profile (CSV)",
)

maturity_profile = self_assessment_profile(wh, exemplar_codes, council) if found.maturity_used else None
if maturity_profile is not None:
    st.markdown("**Self-assessment maturity by theme** (challenge questions, 1–5, latest published round)")
    exemplar_maturity = table.set_index("authority_code")["mean_maturity"].reindex(exemplar_codes).dropna()
    cols = st.columns(2)
    cols[0].metric(
        "Exemplars' median maturity",
        f"{exemplar_maturity.median():.2f}" if peer_stat_allowed(len(exemplar_maturity)) else "withheld",
        help="Shown only when enough exemplars responded (the self-assessment disclosure rule).",
    )
    own = table.set_index("authority_code")["mean_maturity"].get(council)
    cols[1].metric(
        f"{markdown(names.get(council, council))}'s maturity", "—" if own is None or pd.isna(own) else f"{own:.2f}"
    )
    st.dataframe(
        maturity_profile.rename(
            columns={
                "theme": "Self-assessment theme",
                "exemplar_median": "Exemplars (median maturity)",
                "exemplars": "Exemplars that responded",
                "council_maturity": names.get(council, council),
            }
        ),
        hide_index=True,
        key="exemplar_maturity_profile",
    )
    st.caption("A median over too few exemplars is withheld (empty), so no council's scores can be worked out.")
