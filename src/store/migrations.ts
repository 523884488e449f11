/**
 * Numbered migrations, applied in order inside one transaction at start.
 * Never edit a migration that has shipped: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  country TEXT,
  currency TEXT,
  timezone TEXT,
  email TEXT,
  ledger TEXT CHECK (ledger IN ('quickbooks','xero')),
  mode TEXT CHECK (mode IN ('per-transaction','summary')),
  settings_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL
);

-- The one accounting company an org books into (QuickBooks realm or Xero tenant).
CREATE TABLE ledger_connections (
  org_id INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
  provider TEXT NOT NULL CHECK (provider IN ('quickbooks','xero')),
  external_id TEXT NOT NULL,
  name TEXT,
  settings_json TEXT NOT NULL DEFAULT '{}',
  connected_at TEXT NOT NULL
);

-- A sales channel connection: one TikTok shop.
CREATE TABLE integrations (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  external_id TEXT NOT NULL,
  name TEXT NOT NULL,
  region TEXT,
  currency TEXT,
  status TEXT NOT NULL DEFAULT 'active',
  settings_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  UNIQUE (org_id, platform, external_id)
);

-- Role -> ledger account. scope is '' for org-wide roles, 'integration:<id>' for clearing accounts.
CREATE TABLE account_mappings (
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  scope TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL,
  currency TEXT NOT NULL DEFAULT '',
  account_id TEXT NOT NULL,
  account_name TEXT NOT NULL,
  PRIMARY KEY (org_id, scope, role, currency)
);

CREATE TABLE sync_runs (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL DEFAULT 'running',
  since TEXT,
  until TEXT,
  dry_run INTEGER NOT NULL DEFAULT 0,
  summary_json TEXT,
  error TEXT
);

-- What TikTok sent, kept verbatim. status is the "Platform transactions" status.
CREATE TABLE source_records (
  id INTEGER PRIMARY KEY,
  integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  external_id TEXT NOT NULL,
  statement_id TEXT,
  order_id TEXT,
  occurred_at TEXT,
  currency TEXT,
  amount_minor INTEGER,
  raw_json TEXT NOT NULL,
  hash TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'ready',
  error TEXT,
  fetched_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (integration_id, kind, external_id)
);
CREATE INDEX source_records_order ON source_records(order_id);
CREATE INDEX source_records_statement ON source_records(statement_id);

-- Every ledger document synder intends to create or has created.
CREATE TABLE documents (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  integration_id INTEGER REFERENCES integrations(id) ON DELETE CASCADE,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  source_kind TEXT,
  source_id TEXT,
  order_id TEXT,
  statement_id TEXT,
  payment_id TEXT,
  date TEXT NOT NULL,
  currency TEXT NOT NULL,
  body_json TEXT NOT NULL,
  hash TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  ledger_type TEXT,
  ledger_id TEXT,
  ledger_number TEXT,
  ledger_json TEXT,
  error TEXT,
  warnings_json TEXT NOT NULL DEFAULT '[]',
  run_id INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX documents_order ON documents(order_id);
CREATE INDEX documents_statement ON documents(statement_id);
CREATE INDEX documents_status ON documents(org_id, status);

-- Status history for source records and documents.
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  subject_kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  status TEXT NOT NULL,
  message TEXT,
  run_id INTEGER,
  at TEXT NOT NULL
);
CREATE INDEX events_subject ON events(subject_kind, subject_id);

CREATE TABLE bookmarks (
  integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  stream TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (integration_id, stream)
);

CREATE TABLE invites (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  email TEXT NOT NULL,
  state TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'pending',
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  accepted_at TEXT,
  detail_json TEXT NOT NULL DEFAULT '{}'
);

-- Advisory locks (one sync per org). owner identifies host+pid so a dead owner can be detected.
CREATE TABLE locks (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'org and integration settings: "mapping" (TikTok key → role overrides) is now "routing"',
    // json_insert keeps a "routing" already there; json() keeps the moved value an object, not a string.
    sql: `
UPDATE orgs SET settings_json = json_remove(json_insert(settings_json, '$.routing', json(json_extract(settings_json, '$.mapping'))), '$.mapping')
  WHERE json_type(settings_json, '$.mapping') IS NOT NULL;
UPDATE integrations SET settings_json = json_remove(json_insert(settings_json, '$.routing', json(json_extract(settings_json, '$.mapping'))), '$.mapping')
  WHERE json_type(settings_json, '$.mapping') IS NOT NULL;
`,
  },
  {
    version: 3,
    name: 'sync locks are lock files beside the database, like every other lock',
    sql: `DROP TABLE locks;`,
  },
  {
    version: 4,
    name: 'document keys are unique per organization: one shop booked into two orgs keeps two sets of documents',
    // SQLite cannot change a UNIQUE constraint in place: the table is rebuilt, rows and ids kept.
    sql: `
CREATE TABLE documents_v4 (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
  integration_id INTEGER REFERENCES integrations(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  kind TEXT NOT NULL,
  source_kind TEXT,
  source_id TEXT,
  order_id TEXT,
  statement_id TEXT,
  payment_id TEXT,
  date TEXT NOT NULL,
  currency TEXT NOT NULL,
  body_json TEXT NOT NULL,
  hash TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  ledger_type TEXT,
  ledger_id TEXT,
  ledger_number TEXT,
  ledger_json TEXT,
  error TEXT,
  warnings_json TEXT NOT NULL DEFAULT '[]',
  run_id INTEGER REFERENCES sync_runs(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (org_id, key)
);
INSERT INTO documents_v4 SELECT id, org_id, integration_id, key, kind, source_kind, source_id, order_id, statement_id, payment_id, date, currency,
  body_json, hash, status, ledger_type, ledger_id, ledger_number, ledger_json, error, warnings_json, run_id, created_at, updated_at FROM documents;
DROP TABLE documents;
ALTER TABLE documents_v4 RENAME TO documents;
CREATE INDEX documents_order ON documents(org_id, order_id);
CREATE INDEX documents_statement ON documents(org_id, statement_id);
CREATE INDEX documents_status ON documents(org_id, status);
CREATE INDEX events_org_subject ON events(org_id, subject_kind, subject_id);
`,
  },
];

export const latestSchemaVersion = migrations[migrations.length - 1]!.version;
