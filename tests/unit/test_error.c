#include "base/error.h"
#include "base/strbuf.h"
#include "cli/exit_status.h"
#include "testlib.h"

#include <errno.h>
#include <stdlib.h>

MM_TEST(set_and_wrap_keep_context)
{
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_error_set(&err, MM_ERR_FORMAT, "read %s: %d bytes", "a.rv", 7), -1);
    mm_error_wrap(&err, "dump collection %s", "c1");
    MM_CHECK_STR(err.message, "dump collection c1: read a.rv: 7 bytes");
    MM_CHECK_INT(err.code, MM_ERR_FORMAT);
    mm_error_errno(&err, ENOENT, "open", "/x/y");
    MM_CHECK_STR(err.message, "open /x/y: No such file or directory");
}

MM_TEST(exit_statuses_follow_design)
{
    MM_CHECK_INT(mm_cli_exit_status(MM_OK), 0);
    MM_CHECK_INT(mm_cli_exit_status(MM_ERR_CONFIG), 2);
    MM_CHECK_INT(mm_cli_exit_status(MM_ERR_USAGE), 2);
    MM_CHECK_INT(mm_cli_exit_status(MM_ERR_ARGUMENT), 2);
    MM_CHECK_INT(mm_cli_exit_status(MM_ERR_NOT_FOUND), 2);
    MM_CHECK_INT(mm_cli_exit_status(MM_ERR_MISMATCH), 3);
    MM_CHECK_INT(mm_cli_exit_status(MM_ERR_IO), 1);
}

MM_TEST(strbuf_formats_and_pads)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, "ab");
    mm_strbuf_appendf(&sb, "%d-%s", 42, "x");
    mm_strbuf_pad(&sb, ' ', 3);
    char *s = mm_strbuf_take(&sb);
    MM_CHECK_STR(s, "ab42-x   ");
    free(s);
}

int main(void)
{
    MM_RUN(set_and_wrap_keep_context);
    MM_RUN(exit_statuses_follow_design);
    MM_RUN(strbuf_formats_and_pads);
    return MM_TEST_EXIT();
}
