-- 002_findings.sql - findings of the signature rules and their evidence.
--
-- A finding is one rule firing on one subject of a bundle (a process, a
-- node or the bundle) at a confidence level; its evidence rows cite the
-- facts that made each signal true, with member, line and the matched text.

ALTER TABLE bundles ADD COLUMN rules_digest TEXT;   -- sha256 of the rule files used

CREATE TABLE findings (
    id          INTEGER PRIMARY KEY,
    bundle_id   INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    rule_id     TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error', 'critical')),
    confidence  TEXT NOT NULL,
    node        TEXT,
    pid         INTEGER,                -- subject pid; NULL for node/bundle findings
    pids        TEXT,                   -- every pid the finding names, space separated
    title       TEXT NOT NULL,
    remediation TEXT,
    next_steps  TEXT
);
CREATE INDEX findings_bundle ON findings (bundle_id);

CREATE TABLE finding_evidence (
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    signal     TEXT NOT NULL,
    fact       TEXT NOT NULL,            -- process, stack, mount, hung_task, kernel_event, kv, k8s
    member_id  INTEGER REFERENCES members(id) ON DELETE CASCADE,
    node       TEXT,
    line       INTEGER,
    text       TEXT,                     -- the fact as text
    matched    TEXT,                     -- what the pattern matched
    captures   TEXT,                     -- named groups: "name=value; ..."
    role       TEXT NOT NULL CHECK (role IN ('required', 'supporting')),
    PRIMARY KEY (finding_id, seq)
);

CREATE VIEW v_findings AS
SELECT f.id AS finding_id, b.name AS bundle, f.node, f.rule_id, f.severity, f.confidence,
       f.pid, f.title, f.pids, f.bundle_id
FROM findings f JOIN bundles b ON b.id = f.bundle_id;

CREATE VIEW v_finding_evidence AS
SELECT e.finding_id, f.rule_id, e.seq, e.signal, e.role, e.fact, e.node,
       m.path AS member, e.line, e.matched, e.text
FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
LEFT JOIN members m ON m.id = e.member_id;
