/* Part SHA-256s against digests computed independently (sha256sum of the
 * same byte strings): part boundaries across updates of any length, a
 * stream ending exactly on a boundary, and the fit check the upload uses. */
#include "storage/part_digest.h"
#include "base/strbuf.h"
#include "testlib.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_AB "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603"
#define SHA_CD "21e721c35a5823fdb452fa2f9f0a612c74fb952e06927489c6b27a43b817bed4"
#define SHA_E "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

MM_TEST(one_part_is_the_whole_stream)
{
    mm_part_digest *d = mm_part_digest_new(1024);
    MM_CHECK_INT(mm_part_digest_update(d, "a", 1), 0);
    MM_CHECK_INT(mm_part_digest_update(d, "bc", 2), 0);
    MM_CHECK_INT(mm_part_digest_finish(d), 0);
    MM_CHECK_INT((int)mm_part_digest_count(d), 1);
    MM_CHECK_STR(mm_part_digest_hex(d, 0), SHA_ABC);
    MM_CHECK(mm_part_digest_fits(d, 1024, 3));
    MM_CHECK(!mm_part_digest_fits(d, 512, 3));
    MM_CHECK(!mm_part_digest_fits(d, 1024, 4));
    MM_CHECK_INT(mm_part_digest_update(d, "d", 1), -1);   /* finished */
    mm_part_digest_free(d);
}

MM_TEST(parts_split_inside_and_across_updates)
{
    mm_part_digest *d = mm_part_digest_new(2);
    MM_CHECK_INT(mm_part_digest_update(d, "abc", 3), 0);   /* "ab" ends inside this update */
    MM_CHECK_INT((int)mm_part_digest_count(d), 1);
    MM_CHECK_INT(mm_part_digest_update(d, "de", 2), 0);    /* "cd" across two updates */
    MM_CHECK_INT(mm_part_digest_finish(d), 0);
    MM_CHECK_INT((int)mm_part_digest_count(d), 3);
    MM_CHECK_STR(mm_part_digest_hex(d, 0), SHA_AB);
    MM_CHECK_STR(mm_part_digest_hex(d, 1), SHA_CD);
    MM_CHECK_STR(mm_part_digest_hex(d, 2), SHA_E);
    MM_CHECK_INT((int)mm_part_digest_total(d), 5);
    MM_CHECK(mm_part_digest_fits(d, 2, 5));
    mm_part_digest_free(d);
}

MM_TEST(a_stream_ending_on_a_boundary_has_no_empty_part)
{
    mm_part_digest *d = mm_part_digest_new(2);
    MM_CHECK_INT(mm_part_digest_update(d, "abcd", 4), 0);
    MM_CHECK_INT(mm_part_digest_finish(d), 0);
    MM_CHECK_INT((int)mm_part_digest_count(d), 2);
    MM_CHECK_STR(mm_part_digest_hex(d, 1), SHA_CD);
    MM_CHECK(mm_part_digest_fits(d, 2, 4));
    mm_part_digest_free(d);
    MM_CHECK(mm_part_digest_new(0) == NULL);
}

MM_TEST(an_unfinished_digest_does_not_fit)
{
    mm_part_digest *d = mm_part_digest_new(2);
    MM_CHECK_INT(mm_part_digest_update(d, "ab", 2), 0);
    MM_CHECK(!mm_part_digest_fits(d, 2, 2));
    MM_CHECK(!mm_part_digest_fits(NULL, 2, 2));
    mm_part_digest_free(d);
}

MM_TEST(file_ranges)
{
    char *dir = mm_test_tmpdir("part-digest");
    mm_test_write_file(dir, "f", "xxabcdey", 8);
    char *path = mm_asprintf("%s/f", dir);
    int fd = open(path, O_RDONLY);
    char hex[65];
    MM_CHECK_INT(mm_sha256_range(NULL, 0, fd, 2, 3, hex), 0);
    MM_CHECK_STR(hex, SHA_ABC);
    MM_CHECK_INT(mm_sha256_range("ab", 2, fd, 4, 1, hex), 0);   /* "ab" then the file's "c" */
    MM_CHECK_STR(hex, SHA_ABC);
    MM_CHECK_INT(mm_sha256_range("abc", 3, fd, 0, 0, hex), 0);
    MM_CHECK_STR(hex, SHA_ABC);
    MM_CHECK_INT(mm_sha256_range(NULL, 0, fd, 6, 0, hex), 0);
    MM_CHECK_STR(hex, SHA_EMPTY);
    MM_CHECK_INT(mm_sha256_range(NULL, 0, fd, 6, 10, hex), -1);   /* past the end */
    close(fd);
    free(path);
    mm_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    MM_RUN(one_part_is_the_whole_stream);
    MM_RUN(parts_split_inside_and_across_updates);
    MM_RUN(a_stream_ending_on_a_boundary_has_no_empty_part);
    MM_RUN(an_unfinished_digest_does_not_fit);
    MM_RUN(file_ranges);
    return MM_TEST_EXIT();
}
