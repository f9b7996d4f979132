-- 015_fleet_views.sql - what the fleet report (`lhtriage report` over many
-- cases) reads: one row per case, and one per finding with the setting it
-- fired in (Longhorn version, the node's kernel, its NFS versions), so the
-- summary is a GROUP BY whatever the size of the database.
--
-- A case's time is its inputs' earliest creation time, else their latest
-- scan; its Longhorn version is the first input's (in the order the
-- report lists inputs) that states one, read from its first line.

CREATE VIEW v_case_summary AS
SELECT c.id AS case_id, c.name,
       (SELECT count(*) FROM bundles b WHERE b.case_id = c.id) AS inputs,
       coalesce((SELECT min(nullif(b.created_at, '')) FROM bundles b WHERE b.case_id = c.id),
                (SELECT max(b.scanned_at) FROM bundles b WHERE b.case_id = c.id)) AS seen_at,
       (SELECT f.value FROM bundles b JOIN kv_facts f ON f.bundle_id = b.id JOIN members m ON m.id = f.member_id
        WHERE b.case_id = c.id AND b.dup_of IS NULL AND f.node IS NULL AND f.key = 'longhorn_version'
        ORDER BY coalesce(b.typed, b.path), b.id, f.line, m.path, f.value LIMIT 1) AS longhorn_version,
       (SELECT count(*) FROM findings f WHERE f.case_id = c.id) AS findings,
       (SELECT max(CASE f.severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END)
        FROM findings f WHERE f.case_id = c.id) AS worst_rank
FROM cases c;

-- kernel_release: of the finding's node (NULL for a case-wide finding);
-- nfs_vers: the NFS versions mounted there (the whole case's for a
-- case-wide finding), distinct, sorted, space separated.
CREATE VIEW v_fleet_findings AS
SELECT f.id AS finding_id, f.case_id, f.rule_id, f.severity,
       CASE f.severity WHEN 'critical' THEN 4 WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END
           AS severity_rank,
       f.node, s.longhorn_version,
       (SELECT k.value FROM v_facts k WHERE k.case_id = f.case_id AND k.case_node = f.node
        AND k.key = 'kernel_release' ORDER BY k.line, k.member, k.value LIMIT 1) AS kernel_release,
       (SELECT group_concat(v, ' ') FROM
           (SELECT DISTINCT t.nfs_vers AS v FROM v_mounts t
            WHERE t.case_id = f.case_id AND t.nfs_vers IS NOT NULL AND (f.node IS NULL OR t.case_node = f.node)
            ORDER BY 1)) AS nfs_vers,
       s.seen_at, s.name AS case_name
FROM findings f JOIN v_case_summary s ON s.case_id = f.case_id;
