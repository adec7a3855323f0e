"""Self-assessment results for one council: maturity by theme for every round, against the
peer group's median and interquartile range and the exemplars' profile; drivers and enablers
apart; the questions with their level descriptors."""

import streamlit as st

from dashboard.common.contents import ANSWERS
from dashboard.common.disclosure import MIN_PEER_RESPONDENTS, hidden_reason, peer_stat_allowed
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.text import file_name, markdown
from dashboard.common.widgets import chart_table_download, data_table
from dashboard.selfassessment import results as sa
from dashboard.selfassessment.charts import maturity_radar
from dashboard.views.compose import choose_council_round_and_group, group_exemplars

ROUND_COLUMNS = {  # the results table's columns as a reader names them
    "round": "Round",
    "role": "Role",
    "theme": "Theme",
    "maturity": "Maturity",
    "median": "Peer median",
    "q1": "Peer lower quartile",
    "q3": "Peer upper quartile",
    "respondents": "Peers responding",
    "exemplar_maturity": "Exemplar profile",
}
QUESTION_COLUMNS = {
    "theme": "Theme",
    "question_id": "Code",
    "question": "Question",
    "council_score": "Score",
    **{f"level_{i}": f"Level {i}" for i in range(1, 6)},
}

ROLES = {
    "driver": "Drivers: what transformation must deliver",
    "enabler": "Enablers: the capabilities that make it possible",
}

wh = open_warehouse(shows=[ANSWERS])
st.title("Self-assessment results")
st.write(
    "How a council rates its own maturity on the challenge questions (1 = starting out, "
    "5 = transformed), theme by theme, beside similar councils and the exemplars."
)
choice = choose_council_round_and_group(wh, period_label="Period (peer group and exemplars)")
council, council_name, period = choice.council, choice.council_name, choice.period
round_label, group = choice.round_label, choice.group

exemplars, exemplar_method = group_exemplars(wh, group.codes, period)
results = sa.council_results(wh, council, group.codes, exemplars, exemplar_method)
if not results.own_rounds:
    st.info(f"{markdown(council_name)} has no published self-assessment yet: only the peer group's results are shown.")
elif round_label not in results.own_rounds:
    st.info(
        f"{markdown(council_name)} published no answers for round {markdown(round_label)}; it "
        f"answered in {markdown(', '.join(results.own_rounds))}."
    )
respondents = results.respondents.get(round_label, 0)
if not peer_stat_allowed(respondents):
    st.info(hidden_reason(respondents))
if results.exemplars:
    st.caption(f"Exemplars ({len(results.exemplars)}) chosen by the {markdown(results.exemplar_method)}.")
    exemplars_answering = results.exemplar_respondents.get(round_label, 0)
    if not peer_stat_allowed(exemplars_answering):
        st.info(
            hidden_reason(exemplars_answering, "The exemplar profile").replace("in this group", "among the exemplars")
        )
else:
    st.caption(
        f"No exemplars in this group for {markdown(period)} ({markdown(results.exemplar_method)}), "
        "so there is no exemplar profile."
    )
this_round = results.table[results.table["round"] == round_label]

provenance = {
    "council": council,
    "peer_group": group.definition(),
    "period": period,
    "disclosure": f"peer statistics only from {MIN_PEER_RESPONDENTS} respondents",
    "exemplars": results.exemplar_method,
}
stamp = export_stamp(wh)
for role, heading in ROLES.items():
    st.subheader(heading)
    part = this_round[this_round["role"] == role]
    figure = maturity_radar(part, council_name, f"Round {round_label}")
    shown = part.drop(columns=["round_start"]).rename(columns={**ROUND_COLUMNS, "maturity": council_name})
    every_round = results.table[results.table["role"] == role].drop(columns=["round_start"])
    chart_table_download(
        figure,
        shown,
        csv_bytes(every_round, stamp, {**provenance, "role": role}),
        file_name("self-assessment", council, f"{role}s"),
        key=f"sa_{role}",
    )

st.subheader("Every round")
data_table(results.table.drop(columns=["round_start"]).rename(columns=ROUND_COLUMNS), key="sa_all_rounds")

st.subheader(f"The questions, and {markdown(council_name)}'s answers in round {markdown(round_label)}")
st.caption("Each level describes what a council at that score looks like.")
questions = sa.question_table(sa.framework(wh), results.responses, round_label)
for role, heading in ROLES.items():
    with st.expander(heading.split(":")[0], expanded=False):
        data_table(
            questions[questions["role"] == role].drop(columns=["role"]).rename(columns=QUESTION_COLUMNS),
            key=f"sa_questions_{role}",
        )
