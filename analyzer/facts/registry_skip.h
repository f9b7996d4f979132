/*
 * registry_skip.h - before including registry.def: every entry macro the
 * includer has not defined expands to nothing, so each consumer defines
 * only the entries it reads. Pair with registry_undef.h afterwards.
 */
#ifndef LHT_FACT
#define LHT_FACT(...)
#endif
#ifndef LHT_CHILD
#define LHT_CHILD(...)
#endif
#ifndef LHT_FIELD
#define LHT_FIELD(...)
#endif
#ifndef LHT_ENUM
#define LHT_ENUM(...)
#endif
#ifndef LHT_REF
#define LHT_REF(...)
#endif
#ifndef LHT_KIDS
#define LHT_KIDS(...)
#endif
#ifndef LHT_VIRTUAL
#define LHT_VIRTUAL(...)
#endif
#ifndef LHT_KEYED
#define LHT_KEYED(...)
#endif
#ifndef LHT_RENDER
#define LHT_RENDER(...)
#endif
#ifndef LHT_RENDER_FN
#define LHT_RENDER_FN(...)
#endif
#ifndef LHT_END
#define LHT_END(...)
#endif
#ifndef LHT_KIND
#define LHT_KIND(...)
#endif
#ifndef LHT_STREAMED
#define LHT_STREAMED(...)
#endif
#ifndef LHT_INVENTORY
#define LHT_INVENTORY(...)
#endif
#ifndef LHT_PATH
#define LHT_PATH(...)
#endif
#ifndef LHT_SNIFF
#define LHT_SNIFF(...)
#endif
#ifndef LHT_ROUTE
#define LHT_ROUTE(...)
#endif
