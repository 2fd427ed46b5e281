-- control-api V3: webhook deliveries are remembered so a captured request cannot be replayed, and a
-- hook may redeploy only for pushes to one branch.

-- A delivery id (X-Fluxer-Delivery, X-GitHub-Delivery, X-Gitlab-Event-UUID) accepted for a stack; a
-- repeat answers 409. Rows older than control.hook_delivery_retention are pruned as hooks are called.
CREATE TABLE control_hook_deliveries (
  stack     text NOT NULL,
  delivery  text NOT NULL,
  seen_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stack, delivery)
);
CREATE INDEX control_hook_deliveries_seen_at ON control_hook_deliveries (seen_at);

-- GitHub and GitLab pushes redeploy only when their `ref` is this one (e.g. refs/heads/main); NULL = any.
ALTER TABLE control_stack_hooks ADD COLUMN ref text;
