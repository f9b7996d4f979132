-- 016_kernel_event_repeats.sql - the same kernel message again is folded
-- into the first: an NFS outage logs "nfs: server X not responding, still
-- trying" for every RPC that times out, hundreds of thousands of lines
-- over a long outage, and one row each made memory and the database grow
-- with the outage's length. repeats counts the messages folded in (NULL:
-- none), last_line and last_logged_at say where the last one was (fields
-- repeats, last_line, last_when of fact type klog in
-- analyzer/facts/registry.def).
ALTER TABLE kernel_events ADD COLUMN repeats INTEGER;
ALTER TABLE kernel_events ADD COLUMN last_line INTEGER;
ALTER TABLE kernel_events ADD COLUMN last_logged_at TEXT;

-- The view of 013_kernel_event_outage.sql, with the columns appended.
DROP VIEW v_kernel_events;
CREATE VIEW v_kernel_events AS
SELECT b.name AS bundle, k.node, k.kind, k.server, k.logged_at, k.text,
       m.path AS member, k.line,
       k.bundle_id, b.case_id,
       coalesce((SELECT a.node FROM node_aliases a WHERE a.case_id = b.case_id AND a.alias = k.node),
                k.node, b.host) AS case_node,
       k.outage, k.repeats, k.last_line, k.last_logged_at
FROM kernel_events k JOIN bundles b ON b.id = k.bundle_id JOIN members m ON m.id = k.member_id;
