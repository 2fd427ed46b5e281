-- control-api V4: credentials for private registries, one set per registry host, sent to the engine
-- as X-Registry-Auth when a service whose image lives there is created or updated.

-- host: as an image reference names it (`registry.example.com`, `127.0.0.1:5000`, `docker.io`),
-- lower case. password: sealed by EnvCipher ({"password": ...}), bound to host and username; never
-- returned by any API.
CREATE TABLE control_registries (
  host        text PRIMARY KEY,
  username    text NOT NULL,
  password    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL
);
