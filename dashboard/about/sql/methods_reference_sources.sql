-- Data and methods: the published reference data the register facts come from (credits).
with reference_sources as (
    select * from ref.reference_sources
),
final as (
    select name, publisher, licence, snapshot, files
    from reference_sources
)
select * from final
order by name
