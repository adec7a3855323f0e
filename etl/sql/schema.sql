-- The published warehouse. One file per version; the live path points at the newest.
-- Reference facts live in schema `ref`; loaded data in `main`.

CREATE SCHEMA IF NOT EXISTS ref;

-- Every UK local authority past and present (mySociety register, see README "Sources").
CREATE TABLE ref.authorities (
    authority_code           VARCHAR PRIMARY KEY,  -- ONS GSS code; register code where none exists
    gss_code                 VARCHAR,              -- ONS 9-character code (NULL for pre-2015 NI districts)
    register_code            VARCHAR NOT NULL UNIQUE, -- 3-letter register code, e.g. BIR
    official_name            VARCHAR NOT NULL,
    short_name               VARCHAR NOT NULL,
    nation                   VARCHAR NOT NULL,     -- England | Scotland | Wales | Northern Ireland
    region                   VARCHAR,              -- English region, or the nation's name
    authority_type           VARCHAR NOT NULL,     -- e.g. Metropolitan district, London borough
    authority_type_code      VARCHAR NOT NULL,     -- register's type code, e.g. MD, LBO
    tier                     VARCHAR NOT NULL,     -- county | district | unitary | combined | other
    is_council               BOOLEAN NOT NULL,     -- false for combined and strategic authorities
    parent_county_code       VARCHAR,              -- authority_code of the county over a district
    combined_authority_code  VARCHAR,              -- authority_code of its combined authority
    population               BIGINT,               -- mid-2020 estimate
    area_km2                 DOUBLE,
    density_per_km2          DOUBLE,
    lat                      DOUBLE,               -- centroid
    lon                      DOUBLE,
    start_date               DATE,
    end_date                 DATE,                 -- NULL while the authority exists
    is_current               BOOLEAN NOT NULL,
    successor_codes          VARCHAR[],            -- authority_codes that replaced it
    former_gss_codes         VARCHAR[],
    deprivation_score        DOUBLE,               -- composite UK IMD score, higher = more deprived
    deprivation_quintile     INTEGER,              -- 1 = most deprived fifth (population-weighted)
    deprivation_decile       INTEGER
);

-- Every known spelling of an authority's name, for matching real files by name.
CREATE TABLE ref.authority_names (
    name            VARCHAR NOT NULL,
    authority_code  VARCHAR NOT NULL
);

-- Present and former GSS codes and register codes, each mapped to the authority_code.
CREATE TABLE ref.authority_codes (
    code            VARCHAR NOT NULL,
    code_kind       VARCHAR NOT NULL,   -- gss | former_gss | register
    authority_code  VARCHAR NOT NULL
);

CREATE TABLE ref.reference_sources (
    name        VARCHAR PRIMARY KEY,
    publisher   VARCHAR,
    licence     VARCHAR,
    snapshot    VARCHAR,
    files       VARCHAR
);

CREATE TABLE indicators (
    indicator_id  VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    theme         VARCHAR NOT NULL,
    unit          VARCHAR NOT NULL,
    polarity      VARCHAR NOT NULL,    -- higher | lower | neutral (which direction is better)
    description   VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,    -- publisher of the figures
    min_value     DOUBLE,
    max_value     DOUBLE,
    aggregation   VARCHAR,             -- sum | mean, for combining predecessor councils
    decimals      INTEGER,
    source_url    VARCHAR,             -- where the publisher describes or publishes the figures
    caveats       VARCHAR,             -- the publisher's notes on using the figures (Markdown text)
    polarity_reason VARCHAR,           -- why higher (or lower) is better, or why neither
    source_name   VARCHAR NOT NULL     -- the loaded source this row came from
);

CREATE TABLE periods (
    period        VARCHAR PRIMARY KEY, -- canonical label, e.g. 2019/20
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    period_kind   VARCHAR NOT NULL     -- financial_year | calendar_year | quarter | span
);

-- Long-format indicator values, stored sorted by indicator and period (the dashboard's access path).
CREATE TABLE indicator_values (
    indicator_id    VARCHAR NOT NULL,
    period          VARCHAR NOT NULL,
    period_start    DATE NOT NULL,
    authority_code  VARCHAR NOT NULL,
    value           DOUBLE,            -- NULL means missing or suppressed
    status          VARCHAR,           -- NULL (normal), suppressed, estimate, provisional, missing, revised, unreliable
    lower_ci        DOUBLE,            -- 95% confidence limits when the publisher gives them
    upper_ci        DOUBLE,
    source_name     VARCHAR NOT NULL,
    -- true when the council did not exist on any day of the period (register life dates): the
    -- publisher restated it on later boundaries, or reported it after abolition. Kept, not dropped.
    outside_life    BOOLEAN NOT NULL
);

CREATE TABLE questions (
    question_id  VARCHAR PRIMARY KEY,
    theme        VARCHAR NOT NULL,
    role         VARCHAR NOT NULL,     -- driver | enabler
    text         VARCHAR NOT NULL,
    level_1      VARCHAR,
    level_2      VARCHAR,
    level_3      VARCHAR,
    level_4      VARCHAR,
    level_5      VARCHAR,
    source_name  VARCHAR NOT NULL,
    continues    VARCHAR               -- the earlier question this one carries on from (lineage), or NULL: new
);

CREATE TABLE responses (
    authority_code  VARCHAR NOT NULL,
    round           VARCHAR NOT NULL,  -- canonical period label of the round, e.g. 2023
    round_start     DATE NOT NULL,
    question_id     VARCHAR NOT NULL,
    score           INTEGER NOT NULL,  -- 1..5
    published       BOOLEAN NOT NULL,
    source_name     VARCHAR NOT NULL
);

-- Aggregate areas (UK, a nation, an English region...) kept from imported files: shown beside
-- a peer group as comparators, never stored as councils.
CREATE TABLE comparator_values (
    indicator_id  VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    area_name     VARCHAR NOT NULL,    -- canonical name, e.g. England, North East, United Kingdom
    area_code     VARCHAR,             -- ONS code of the area when known, e.g. E92000001
    value         DOUBLE,
    status        VARCHAR,
    lower_ci      DOUBLE,              -- 95% confidence limits when the publisher gives them
    upper_ci      DOUBLE,
    source_name   VARCHAR NOT NULL
);

-- Peer-group sets: imported family groups and neighbour lists, and computed nearest neighbours.
CREATE TABLE peer_sets (
    set_id       VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,     -- family (numbered groups) | neighbours (ranked lists)
    description  VARCHAR,
    method       VARCHAR NOT NULL,     -- how the set was made (publisher's model or our computation)
    variables    VARCHAR,              -- for computed sets: variables and weights used
    source_name  VARCHAR NOT NULL
);

-- family sets: one row per council with its group_id (member_code NULL);
-- neighbours sets: one row per (council, neighbour) with rank and closeness.
CREATE TABLE peer_set_members (
    set_id          VARCHAR NOT NULL,
    authority_code  VARCHAR NOT NULL,
    member_code     VARCHAR,           -- the neighbour (neighbours sets)
    rank            INTEGER,           -- 1 = closest
    similarity      DOUBLE,            -- 0..100, 100 = identical on the variables used
    closeness       VARCHAR,           -- publisher's label or score, e.g. "Very close"
    group_id        VARCHAR,           -- the numbered group (family sets)
    source_name     VARCHAR NOT NULL
);

-- What each group of a family set is like, when the publisher describes its groups (clusters).
CREATE TABLE peer_set_groups (
    set_id       VARCHAR NOT NULL,
    group_id     VARCHAR NOT NULL,
    description  VARCHAR NOT NULL,
    source_name  VARCHAR NOT NULL
);

-- The only door to self-assessment scores for readers: published responses, and where a
-- council has published answers for a round from several sources, only its own submission's
-- (source "submission-..."), so a published upload replaces bulk-loaded scores. Unpublished rows
-- never pass this view, and never decide which source wins either: a private submission must
-- change nothing a reader sees. The dashboard's queries read nothing else.
CREATE VIEW published_responses AS
WITH preferred_source AS (
    SELECT authority_code, round,
           arg_max(source_name, (starts_with(source_name, 'submission-'), source_name)) AS source_name
    FROM responses
    WHERE published
    GROUP BY authority_code, round
),
final AS (
    SELECT r.authority_code, r.round, r.round_start, r.question_id, r.score, r.source_name
    FROM responses r
    JOIN preferred_source p USING (authority_code, round, source_name)
    WHERE r.published
)
SELECT * FROM final;

-- One row per file behind the published data: what it holds, whether it is synthetic, who
-- published it under which licence (the app's real/synthetic banner is derived from these). A file
-- holding unpublished self-assessment answers is in private.source_files instead: see below.
CREATE TABLE source_files (
    source_name   VARCHAR NOT NULL,
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    rows_loaded   BIGINT NOT NULL,
    load_id       VARCHAR NOT NULL,
    loaded_at     TIMESTAMP NOT NULL,
    is_synthetic  BOOLEAN NOT NULL,
    holds         VARCHAR,             -- indicators | self-assessment framework | self-assessment answers | peer groups
    publisher     VARCHAR,             -- who published the source's figures, when known
    licence       VARCHAR              -- under which licence, when known
);

-- The successful loads whose data this version holds (failed ones are in the load log file).
CREATE TABLE load_history (
    load_id        VARCHAR NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL,
    source_name    VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_loaded    BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    outcome        VARCHAR NOT NULL
);

-- What only the operator sees (`etl status`, `etl history`): the files, and the loads of files,
-- holding self-assessment answers that are not published (etl/provenance.py decides). Pages and
-- exports never read this schema: a private submission's hash would give its answers away (the
-- inbox writes a known format, so candidate answers can be hashed and compared), and its row,
-- size or round would say that it exists.
CREATE SCHEMA private;
CREATE TABLE private.source_files AS FROM source_files WITH NO DATA;
CREATE TABLE private.load_history AS FROM load_history WITH NO DATA;

-- What the withheld files hold that readers do see: the kind of content, whether it is
-- synthetic, its publisher and licence, once per distinct combination, only for files that also
-- hold published answers (so a page can say those answers are synthetic). No name, hash, size or
-- count: a wholly private submission adds no row, and two withheld files look like one.
CREATE TABLE withheld_contents (
    holds         VARCHAR NOT NULL,
    is_synthetic  BOOLEAN NOT NULL,
    publisher     VARCHAR,
    licence       VARCHAR
);

-- Key/value facts about this version: data_version, published_at, is_demo, schema_version.
CREATE TABLE meta (
    key    VARCHAR PRIMARY KEY,
    value  VARCHAR NOT NULL
);
