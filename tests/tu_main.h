/*
 * tu_main.h - the main() of every check suite: run the suite in check's
 * default fork mode (a crash or a sanitizer report fails that test, by
 * name), inside the run's temp root (testutil.h).
 */
#ifndef LHT_TU_MAIN_H
#define LHT_TU_MAIN_H

#include <check.h>
#include <stdlib.h>

#include "testutil.h"

#define TU_MAIN(make_suite)                              \
    int main(void)                                       \
    {                                                    \
        SRunner *sr;                                     \
        int failed;                                      \
        tu_begin();                                      \
        sr = srunner_create(make_suite());               \
        srunner_run_all(sr, CK_NORMAL);                  \
        failed = srunner_ntests_failed(sr);              \
        srunner_free(sr);                                \
        tu_end();                                        \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;     \
    }

#endif
