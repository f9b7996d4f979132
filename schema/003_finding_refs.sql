-- 003_finding_refs.sql - keep a finding's references with it, so a report
-- needs only the database, not the rule files of the day of the scan.
ALTER TABLE findings ADD COLUMN refs TEXT;   -- URLs, one per line
