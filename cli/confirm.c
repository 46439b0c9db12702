#include "confirm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mm_cli_confirm_losses(void *ctx, const mm_findings *losses, mm_error *err)
{
    const mm_cli_confirm *c = ctx;
    char *list = mm_findings_text(losses, MM_FINDING_LOSS);
    int rc = 0;
    if (c->yes) {
        fprintf(stderr, "milvus-migrate %s: going on as --yes says, although the run loses:\n%s\n", c->command,
                list ? list : "");
    } else if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
        fprintf(stderr, "milvus-migrate %s: the run would lose:\n%s\nGo on and lose it? [y/N] ", c->command,
                list ? list : "");
        fflush(stderr);
        char answer[16] = "";
        bool yes = fgets(answer, sizeof answer, stdin) && (answer[0] == 'y' || answer[0] == 'Y');
        if (!yes)
            rc = mm_error_set(err, MM_ERR_CANCELLED, "stopped before anything was changed: the loss was not "
                              "confirmed");
    } else {
        rc = mm_error_set(err, MM_ERR_ARGUMENT, "the run would lose what follows, and without a terminal nobody "
                          "can be asked, so nothing was changed. Run it again with --yes to accept the loss, or "
                          "change the configuration:\n%s", list ? list : "");
    }
    free(list);
    return rc;
}
