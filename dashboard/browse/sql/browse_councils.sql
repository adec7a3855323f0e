-- Browse: every council (never combined or strategic authorities) with the facts the filters use.
-- Small (hundreds of rows): the page builds its nation, region and type choices from it.
with authorities as (
    select * from ref.authorities
),
final as (
    select authority_code, short_name, official_name, nation, region, authority_type, is_current
    from authorities
    where is_council
)
select * from final
order by nation, region, authority_type, short_name
