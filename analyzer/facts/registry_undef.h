/*
 * registry_undef.h - after including registry.def: forget the entry
 * macros, so the next consumer starts clean (see registry_skip.h).
 */
#undef LHT_FACT
#undef LHT_CHILD
#undef LHT_FIELD
#undef LHT_ENUM
#undef LHT_REF
#undef LHT_KIDS
#undef LHT_VIRTUAL
#undef LHT_KEYED
#undef LHT_RENDER
#undef LHT_RENDER_FN
#undef LHT_END
#undef LHT_KIND
#undef LHT_STREAMED
#undef LHT_INVENTORY
#undef LHT_PATH
#undef LHT_SNIFF
#undef LHT_ROUTE
#undef LHT_T
