-- Each council's mean maturity per round, from published answers only (the published_answers
-- macro over the published_responses view, the warehouse's one disclosure rule).
-- Parameters: $codes (list of authority codes), $round (round label, or NULL for every round).
WITH published AS (
    SELECT * FROM published_answers($codes, $round)
),
final AS (
    SELECT authority_code, round, any_value(round_start) AS round_start,
           avg(score) AS mean_maturity,
           avg(score) FILTER (WHERE role = 'driver') AS driver_maturity,
           avg(score) FILTER (WHERE role = 'enabler') AS enabler_maturity,
           count(*) AS questions_answered
    FROM published
    GROUP BY authority_code, round
)
SELECT * FROM final
ORDER BY round_start, authority_code
