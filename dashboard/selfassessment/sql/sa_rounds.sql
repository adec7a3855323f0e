-- Rounds that hold at least one published response, oldest first (unpublished-only rounds
-- are not even named).
WITH published_rounds AS (
    SELECT round, min(round_start) AS round_start, count(DISTINCT authority_code) AS councils
    FROM published_responses
    GROUP BY round
),
final AS (
    SELECT * FROM published_rounds ORDER BY round_start
)
SELECT * FROM final
