-- API keys created at run time through /api/v1/keys (the config file's api.keys are not stored):
-- only the SHA-256 of each key is kept, never the key.
CREATE TABLE api_keys (
  name       text        PRIMARY KEY,
  sha256     char(64)    NOT NULL UNIQUE,
  role       text        NOT NULL CHECK (role IN ('viewer', 'ops', 'admin')),
  created_by text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
