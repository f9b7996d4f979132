-- 005_open_files.sql - open files from lsof (fact type open_file in
-- analyzer/facts/registry.def): which process holds which file, and how.
CREATE TABLE open_files (
    id        INTEGER PRIMARY KEY,
    bundle_id INTEGER NOT NULL REFERENCES bundles(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    node      TEXT,
    line      INTEGER NOT NULL,
    pid       INTEGER NOT NULL,
    tid       INTEGER,
    command   TEXT,
    user      TEXT,
    fd        TEXT,                 -- cwd, txt, 1w, 3uW ...
    type      TEXT,                 -- REG, DIR, CHR, IPv4 ...
    flags     TEXT,                 -- FILE-FLAG (lsof +fg), e.g. W,AP
    name      TEXT                  -- as printed, NFS files with " (server:/export)"
);
CREATE INDEX open_files_bundle ON open_files (bundle_id, node, pid);
CREATE INDEX open_files_member ON open_files (member_id);

CREATE VIEW v_open_files AS
SELECT b.name AS bundle, o.node, o.pid, o.command, o.fd, o.type, o.flags, o.name,
       m.path AS member, o.line
FROM open_files o JOIN bundles b ON b.id = o.bundle_id JOIN members m ON m.id = o.member_id;
