import type { Database } from 'better-sqlite3';

/**
 * The schema, as an ordered list of migrations: migration `i` takes `PRAGMA user_version` from `i` to
 * `i + 1`. Append only — never edit a released migration, since files in the field already ran it.
 *
 * Times are epoch milliseconds (INTEGER). JSON columns hold text.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE callbacks (
    id              TEXT PRIMARY KEY,
    endpoint        TEXT NOT NULL,
    suite_id        TEXT NOT NULL,
    receive_id      TEXT NOT NULL,
    received_at     INTEGER NOT NULL,
    plaintext       TEXT NOT NULL,
    fields_json     TEXT NOT NULL,
    type            TEXT NOT NULL,
    corp_id         TEXT,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_error      TEXT,
    event_json      TEXT,
    processed_at    INTEGER
  );
  CREATE INDEX callbacks_claim ON callbacks (state, next_attempt_at);
  CREATE INDEX callbacks_received ON callbacks (received_at);
  CREATE INDEX callbacks_type ON callbacks (type, received_at);

  CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES callbacks (id),
    target          TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    replays         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_status     INTEGER,
    last_response   TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    delivered_at    INTEGER
  );
  CREATE INDEX deliveries_claim ON deliveries (target, state, next_attempt_at);
  CREATE INDEX deliveries_state ON deliveries (state, created_at);
  CREATE INDEX deliveries_event ON deliveries (event_id);
  CREATE INDEX deliveries_created ON deliveries (created_at);

  CREATE TABLE kv (
    ns          TEXT NOT NULL,
    key         TEXT NOT NULL,
    value_json  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    PRIMARY KEY (ns, key)
  );
  CREATE INDEX kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE locks (
    key         TEXT PRIMARY KEY,
    token       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
  );

  -- One row per send recorded by takeRateSlot; 'until' (at + interval) lets prune() drop stale rows.
  CREATE TABLE rate_slots (
    key    TEXT NOT NULL,
    at     INTEGER NOT NULL,
    until  INTEGER NOT NULL
  );
  CREATE INDEX rate_slots_key ON rate_slots (key, at);
  CREATE INDEX rate_slots_until ON rate_slots (until);
  `,
  // 2: the attempts log — one row per recorded outcome, the last N per delivery kept (attempt-log.ts).
  // Keyed by the delivery's created_at first: the deliveries one batch records were mostly created
  // together (claims take the oldest due first), so their rows land on a few pages, not one page each.
  // A file of version 1 gains the empty table: its deliveries have no log (the console shows the last attempt).
  `
  CREATE TABLE delivery_attempts (
    created_at   INTEGER NOT NULL,
    delivery_id  TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    replay       INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    state        TEXT NOT NULL,
    counted      INTEGER NOT NULL,
    status       INTEGER,
    duration_ms  INTEGER,
    response     TEXT,
    error        TEXT,
    PRIMARY KEY (created_at, delivery_id, seq)
  ) WITHOUT ROWID;
  -- The number of the delivery's last logged attempt (so appending needs no look-up of the log).
  ALTER TABLE deliveries ADD COLUMN attempt_seq INTEGER NOT NULL DEFAULT 0;
  `,
  // 3: reconciliation snapshots (SPEC §12): one row per (set, id); see sqlite-id-sets.ts.
  `
  CREATE TABLE id_sets (
    set_key  TEXT NOT NULL,
    id       TEXT NOT NULL,
    PRIMARY KEY (set_key, id)
  ) WITHOUT ROWID;
  `,
];

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the schema up to {@link SCHEMA_VERSION}. Each migration runs in its own IMMEDIATE transaction
 * that re-reads `user_version` first, so two processes opening a fresh file at once migrate it once.
 * Throws when the file was written by a newer version of this code.
 */
export function migrate(db: Database): void {
  const read = (): number => db.pragma('user_version', { simple: true }) as number;
  if (read() > SCHEMA_VERSION) {
    throw new Error(`the database schema (version ${read()}) is newer than this wecom-relay understands (${SCHEMA_VERSION})`);
  }
  const step = db.transaction(() => {
    const version = read();
    const sql = MIGRATIONS[version];
    if (sql === undefined) return false;
    db.exec(sql);
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (read() < SCHEMA_VERSION) {
    if (!step.immediate()) break;
  }
}

/**
 * Checks, without writing, that a read-only connection sees the current schema.
 * Throws when the file is missing tables or was migrated by another version.
 */
export function checkSchema(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== SCHEMA_VERSION) {
    throw new Error(`the database schema is at version ${version}, expected ${SCHEMA_VERSION}`);
  }
}
