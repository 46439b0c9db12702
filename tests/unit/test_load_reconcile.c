/* The arithmetic of exactly-once imports (load/load_reconcile.h): which
 * interrupted batches arrived, from the rows a partition holds, and which
 * task lists a staged file. */
#include "load/load_reconcile.h"
#include "testlib.h"

MM_TEST(no_rows_and_all_rows_are_unique_subsets)
{
    const int64_t rows[] = {4, 7, 9};
    MM_CHECK_INT(mm_load_arrived_subset(rows, 3, 0), 0);
    MM_CHECK_INT(mm_load_arrived_subset(rows, 3, 20), 7);
}

MM_TEST(the_one_subset_that_adds_up_is_found)
{
    const int64_t rows[] = {4, 7, 9};
    MM_CHECK_INT(mm_load_arrived_subset(rows, 3, 7), 2);        /* the second batch */
    MM_CHECK_INT(mm_load_arrived_subset(rows, 3, 13), 5);       /* the first and the third */
    MM_CHECK_INT(mm_load_arrived_subset(rows, 3, 16), 6);       /* the second and the third */
}

MM_TEST(no_subset_or_several_is_no_answer)
{
    const int64_t rows[] = {4, 7, 9};
    MM_CHECK_INT(mm_load_arrived_subset(rows, 3, 5), -1);       /* adds up to nothing */
    MM_CHECK_INT(mm_load_arrived_subset(rows, 3, -1), -1);
    const int64_t twins[] = {5, 5};
    MM_CHECK_INT(mm_load_arrived_subset(twins, 2, 5), -1);      /* either of two, cannot tell */
    MM_CHECK_INT(mm_load_arrived_subset(twins, 2, 10), 3);
    const int64_t with_empty[] = {0, 3};
    MM_CHECK_INT(mm_load_arrived_subset(with_empty, 2, 3), -1); /* the empty one may or may not be in */
}

MM_TEST(a_refusal_knows_how_many_sets_fit)
{
    const int64_t rows[] = {4, 7, 9};
    MM_CHECK_INT(mm_load_fitting_subsets(rows, 3, 5), 0);
    MM_CHECK_INT(mm_load_fitting_subsets(rows, 3, 13), 1);
    const int64_t twins[] = {5, 5};
    MM_CHECK_INT(mm_load_fitting_subsets(twins, 2, 5), 2);
    const int64_t three[] = {2, 2, 2};
    MM_CHECK_INT(mm_load_fitting_subsets(three, 3, 4), 3);
    int64_t many[MM_LOAD_SUBSET_MAX + 1] = {0};
    MM_CHECK_INT(mm_load_fitting_subsets(many, MM_LOAD_SUBSET_MAX + 1, 0), -1);
}

MM_TEST(too_many_batches_are_not_guessed)
{
    int64_t rows[MM_LOAD_SUBSET_MAX + 1];
    for (size_t i = 0; i <= MM_LOAD_SUBSET_MAX; i++)
        rows[i] = (int64_t)1 << i;
    MM_CHECK_INT(mm_load_arrived_subset(rows, MM_LOAD_SUBSET_MAX, 1), 1);
    MM_CHECK_INT(mm_load_arrived_subset(rows, MM_LOAD_SUBSET_MAX + 1, 1), -1);
}

MM_TEST(a_task_lists_a_file_as_a_whole_entry)
{
    const char *files = "migration/tables/c/17/id.npy,migration/tables/c/17/data.npy";
    MM_CHECK(mm_load_task_lists_file(files, "migration/tables/c/17/data.npy"));
    MM_CHECK(mm_load_task_lists_file(files, "migration/tables/c/17/id.npy"));
    MM_CHECK(!mm_load_task_lists_file(files, "migration/tables/c/1/data.npy"));
    MM_CHECK(!mm_load_task_lists_file(files, "tables/c/17/data"));
    MM_CHECK(!mm_load_task_lists_file("migration/tables/c/17-2/data.npy", "migration/tables/c/17-2/data.np"));
    MM_CHECK(!mm_load_task_lists_file("", "x"));
    MM_CHECK(!mm_load_task_lists_file(NULL, "x"));
}

int main(void)
{
    MM_RUN(no_rows_and_all_rows_are_unique_subsets);
    MM_RUN(the_one_subset_that_adds_up_is_found);
    MM_RUN(no_subset_or_several_is_no_answer);
    MM_RUN(a_refusal_knows_how_many_sets_fit);
    MM_RUN(too_many_batches_are_not_guessed);
    MM_RUN(a_task_lists_a_file_as_a_whole_entry);
    return MM_TEST_EXIT();
}
