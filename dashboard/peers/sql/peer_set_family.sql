-- The family group of one council in one family set: every council with the same group_id.
-- Params: $set_id, $council.
WITH own_group AS (
    SELECT group_id
    FROM peer_set_members
    WHERE set_id = $set_id AND authority_code = $council
),
members AS (
    SELECT authority_code, group_id
    FROM peer_set_members
    WHERE set_id = $set_id AND group_id IN (SELECT group_id FROM own_group)
),
names AS (
    SELECT authority_code, short_name, authority_type, region, nation
    FROM ref.authorities
),
final AS (
    SELECT m.group_id, m.authority_code, n.short_name, n.authority_type, n.region, n.nation
    FROM members m
    LEFT JOIN names n USING (authority_code)
)
SELECT * FROM final
ORDER BY short_name, authority_code
