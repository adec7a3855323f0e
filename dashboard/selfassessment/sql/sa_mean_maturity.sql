-- Each council's mean maturity per round, from the published_responses view only (the
-- warehouse's one disclosure rule).
-- Parameters: $codes (list of authority codes), $round (round label, or NULL for every round).
WITH published AS (
    SELECT authority_code, round, round_start, question_id, score
    FROM published_responses
    WHERE list_contains($codes, authority_code)
      AND ($round::VARCHAR IS NULL OR round = $round::VARCHAR)
),
with_role AS (
    SELECT r.*, q.role
    FROM published r
    JOIN questions q USING (question_id)
),
final AS (
    SELECT authority_code, round, any_value(round_start) AS round_start,
           avg(score) AS mean_maturity,
           avg(score) FILTER (WHERE role = 'driver') AS driver_maturity,
           avg(score) FILTER (WHERE role = 'enabler') AS enabler_maturity,
           count(*) AS questions_answered
    FROM with_role
    GROUP BY authority_code, round
    ORDER BY round_start, authority_code
)
SELECT * FROM final
