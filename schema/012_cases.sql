-- 012_cases.sql - the ticket is the unit: a case groups the inputs of one
-- ticket (a bundle, the customer's pastes, a node's sosreport), and the
-- rules' findings belong to the case, not to one input.
--
-- Facts stay per input (bundles, with provenance, as before). The rules run
-- on the union of a case's inputs, with the node names of all of them made
-- one (node_aliases: a Kubernetes node name, its hostname, FQDN or short
-- name, a prompt's host, a sosreport's hostname), and the case's findings
-- replace its earlier findings in one transaction. A bundle seen twice (zip
-- and tar.gz, or unpacked) has one content_id; the copy is marked dup_of
-- and read once. A finding's id is permanent for its identity (case, rule,
-- node, subject: finding_ids), so `lhtriage explain ID` in a pasted report
-- keeps working after re-scans.

CREATE TABLE cases (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,   -- 'dir:<folder>', 'ticket:<name>', 'input:<path>'
    name         TEXT NOT NULL,          -- as shown: folder name, --ticket NAME, or the input as typed
    path         TEXT,                   -- the ticket folder as typed, or NULL
    stale        INTEGER NOT NULL DEFAULT 1,  -- inputs changed since its findings were made
    rules_digest TEXT,                   -- of the ruleset that made its findings
    evaluated_at TEXT
);

ALTER TABLE bundles ADD COLUMN case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL;
ALTER TABLE bundles ADD COLUMN typed TEXT;        -- the input as the user typed it (relative)
ALTER TABLE bundles ADD COLUMN content_id TEXT;   -- equal for the same content in any container
ALTER TABLE bundles ADD COLUMN dup_of INTEGER REFERENCES bundles(id) ON DELETE SET NULL;
ALTER TABLE bundles ADD COLUMN host TEXT;         -- node its node-less facts belong to, in its case
CREATE INDEX bundles_case ON bundles (case_id);
CREATE INDEX bundles_content ON bundles (content_id);
CREATE INDEX bundles_dup ON bundles (dup_of);

-- Every input scanned before cases existed is a case of its own.
INSERT INTO cases (key, name, stale) SELECT 'input:' || path, name, 1 FROM bundles;
UPDATE bundles SET case_id = (SELECT c.id FROM cases c WHERE c.key = 'input:' || bundles.path);

-- Which names one node goes by in a case, and how that was learnt.
CREATE TABLE node_aliases (
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    alias   TEXT NOT NULL,
    node    TEXT NOT NULL,               -- the name the case's findings use
    source  TEXT NOT NULL,               -- 'kubernetes node', 'hostname fact', 'short name', ...
    PRIMARY KEY (case_id, alias)
);

-- Permanent finding ids: a finding with the same identity gets the same id
-- in every evaluation of its case. Rows are never deleted.
CREATE TABLE finding_ids (
    id       INTEGER PRIMARY KEY,
    case_key TEXT NOT NULL,
    rule_id  TEXT NOT NULL,
    node     TEXT NOT NULL,              -- '' when none
    subject  TEXT NOT NULL,              -- 'pid 123315', or '' for a node or case finding
    UNIQUE (case_key, rule_id, node, subject)
);

-- Findings and their evidence move from bundles to cases. (Renamed first:
-- with foreign keys on, dropping a parent table would delete its children.)
DROP VIEW v_findings;
DROP VIEW v_finding_evidence;
DROP INDEX findings_bundle;
DROP INDEX finding_evidence_member;
ALTER TABLE findings RENAME TO findings_old;
ALTER TABLE finding_evidence RENAME TO finding_evidence_old;

CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,     -- = finding_ids.id
    bundle_id   INTEGER REFERENCES bundles(id) ON DELETE SET NULL,  -- input of its first evidence
    rule_id     TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    confidence  TEXT NOT NULL,
    node        TEXT,
    pid         INTEGER,
    pids        TEXT,
    title       TEXT NOT NULL,
    remediation TEXT,
    next_steps  TEXT,
    refs        TEXT,
    case_id     INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    subject     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX findings_case ON findings (case_id);
CREATE INDEX findings_bundle ON findings (bundle_id);

CREATE TABLE finding_evidence (
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    signal     TEXT NOT NULL,
    fact       TEXT NOT NULL,
    member_id  INTEGER REFERENCES members(id) ON DELETE CASCADE,
    node       TEXT,
    line       INTEGER,
    text       TEXT,
    matched    TEXT,
    captures   TEXT,
    role       TEXT NOT NULL CHECK (role IN ('required', 'supporting')),
    PRIMARY KEY (finding_id, seq)
);
CREATE INDEX finding_evidence_member ON finding_evidence (member_id);

INSERT OR IGNORE INTO finding_ids (id, case_key, rule_id, node, subject)
SELECT f.id, 'input:' || b.path, f.rule_id, coalesce(f.node, ''),
       CASE WHEN f.pid IS NULL OR instr(coalesce(f.pids, ''), ' ') > 0 THEN '' ELSE 'pid ' || f.pid END
FROM findings_old f JOIN bundles b ON b.id = f.bundle_id;
INSERT INTO findings (id, bundle_id, rule_id, severity, confidence, node, pid, pids, title,
                      remediation, next_steps, refs, case_id, subject)
SELECT f.id, f.bundle_id, f.rule_id, f.severity, f.confidence, f.node, f.pid, f.pids, f.title,
       f.remediation, f.next_steps, f.refs, b.case_id,
       CASE WHEN f.pid IS NULL OR instr(coalesce(f.pids, ''), ' ') > 0 THEN '' ELSE 'pid ' || f.pid END
FROM findings_old f JOIN bundles b ON b.id = f.bundle_id;
INSERT INTO finding_evidence SELECT * FROM finding_evidence_old;
DROP TABLE finding_evidence_old;
DROP TABLE findings_old;

-- Stable views: the earlier columns first, in their order; new ones at the
-- end (see 004). case_node is the node as the case's findings name it.

CREATE VIEW v_cases AS
SELECT c.id AS case_id, c.name, c.path,
       (SELECT count(*) FROM bundles b WHERE b.case_id = c.id) AS inputs,
       (SELECT count(*) FROM bundles b WHERE b.case_id = c.id AND b.dup_of IS NOT NULL) AS duplicates,
       (SELECT count(*) FROM findings f WHERE f.case_id = c.id) AS findings,
       c.evaluated_at, c.key
FROM cases c;

CREATE VIEW v_node_aliases AS
SELECT a.case_id, c.name AS case_name, a.alias, a.node, a.source
FROM node_aliases a JOIN cases c ON c.id = a.case_id;

DROP VIEW v_bundles;
CREATE VIEW v_bundles AS
SELECT b.id AS bundle_id, b.name, b.path, b.sha256, b.status, b.error, b.scanned_at,
       b.created_at,
       b.case_id, c.name AS case_name, b.typed, b.content_id, b.dup_of AS duplicate_of, b.host
FROM bundles b LEFT JOIN cases c ON c.id = b.case_id;

DROP VIEW v_processes;
CREATE VIEW v_processes AS
SELECT b.name AS bundle, p.node, p.pid, p.user, p.stat, p.command,
       m.path AS member, p.line,
       p.bundle_id,
       b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = p.node),
                p.node, b.host) AS case_node
FROM processes p JOIN bundles b ON b.id = p.bundle_id JOIN members m ON m.id = p.member_id;

DROP VIEW v_stacks;
CREATE VIEW v_stacks AS
SELECT b.name AS bundle, s.node, s.pid, f.depth, f.symbol, f.module,
       m.path AS member, f.line, s.origin, s.id AS stack_id,
       s.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = s.node),
                s.node, b.host) AS case_node
FROM stack_frames f JOIN stacks s ON s.id = f.stack_id
JOIN bundles b ON b.id = s.bundle_id JOIN members m ON m.id = s.member_id;

DROP VIEW v_mounts;
CREATE VIEW v_mounts AS
SELECT b.name AS bundle, t.node, t.source, t.target, t.fstype, t.nfs_vers, t.options,
       m.path AS member, t.line, t.origin,
       t.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = t.node),
                t.node, b.host) AS case_node
FROM mounts t JOIN bundles b ON b.id = t.bundle_id JOIN members m ON m.id = t.member_id;

DROP VIEW v_hung_tasks;
CREATE VIEW v_hung_tasks AS
SELECT b.name AS bundle, h.node, h.task, h.pid, h.blocked_seconds,
       m.path AS member, h.line, h.logged_at, h.stack_id,
       h.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = h.node),
                h.node, b.host) AS case_node
FROM hung_tasks h JOIN bundles b ON b.id = h.bundle_id JOIN members m ON m.id = h.member_id;

DROP VIEW v_kernel_events;
CREATE VIEW v_kernel_events AS
SELECT b.name AS bundle, k.node, k.kind, k.server, k.logged_at, k.text,
       m.path AS member, k.line,
       k.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = k.node),
                k.node, b.host) AS case_node
FROM kernel_events k JOIN bundles b ON b.id = k.bundle_id JOIN members m ON m.id = k.member_id;

-- A bundle-wide fact (node NULL) stays bundle-wide: only an input that is
-- one host (bundles.host) lends its node to node-less facts.
DROP VIEW v_facts;
CREATE VIEW v_facts AS
SELECT b.name AS bundle, f.node, f.key, f.value, m.path AS member, f.line,
       f.bundle_id,
       b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = f.node),
                f.node, b.host) AS case_node
FROM kv_facts f JOIN bundles b ON b.id = f.bundle_id JOIN members m ON m.id = f.member_id;

DROP VIEW v_k8s;
CREATE VIEW v_k8s AS
SELECT b.name AS bundle, o.kind, o.namespace, o.name, f.path, f.value,
       m.path AS member, f.line,
       o.bundle_id, b.case_id
FROM k8s_fields f JOIN k8s_objects o ON o.id = f.object_id
JOIN bundles b ON b.id = o.bundle_id JOIN members m ON m.id = o.member_id;

DROP VIEW v_evidence;
CREATE VIEW v_evidence AS
SELECT b.name AS bundle, e.kind, e.node, count(*) AS pieces, sum(e.records) AS records,
       e.bundle_id,
       b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = e.node),
                e.node, b.host) AS case_node
FROM evidence e JOIN bundles b ON b.id = e.bundle_id
GROUP BY b.case_id, e.bundle_id, e.kind, e.node;   -- case_id first: a WHERE on it reaches the rows

DROP VIEW v_notes;
CREATE VIEW v_notes AS
SELECT b.name AS bundle, n.node, m.path AS member, n.line, n.message,
       n.bundle_id,
       b.case_id
FROM notes n JOIN bundles b ON b.id = n.bundle_id LEFT JOIN members m ON m.id = n.member_id;

DROP VIEW v_members;
CREATE VIEW v_members AS
SELECT b.name AS bundle, m.path AS member, m.node, m.kind, m.size, m.status, m.note,
       m.bundle_id,
       b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = m.node),
                m.node, b.host) AS case_node
FROM members m JOIN bundles b ON b.id = m.bundle_id;

DROP VIEW v_open_files;
CREATE VIEW v_open_files AS
SELECT b.name AS bundle, o.node, o.pid, o.command, o.fd, o.type, o.flags, o.name,
       m.path AS member, o.line,
       o.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = o.node),
                o.node, b.host) AS case_node
FROM open_files o JOIN bundles b ON b.id = o.bundle_id JOIN members m ON m.id = o.member_id;

-- bundle is the input of the finding's first evidence (NULL once that
-- input is gone); the case is what the finding belongs to.
CREATE VIEW v_findings AS
SELECT f.id AS finding_id, b.name AS bundle, f.node, f.rule_id, f.severity, f.confidence,
       f.pid, f.title, f.pids, f.bundle_id,
       f.remediation, f.next_steps, f.refs,
       CASE f.severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END
           AS severity_rank,
       f.case_id, c.name AS case_name, f.subject
FROM findings f JOIN cases c ON c.id = f.case_id LEFT JOIN bundles b ON b.id = f.bundle_id;

CREATE VIEW v_finding_evidence AS
SELECT e.finding_id, f.rule_id, e.seq, e.signal, e.role, e.fact, e.node,
       m.path AS member, e.line, e.matched, e.text,
       e.captures,
       m.bundle_id, (SELECT coalesce(b.typed, b.path) FROM bundles b WHERE b.id = m.bundle_id) AS input
FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
LEFT JOIN members m ON m.id = e.member_id;
