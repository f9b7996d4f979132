-- 004_report_views.sql - the views carry everything the report shows.
--
-- The report reads the database only through the v_* views, the same
-- stable interface users and scripts query, so the views gain the columns
-- it needs. Columns are only ever appended: each view is recreated with
-- its earlier columns first, in their earlier order, so `SELECT *` users
-- and positional readers keep working.
--
-- severity_rank (critical 4, error 3, warning 2, info 1) is the one place
-- findings are ranked; the report and the named queries order by it.

DROP VIEW v_bundles;
CREATE VIEW v_bundles AS
SELECT id AS bundle_id, name, path, sha256, status, error, scanned_at,
       created_at
FROM bundles;

DROP VIEW v_processes;
CREATE VIEW v_processes AS
SELECT b.name AS bundle, p.node, p.pid, p.user, p.stat, p.command,
       m.path AS member, p.line,
       p.bundle_id
FROM processes p JOIN bundles b ON b.id = p.bundle_id JOIN members m ON m.id = p.member_id;

DROP VIEW v_facts;
CREATE VIEW v_facts AS
SELECT b.name AS bundle, f.node, f.key, f.value, m.path AS member, f.line,
       f.bundle_id
FROM kv_facts f JOIN bundles b ON b.id = f.bundle_id JOIN members m ON m.id = f.member_id;

DROP VIEW v_evidence;
CREATE VIEW v_evidence AS
SELECT b.name AS bundle, e.kind, e.node, count(*) AS pieces, sum(e.records) AS records,
       e.bundle_id
FROM evidence e JOIN bundles b ON b.id = e.bundle_id
GROUP BY e.bundle_id, e.kind, e.node;

DROP VIEW v_notes;
CREATE VIEW v_notes AS
SELECT b.name AS bundle, n.node, m.path AS member, n.line, n.message,
       n.bundle_id
FROM notes n JOIN bundles b ON b.id = n.bundle_id LEFT JOIN members m ON m.id = n.member_id;

DROP VIEW v_findings;
CREATE VIEW v_findings AS
SELECT f.id AS finding_id, b.name AS bundle, f.node, f.rule_id, f.severity, f.confidence,
       f.pid, f.title, f.pids, f.bundle_id,
       f.remediation, f.next_steps, f.refs,
       CASE f.severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END
           AS severity_rank
FROM findings f JOIN bundles b ON b.id = f.bundle_id;

DROP VIEW v_finding_evidence;
CREATE VIEW v_finding_evidence AS
SELECT e.finding_id, f.rule_id, e.seq, e.signal, e.role, e.fact, e.node,
       m.path AS member, e.line, e.matched, e.text,
       e.captures
FROM finding_evidence e JOIN findings f ON f.id = e.finding_id
LEFT JOIN members m ON m.id = e.member_id;

-- Every member read, parsed or not: a node whose zip held only skipped
-- logs is still a node of the bundle.
CREATE VIEW v_members AS
SELECT b.name AS bundle, m.path AS member, m.node, m.kind, m.size, m.status, m.note,
       m.bundle_id
FROM members m JOIN bundles b ON b.id = m.bundle_id;
