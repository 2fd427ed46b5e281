-- control-api V2: a revision keeps the files its stack file reads (configs/secrets with `file:`),
-- encrypted like env, and the image tags a webhook set; each stack may have a webhook secret.

ALTER TABLE control_stack_revisions
  ADD COLUMN files       text,                          -- EnvCipher-sealed {path: text}; NULL = none
  ADD COLUMN image_tags  jsonb NOT NULL DEFAULT '{}';   -- {service key: tag} over the file's images

-- The HMAC-SHA256 key of POST /api/v1/hooks/stacks/{name}, sealed by EnvCipher; rotating replaces it.
CREATE TABLE control_stack_hooks (
  stack       text PRIMARY KEY REFERENCES control_stacks (name),
  secret      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL
);
