-- Headline counts for the home page: what the published warehouse holds.
WITH councils AS (
    SELECT count(*) FILTER (WHERE is_council AND is_current) AS current_councils,
           count(*) FILTER (WHERE is_council AND NOT is_current) AS former_councils
    FROM ref.authorities
),
data AS (
    SELECT count(*) AS value_rows,
           count(DISTINCT authority_code) AS councils_with_data
    FROM indicator_values
),
final AS (
    SELECT c.current_councils, c.former_councils, d.value_rows, d.councils_with_data,
           (SELECT count(*) FROM indicators) AS indicators,
           (SELECT count(DISTINCT theme) FROM indicators) AS themes,
           (SELECT count(*) FROM periods WHERE period IN (SELECT DISTINCT period FROM indicator_values)) AS periods,
           (SELECT min(period) FROM periods WHERE period IN (SELECT DISTINCT period FROM indicator_values)) AS first_period,
           (SELECT max(period) FROM periods WHERE period IN (SELECT DISTINCT period FROM indicator_values)) AS last_period,
           (SELECT count(*) FROM questions) AS questions,
           (SELECT count(DISTINCT round) FROM published_responses) AS rounds
    FROM councils c, data d
)
SELECT * FROM final
