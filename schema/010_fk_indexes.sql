-- 010_fk_indexes.sql - an index on every foreign-key child column.
--
-- Re-scanning a bundle deletes its rows, and ON DELETE CASCADE then looks
-- up every child table by the parent's id: without an index on the child
-- column that is a scan of the whole table, so one re-scan in a database
-- of thousands of bundles cost as much as all of them. check_store fails
-- when a foreign key has no index that starts with its column.
CREATE INDEX evidence_bundle ON evidence (bundle_id);
CREATE INDEX evidence_member ON evidence (member_id);
CREATE INDEX processes_member ON processes (member_id);
CREATE INDEX stacks_member ON stacks (member_id);
CREATE INDEX mounts_bundle ON mounts (bundle_id);
CREATE INDEX mounts_member ON mounts (member_id);
CREATE INDEX hung_tasks_bundle ON hung_tasks (bundle_id);
CREATE INDEX hung_tasks_member ON hung_tasks (member_id);
CREATE INDEX hung_tasks_stack ON hung_tasks (stack_id);
CREATE INDEX kernel_events_bundle ON kernel_events (bundle_id);
CREATE INDEX kernel_events_member ON kernel_events (member_id);
CREATE INDEX kv_facts_member ON kv_facts (member_id);
CREATE INDEX k8s_objects_bundle ON k8s_objects (bundle_id);
CREATE INDEX k8s_objects_member ON k8s_objects (member_id);
CREATE INDEX notes_bundle ON notes (bundle_id);
CREATE INDEX notes_member ON notes (member_id);
CREATE INDEX finding_evidence_member ON finding_evidence (member_id);
