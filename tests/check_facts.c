/* check_facts.c - the fact collection's marks (facts/facts.c): taking back
 * what was added since a mark, records and strings. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "facts/facts.h"
#include "tu_main.h"

static size_t add_stack(struct lht_facts *f, const char *comm, int frames)
{
    struct lht_stack s;
    struct lht_frame fr;
    size_t idx;
    int i;

    memset(&s, 0, sizeof s);
    s.pid = 7;
    s.comm = lht_facts_strz(f, comm);
    ck_assert_int_eq(lht_facts_add(f, LHT_FACT_STACK, &s, &idx), LHT_OK);
    for (i = 0; i < frames; i++) {
        memset(&fr, 0, sizeof fr);
        fr.symbol = lht_facts_strz(f, "schedule");
        ck_assert_int_eq(lht_facts_add_frame(f, &fr), LHT_OK);
    }
    return idx;
}

/* What came after the mark goes, strings too (a big one in a chunk of its
 * own as well); what came before stays as it was, and the arena goes on
 * from where it was. */
START_TEST(rewind_takes_back_records_and_strings)
{
    struct lht_facts *f = lht_facts_new();
    struct lht_facts_mark m;
    const struct lht_stack *s;
    char *big = malloc(200000);
    const char *before, *again;
    size_t n;

    add_stack(f, "first", 2);
    before = lht_facts_strz(f, "kept");
    lht_facts_snapshot(f, &m);
    add_stack(f, "second", 3);
    memset(big, 'x', 199999);
    big[199999] = '\0';
    ck_assert_ptr_nonnull(lht_facts_strz(f, big));
    (void)lht_facts_strz(f, "after");
    ck_assert_int_eq(lht_facts_rewind(f, &m), LHT_OK);
    s = lht_facts_stacks(f, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(s[0].comm, "first");
    ck_assert_uint_eq(s[0].nframes, 2);
    (void)lht_facts_frames(f, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(before, "kept");
    /* the next string takes the place the dropped ones had */
    again = lht_facts_strz(f, "next");
    ck_assert_ptr_eq(again, before + strlen("kept") + 1);
    add_stack(f, "third", 1);
    (void)lht_facts_stacks(f, &n);
    ck_assert_uint_eq(n, 2);
    free(big);
    lht_facts_free(f);
}
END_TEST

/* A frame added since the mark to a stack from before it: taking it back
 * would leave that stack counting a frame it no longer has. */
START_TEST(rewind_refuses_to_orphan)
{
    struct lht_facts *f = lht_facts_new();
    struct lht_facts_mark m;
    struct lht_frame fr;
    size_t n;

    add_stack(f, "first", 1);
    lht_facts_snapshot(f, &m);
    memset(&fr, 0, sizeof fr);
    fr.symbol = lht_facts_strz(f, "io_schedule");
    ck_assert_int_eq(lht_facts_add_frame(f, &fr), LHT_OK);
    ck_assert_int_eq(lht_facts_rewind(f, &m), LHT_EUSAGE);
    (void)lht_facts_frames(f, &n);
    ck_assert_uint_eq(n, 2);
    lht_facts_free(f);
}
END_TEST

/* A copy of what was added between two marks stays what it was while the
 * facts grow (their arrays move) and knows where it came from; a view
 * shows what came after a mark. */
START_TEST(range_copy_outlives_growth)
{
    struct lht_facts *f = lht_facts_new();
    struct lht_facts_mark a, b;
    struct lht_facts_range *r, v;
    struct lht_member m;
    const struct lht_stack *s;
    const struct lht_frame *fr;
    int i;

    add_stack(f, "first", 1);
    lht_facts_snapshot(f, &a);
    add_stack(f, "second", 3);
    memset(&m, 0, sizeof m);
    m.at.member = lht_facts_strz(f, "n1/logs/syslog");
    m.kind = "kernel_log";
    m.status = "parsed";
    ck_assert_int_eq(lht_facts_add_member(f, &m), LHT_OK);
    lht_facts_snapshot(f, &b);
    ck_assert_uint_eq(lht_facts_added(&a, &b), 1 + 3 + 1);
    ck_assert_ptr_nonnull(r = lht_facts_range_copy(f, &a, &b));
    for (i = 0; i < 5000; i++)
        add_stack(f, "later", 2);
    ck_assert_uint_eq(r->base[LHT_FACT_STACK], 1);
    ck_assert_uint_eq(r->n[LHT_FACT_STACK], 1);
    ck_assert_uint_eq(r->base[LHT_FACT_FRAME], 1);
    ck_assert_uint_eq(r->n[LHT_FACT_FRAME], 3);
    s = r->rec[LHT_FACT_STACK];
    ck_assert_str_eq(s->comm, "second");
    fr = r->rec[LHT_FACT_FRAME];
    ck_assert_uint_eq(fr[2].parent, 1);
    ck_assert_uint_eq(r->nmembers, 1);
    ck_assert_str_eq(r->members[0].at.member, "n1/logs/syslog");
    ck_assert_int_eq(memcmp(r->rec[LHT_FACT_FRAME], lht_facts_frame_at(f, 1), 3 * sizeof *fr), 0);
    lht_facts_range_view(f, &b, &v);
    ck_assert_uint_eq(v.base[LHT_FACT_STACK], 2);
    ck_assert_uint_eq(v.n[LHT_FACT_STACK], 5000);
    ck_assert_uint_eq(v.nmembers, 0);
    free(r);
    lht_facts_free(f);
}
END_TEST

/* What a second reader read, appended after what the first read: its
 * children still find their parent, a parent its children, a hung task
 * its stack, and its strings live on when it is freed. */
START_TEST(append_moves_everything_and_shifts_indexes)
{
    struct lht_facts *dst = lht_facts_new(), *src = lht_facts_new();
    struct lht_hung_task h;
    struct lht_member m;
    const struct lht_stack *st;
    const struct lht_frame *fr;
    const struct lht_hung_task *ht;
    size_t n, idx;
    char big[100000];

    add_stack(dst, "here", 2);
    add_stack(src, "there", 3);
    idx = add_stack(src, "again", 1);
    memset(&h, 0, sizeof h);
    h.task = lht_facts_strz(src, "writer");
    h.stack = (long)idx;
    ck_assert_int_eq(lht_facts_add_hung_task(src, &h), LHT_OK);
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memset(&m, 0, sizeof m);
    m.at.member = lht_facts_strz(src, big);   /* a chunk of its own */
    m.kind = "kernel_log";
    ck_assert_int_eq(lht_facts_add_member(src, &m), LHT_OK);
    ck_assert_int_eq(lht_facts_append(dst, src), LHT_OK);
    lht_facts_free(src);

    st = lht_facts_stacks(dst, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(st[1].comm, "there");
    ck_assert_uint_eq(st[1].first, 2);
    ck_assert_uint_eq(st[1].nframes, 3);
    ck_assert_uint_eq(st[2].first, 5);
    fr = lht_facts_frames(dst, &n);
    ck_assert_uint_eq(n, 6);
    ck_assert_uint_eq(fr[1].parent, 0);
    ck_assert_uint_eq(fr[2].parent, 1);
    ck_assert_uint_eq(fr[4].parent, 1);
    ck_assert_uint_eq(fr[5].parent, 2);
    ht = lht_facts_hung_tasks(dst, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(ht[0].stack, 2);
    ck_assert_str_eq(ht[0].task, "writer");
    ck_assert_uint_eq(strlen(lht_facts_members(dst, &n)[0].at.member), sizeof big - 1);
    ck_assert_uint_eq(n, 1);
    /* the arena goes on after the moved chunks */
    add_stack(dst, "after", 1);
    ck_assert_str_eq(lht_facts_stacks(dst, &n)[3].comm, "after");
    lht_facts_free(dst);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("facts");
    TCase *tc = tcase_create("marks");

    tcase_add_test(tc, rewind_takes_back_records_and_strings);
    tcase_add_test(tc, rewind_refuses_to_orphan);
    tcase_add_test(tc, range_copy_outlives_growth);
    tcase_add_test(tc, append_moves_everything_and_shifts_indexes);
    suite_add_tcase(s, tc);
    return s;
}

TU_MAIN(suite)
