-- control-api: stacks with every stack.yml revision, deployments with their timeline, audit log.

CREATE TABLE control_stacks (
  name        text PRIMARY KEY,
  created_at  timestamptz NOT NULL DEFAULT now(),
  removed_at  timestamptz
);

-- env holds the interpolation variables, encrypted (AES-256-GCM, see EnvCipher): never plain text.
CREATE TABLE control_stack_revisions (
  stack       text NOT NULL REFERENCES control_stacks (name),
  revision    integer NOT NULL CHECK (revision > 0),
  stack_file  text NOT NULL,
  env         text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text NOT NULL,
  PRIMARY KEY (stack, revision)
);

CREATE TABLE control_deployments (
  id            uuid PRIMARY KEY,
  stack         text NOT NULL REFERENCES control_stacks (name),
  revision      integer,
  kind          text NOT NULL,
  trigger       text NOT NULL,
  state         text NOT NULL,
  requested_by  text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX control_deployments_by_stack ON control_deployments (stack, created_at DESC);

CREATE TABLE control_deployment_events (
  deployment  uuid NOT NULL REFERENCES control_deployments (id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  state       text NOT NULL,
  message     text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}',
  PRIMARY KEY (deployment, seq)
);

CREATE TABLE control_audit (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  action  text NOT NULL,
  target  text NOT NULL,
  result  text NOT NULL,
  detail  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX control_audit_by_time ON control_audit (at DESC);
