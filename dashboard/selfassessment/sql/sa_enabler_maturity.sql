-- Each council's maturity on each enabler theme in round $round: the mean score of its published
-- answers to the theme's enabler questions (the published_answers macro over the
-- published_responses view, the warehouse's one disclosure rule: unpublished answers never pass
-- it), with the nation and region the council belongs to (a nation without English-style
-- regions is its own region).
WITH councils AS (
    SELECT authority_code, nation, coalesce(region, nation) AS region
    FROM ref.authorities
    WHERE is_council AND tier <> 'combined'
),
answers AS (
    SELECT authority_code, theme, score
    FROM published_answers((SELECT list(authority_code) FROM councils), CAST($round AS VARCHAR))
    WHERE role = 'enabler'
),
final AS (
    SELECT a.authority_code, c.nation, c.region, a.theme,
           avg(a.score) AS maturity, count(*) AS questions
    FROM answers a
    JOIN councils c USING (authority_code)
    GROUP BY a.authority_code, c.nation, c.region, a.theme
)
SELECT * FROM final
ORDER BY theme, authority_code
