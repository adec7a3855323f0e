"""What a transformed council looks like: the exemplars' profile, theme by theme in plain
sentences drawn from the figures, against any council; then its self-assessment beside theirs
and the challenge questions it may ask itself."""

import streamlit as st

from dashboard.common.contents import ANSWERS, INDICATORS
from dashboard.common.disclosure import MIN_PEER_RESPONDENTS, peer_stat_allowed
from dashboard.common.exports import csv_bytes, export_stamp
from dashboard.common.page import open_warehouse
from dashboard.common.register import DEFAULT_COUNCIL
from dashboard.common.text import file_name, markdown
from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import chart_table_download, download_button
from dashboard.exemplars import profiles
from dashboard.exemplars.charts import exemplar_spread, theme_profile_chart
from dashboard.exemplars.widgets import choose_method, choose_period
from dashboard.selfassessment import challenge
from dashboard.selfassessment import results as sa
from dashboard.views.compose import choose_exemplar_peer_group, find_exemplars

FINDER_PAGE = "dashboard/views/exemplars.py"
ROLE_WORDS = {"driver": "a driver", "enabler": "an enabler"}

wh = open_warehouse(shows=[INDICATORS, ANSWERS])
st.title("What a transformed council looks like")
st.write(
    "The exemplars of a peer group, theme by theme, against **any** council: what their figures "
    "look like, where the council stands, and the challenge questions it may ask itself."
)

controls = st.columns(4)
period = choose_period(wh, container=controls[0])
choice = choose_exemplar_peer_group(wh, period, places=controls[1:])
candidates = choice.candidates
names = dict(zip(candidates["authority_code"], candidates["short_name"], strict=True))
everyone = sorted(names, key=lambda c: (names[c], c))
council = url_selectbox(
    "Compare with (any council)",
    everyone,
    key="compare",
    default=choice.council or DEFAULT_COUNCIL,
    format_func=lambda c: names.get(c, c),
    container=controls[0],
)
council_name = names.get(council, council)
with st.expander("How the exemplars are chosen: weights and rule (as on the Exemplar finder)"):
    method = choose_method(wh, container=st.container(), resampling=False, boxed=True)
show_url_notices()
if not choice.codes:
    st.warning(f"{markdown(choice.description)}: choose another type, region or period.")
    st.stop()

stamp = export_stamp(wh)
found = find_exemplars(wh, stamp.data_version, tuple(choice.codes), period, method)
exemplars = sorted(found.table.loc[found.table["is_exemplar"], "authority_code"])
if not exemplars:
    st.info(
        f"{markdown(choice.description)} has no exemplar in {markdown(period)} by this rule, so there is no "
        "profile to compare with: choose another group, or relax the rule on the Exemplar finder."
    )
    st.stop()
listed = ", ".join(names.get(c, c) for c in sorted(exemplars, key=lambda c: names.get(c, c)))
st.caption(
    markdown(
        f"The {len(exemplars)} exemplars of {choice.description}: {listed}."
        + (f" {council_name} is one of them." if council in exemplars else "")
    )
)
st.page_link(
    FINDER_PAGE,
    label="Why these councils: the Exemplar finder",
    icon=":material/manage_search:",
    query_params={k: st.query_params[k] for k in st.query_params if k != "compare"},
)
provenance = {
    "peer_group": choice.description,
    "period": period,
    "exemplars": "; ".join(exemplars),
    "rule": method.rule.describe(),
    "compared_council": council,
    "method": "docs/exemplar-method.md",
}

# -- the indicators, theme by theme -----------------------------------------------------------------
profile = profiles.indicator_profile(profiles.profile_values(wh, exemplars, council, period), council)
st.header("Theme by theme")
if profile.empty:
    st.info(f"The exemplars have no published values up to {markdown(period)}.")
for theme, rows in profile.groupby("theme", sort=True):
    st.subheader(markdown(theme))
    lines = [f"- {markdown(profiles.profile_sentence(row, council_name, period))}" for _, row in rows.iterrows()]
    st.markdown(f"{markdown(profiles.theme_sentence(rows, council_name))}\n\n" + "\n".join(lines))

if not profile.empty:
    st.subheader("The exemplars' spread, indicator by indicator")
    st.caption(
        "Each row runs from the lowest to the highest value shown, turned so that right is better "
        "(for indicators that are neither better high nor low, right is higher). The table has the figures."
    )
    in_words = profile.assign(
        in_words=[profiles.profile_sentence(row, council_name, period) for _, row in profile.iterrows()],
        standing=[profiles.standing_words(s, p) for s, p in zip(profile["standing"], profile["polarity"], strict=True)],
    )
    spread_table = in_words.drop(columns=["indicator_id", "decimals"]).rename(
        columns={
            "theme": "Theme",
            "name": "Indicator",
            "unit": "Unit",
            "polarity": "Better when",
            "period": "Period",
            "exemplars": "Exemplars with a value",
            "lowest": "Lowest exemplar",
            "q1": "Exemplars' lower quartile",
            "median": "Median exemplar",
            "q3": "Exemplars' upper quartile",
            "highest": "Highest exemplar",
            "council_value": council_name,
            "standing": "Against the exemplars",
            "in_words": "In words",
        }
    )
    chart_table_download(
        exemplar_spread(profiles.spread_positions(profile), council_name),
        spread_table,
        csv_bytes(in_words, stamp, provenance),
        file_name("transformed-council", council, period),
        key="transformed_spread",
        column_config={"In words": st.column_config.TextColumn(width="large")},
        download_label="Download the profile (CSV)",
    )

# -- self-assessment: maturity and the questions to ask ------------------------------------------------
st.header("Self-assessment")
if not sa.rounds(wh):
    st.info("No self-assessment results have been published yet.")
    st.stop()
st.caption(
    f"Each council's latest published round. A statistic of the exemplars' answers is shown only when at "
    f"least {MIN_PEER_RESPONDENTS} exemplars published theirs, so that no council's own scores can be worked out."
)
maturity = sa.maturity_profile(wh, exemplars, council)
st.subheader("Maturity by theme")
st.caption("1 = starting out, 5 = transformed: the mean of each theme's challenge questions.")
withheld_themes = int((~maturity["exemplars"].map(peer_stat_allowed)).sum()) if len(maturity) else 0
if withheld_themes:
    st.caption(f"The exemplars' median is withheld for {withheld_themes} theme(s): too few exemplars answered.")
maturity_table = maturity.rename(
    columns={
        "theme": "Self-assessment theme",
        "exemplar_median": "Exemplars (median maturity)",
        "exemplars": "Exemplars that answered",
        "council_maturity": council_name,
    }
)
chart_table_download(
    theme_profile_chart(
        maturity,
        council_name,
        council_column="council_maturity",
        axis_title="Maturity (1 to 5)",
        value_range=(0, 5),
    ),
    maturity_table,
    csv_bytes(maturity, stamp, provenance),
    file_name("transformed-council-maturity", council),
    key="transformed_maturity",
    download_label="Download the maturity profile (CSV)",
)

st.subheader(markdown(f"Questions {council_name} may ask itself"))
table = challenge.challenge_table(wh, exemplars, council)
ask = challenge.questions_to_ask(table)
answered = table["council_score"].notna().any()
withheld = int(table["exemplar_median"].isna().sum())
if withheld:
    st.caption(
        f"For {withheld} question(s) fewer than {MIN_PEER_RESPONDENTS} exemplars published an answer: the "
        "exemplars' median is withheld, so that no council's own scores can be worked out from it."
    )

if not answered:
    st.info(
        f"{markdown(council_name)} has not published a self-assessment, so there is nothing to set against the "
        "exemplars' answers. Every question below is one it may ask; each shows what the exemplars' median looks like."
    )
    ask = table[table["exemplar_median"].notna()]
elif ask.empty:
    st.success(f"On every question the exemplars' median can be shown for, {markdown(council_name)} scores as high.")
for _, row in ask.iterrows():
    own = (
        ""
        if not answered
        else f"{markdown(council_name)}: {markdown(challenge.level_text(row, row['council_score']))}  \n"
    )
    role = ROLE_WORDS.get(row["role"], str(row["role"]))
    st.markdown(
        f"**{markdown(row['question'])}** ({markdown(row['theme'])}, {markdown(role)})  \n"
        f"{own}Exemplars (median of {int(row['exemplar_respondents'])} answers, {row['exemplar_median']:.1f}): "
        f"{markdown(challenge.level_text(row, row['exemplar_median']))}"
    )
with st.expander("Every question, with all five levels"):
    st.dataframe(
        table.rename(
            columns={
                "question_id": "Question",
                "theme": "Theme",
                "role": "Role",
                "question": "Text",
                "exemplar_respondents": "Exemplars that answered",
                "exemplar_median": "Median exemplar",
                "council_score": council_name,
                "council_round": "Round",
                "to_ask": "To ask",
                **{f"level_{n}": f"Level {n}" for n in range(1, 6)},
            }
        ),
        hide_index=True,
        key="transformed_questions",
    )
    download_button(
        "Download the questions (CSV)",
        csv_bytes(table, stamp, provenance),
        file_name("challenge-questions", council),
        key="transformed_questions_download",
        caption="Every question with the exemplars' median (withheld below the disclosure threshold), the "
        "council's published score and the five level descriptors.",
    )
