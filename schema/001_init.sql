-- 001_init.sql - facts extracted from support bundles.
--
-- One row in bundles per scanned input; everything else hangs off it with
-- ON DELETE CASCADE, so re-scanning a bundle replaces its facts in one
-- transaction. Every fact keeps its provenance: the member it came from
-- (members.path, nested archives joined with '!') and the line in it.
-- Tables are the storage; the v_* views are the stable interface for
-- users and scripts (see README.md).

CREATE TABLE bundles (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,            -- supportbundle_<uuid>_<ts> or file name
    path         TEXT NOT NULL UNIQUE,     -- input as given on the command line (absolute)
    sha256       TEXT,                     -- of the input file; NULL for folders
    size         INTEGER,
    mtime        INTEGER,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'failed')),
    error        TEXT,                     -- why partial/failed
    created_at   TEXT,                     -- bundle creation time (metadata.yaml or name)
    scanned_at   TEXT NOT NULL,
    tool_version TEXT NOT NULL
);

CREATE TABLE members (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    path      TEXT NOT NULL,
    node      TEXT,
    kind      TEXT NOT NULL,                -- evidence kind (ps, stack, kernel_log, ...)
    size      INTEGER,
    status    TEXT NOT NULL,                -- parsed, skipped, truncated, error
    note      TEXT,
    UNIQUE (bundle_id, path)
);

-- A parsed piece of evidence: a whole member, or one command section of
-- a pasted transcript. Says what was checked, and how much of it.
CREATE TABLE evidence (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    command   TEXT,                         -- shell command of a transcript section
    records   INTEGER NOT NULL
);

CREATE TABLE processes (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER NOT NULL,
    pid       INTEGER NOT NULL,
    ppid      INTEGER,
    tid       INTEGER,
    user      TEXT,
    stat      TEXT,
    wchan     TEXT,
    command   TEXT
);
CREATE INDEX processes_pid ON processes (bundle_id, node, pid);

CREATE TABLE stacks (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER NOT NULL,
    pid       INTEGER,
    comm      TEXT,
    origin    TEXT NOT NULL CHECK (origin IN ('proc', 'hung_task', 'other'))
);
CREATE INDEX stacks_pid ON stacks (bundle_id, node, pid);

CREATE TABLE stack_frames (
    stack_id  INTEGER NOT NULL REFERENCES stacks(id) ON DELETE CASCADE,
    depth     INTEGER NOT NULL,             -- 0 = innermost (top of the printed trace)
    symbol    TEXT NOT NULL,
    offset    TEXT,
    module    TEXT,
    uncertain INTEGER NOT NULL DEFAULT 0,   -- "? " frame
    line      INTEGER NOT NULL,
    PRIMARY KEY (stack_id, depth)
);

CREATE TABLE mounts (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER NOT NULL,
    origin    TEXT NOT NULL,                -- proc_mounts, mount, mountinfo, nfsstat, findmnt
    source    TEXT,
    target    TEXT,
    fstype    TEXT,
    options   TEXT,
    nfs_vers  TEXT
);

-- Mount options split at commas: key "vers", value "4.1"; flags have value NULL.
CREATE TABLE mount_options (
    mount_id  INTEGER NOT NULL REFERENCES mounts(id) ON DELETE CASCADE,
    pos       INTEGER NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT,
    PRIMARY KEY (mount_id, pos)
);

CREATE TABLE hung_tasks (
    id              INTEGER PRIMARY KEY,
    bundle_id       INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id       INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node            TEXT,
    line            INTEGER NOT NULL,
    task            TEXT,
    pid             INTEGER,
    blocked_seconds INTEGER,
    logged_at       TEXT,
    stack_id        INTEGER REFERENCES stacks(id) ON DELETE SET NULL
);

CREATE TABLE kernel_events (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    server    TEXT,
    logged_at TEXT,
    text      TEXT
);

-- Key/value facts: node NULL = about the bundle (longhorn_version,
-- kubernetes_version, created_at), else about that node (kernel_release, os).
CREATE TABLE kv_facts (
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER NOT NULL,
    key       TEXT NOT NULL,
    value     TEXT
);
CREATE INDEX kv_facts_key ON kv_facts (bundle_id, key);

CREATE TABLE k8s_objects (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    line      INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    namespace TEXT,
    name      TEXT
);

CREATE TABLE k8s_fields (
    object_id INTEGER NOT NULL REFERENCES k8s_objects(id) ON DELETE CASCADE,
    path      TEXT NOT NULL,
    value     TEXT,
    line      INTEGER NOT NULL
);
CREATE INDEX k8s_fields_obj ON k8s_fields (object_id, path);

-- Lines or members that could not be read or parsed; the scan went on.
CREATE TABLE notes (
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER,
    message   TEXT NOT NULL
);

-- Stable views ----------------------------------------------------------

CREATE VIEW v_bundles AS
SELECT id AS bundle_id, name, path, sha256, status, error, scanned_at
FROM bundles;

CREATE VIEW v_processes AS
SELECT b.name AS bundle, p.node, p.pid, p.user, p.stat, p.command,
       m.path AS member, p.line
FROM processes p JOIN bundles b ON b.id = p.bundle_id JOIN members m ON m.id = p.member_id;

CREATE VIEW v_stacks AS
SELECT b.name AS bundle, s.node, s.pid, f.depth, f.symbol, f.module,
       m.path AS member, f.line, s.origin, s.id AS stack_id
FROM stack_frames f JOIN stacks s ON s.id = f.stack_id
JOIN bundles b ON b.id = s.bundle_id JOIN members m ON m.id = s.member_id;

CREATE VIEW v_mounts AS
SELECT b.name AS bundle, t.node, t.source, t.target, t.fstype, t.nfs_vers, t.options,
       m.path AS member, t.line, t.origin
FROM mounts t JOIN bundles b ON b.id = t.bundle_id JOIN members m ON m.id = t.member_id;

CREATE VIEW v_hung_tasks AS
SELECT b.name AS bundle, h.node, h.task, h.pid, h.blocked_seconds,
       m.path AS member, h.line, h.logged_at, h.stack_id
FROM hung_tasks h JOIN bundles b ON b.id = h.bundle_id JOIN members m ON m.id = h.member_id;

CREATE VIEW v_kernel_events AS
SELECT b.name AS bundle, k.node, k.kind, k.server, k.logged_at, k.text,
       m.path AS member, k.line
FROM kernel_events k JOIN bundles b ON b.id = k.bundle_id JOIN members m ON m.id = k.member_id;

CREATE VIEW v_facts AS
SELECT b.name AS bundle, f.node, f.key, f.value, m.path AS member, f.line
FROM kv_facts f JOIN bundles b ON b.id = f.bundle_id JOIN members m ON m.id = f.member_id;

CREATE VIEW v_k8s AS
SELECT b.name AS bundle, o.kind, o.namespace, o.name, f.path, f.value,
       m.path AS member, f.line
FROM k8s_fields f JOIN k8s_objects o ON o.id = f.object_id
JOIN bundles b ON b.id = o.bundle_id JOIN members m ON m.id = o.member_id;

-- What each bundle holds, by evidence kind: a report can say what was
-- checked and what is missing.
CREATE VIEW v_evidence AS
SELECT b.name AS bundle, e.kind, e.node, count(*) AS pieces, sum(e.records) AS records
FROM evidence e JOIN bundles b ON b.id = e.bundle_id
GROUP BY b.id, e.kind, e.node;

CREATE VIEW v_notes AS
SELECT b.name AS bundle, n.node, m.path AS member, n.line, n.message
FROM notes n JOIN bundles b ON b.id = n.bundle_id LEFT JOIN members m ON m.id = n.member_id;
