-- 013_kernel_event_outage.sql - whether an NFS server outage the kernel
-- logged ("nfs: server X not responding, still trying" / "... timed out")
-- was over by the end of the log: "recovered" when "nfs: server X OK"
-- follows it, "ongoing" when nothing does (field outage of fact type klog
-- in analyzer/facts/registry.def). A recovered outage explains nothing
-- about a task stuck today; an ongoing one explains a lot.
ALTER TABLE kernel_events ADD COLUMN outage TEXT;

-- The view of 012_cases.sql, with the column appended.
DROP VIEW v_kernel_events;
CREATE VIEW v_kernel_events AS
SELECT b.name AS bundle, k.node, k.kind, k.server, k.logged_at, k.text,
       m.path AS member, k.line,
       k.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = k.node),
                k.node, b.host) AS case_node,
       k.outage
FROM kernel_events k JOIN bundles b ON b.id = k.bundle_id JOIN members m ON m.id = k.member_id;
