-- Each council's mean maturity per round, from published responses only (see sa_responses:
-- the same disclosure filter and the same preference for a council's own submission).
-- Parameters: $codes (list of authority codes), $round (round label, or NULL for every round).
WITH responses_in_scope AS (
    SELECT authority_code, round, round_start, question_id, score, published, source_name
    FROM responses
    WHERE list_contains($codes, authority_code)
      AND ($round::VARCHAR IS NULL OR round = $round::VARCHAR)
),
preferred_source AS (
    SELECT authority_code, round,
           arg_max(source_name, (starts_with(source_name, 'submission-'), source_name)) AS source_name
    FROM responses_in_scope
    GROUP BY authority_code, round
),
published_responses AS (
    SELECT r.authority_code, r.round, r.round_start, r.question_id, r.score
    FROM responses_in_scope r
    JOIN preferred_source p USING (authority_code, round, source_name)
    WHERE r.published
),
with_role AS (
    SELECT r.*, q.role
    FROM published_responses r
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
