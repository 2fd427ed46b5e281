-- Namespace options shared by every relay node: one row per namespace, the options as config JSON
-- (the keys of channel.namespaces[] in the config file, without "name"). version counts the writes
-- of a row: 1 when it was created.
CREATE TABLE namespaces (
  name       text        PRIMARY KEY,
  options    jsonb       NOT NULL,
  version    bigint      NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One-time steps done once per database, by whichever node gets there first. The row 'namespaces'
-- records that the namespaces table was seeded from a node's config file; delete it to seed again.
CREATE TABLE seeds (
  name      text        PRIMARY KEY,
  seeded_at timestamptz NOT NULL DEFAULT now()
);
