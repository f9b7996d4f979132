-- 011_redact_key.sql - the secret behind `lhtriage report --redact`.
--
-- Redaction tokens are HMAC-SHA256 under this key (analyzer/report/redact.h):
-- stable across every report made from this database, and not to be
-- reversed by hashing guessed host names, as an unkeyed hash could be.
-- 32 random bytes, made once when the database is created or migrated;
-- SQLite's randomblob() draws on the operating system's randomness
-- (https://www.sqlite.org/lang_corefunc.html#randomblob). `lhtriage merge`
-- does not copy it: a merged database has its own key.

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

INSERT INTO secrets (name, value) VALUES ('redact_key', randomblob(32));
