-- One council's ranked neighbours in one neighbours set, with names and closeness.
-- Params: $set_id, $council.
WITH members AS (
    SELECT member_code, rank, similarity, closeness
    FROM peer_set_members
    WHERE set_id = $set_id AND authority_code = $council AND member_code IS NOT NULL
),
names AS (
    SELECT authority_code, short_name, authority_type, region, nation
    FROM ref.authorities
),
final AS (
    SELECT m.rank, m.member_code AS authority_code, n.short_name, n.authority_type, n.region,
           n.nation, m.similarity, m.closeness
    FROM members m
    LEFT JOIN names n ON n.authority_code = m.member_code
)
SELECT * FROM final
ORDER BY rank NULLS LAST, short_name
