/*
 * schema.h - the migrations of schema/NNN_*.sql, embedded at build time
 * by cmake/embed_schema.cmake (schema_sql.c is generated).
 */
#ifndef LHT_SCHEMA_H
#define LHT_SCHEMA_H

struct lht_migration {
    int version;       /* NNN of the file name; PRAGMA user_version after it */
    const char *name;  /* file name, for error messages */
    const char *sql;   /* whole file */
};

extern const struct lht_migration lht_migrations[];
extern const int lht_migration_count;

#endif
