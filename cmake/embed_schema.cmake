# Turn schema/NNN_*.sql into a C array of {version, name, sql} so migrations
# ship inside the binary. Run with -DOUT=file.c "-DFILES=a.sql|b.sql".
string(REPLACE "|" ";" FILES "${FILES}")
set(body "/* Generated from schema/NNN_*.sql by cmake/embed_schema.cmake. */\n#include \"store/schema.h\"\n\nconst struct lht_migration lht_migrations[] = {\n")
set(count 0)
set(prev -1)
foreach(f IN LISTS FILES)
  get_filename_component(name ${f} NAME)
  string(REGEX MATCH "^[0-9]+" num ${name})
  math(EXPR num "${num}")
  # A migration runs when its number is above the database's version: two
  # files with one number would leave the second unapplied on every
  # database that already ran the first.
  if(NOT num GREATER prev)
    message(FATAL_ERROR "schema/${name}: migration number ${num} is not above the previous one (${prev}); renumber it")
  endif()
  set(prev ${num})
  file(READ ${f} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "  {${num}, \"${name}\", (const char[]){${bytes}0x00}},\n")
  math(EXPR count "${count}+1")
endforeach()
string(APPEND body "};\nconst int lht_migration_count = ${count};\n")
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
