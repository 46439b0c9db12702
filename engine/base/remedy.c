#include "remedy.h"

#include <stddef.h>

/* Without a front end (unit tests, a library caller) the advice names
 * the job's own settings. */
static const char *const neutral_words[MM_REMEDY_COUNT] = {
    [MM_REMEDY_START_OVER] = "with the job's restart option",
    [MM_REMEDY_LEAVE_OUT] = "of the migration",
    [MM_REMEDY_WAL_DIR] = "",
    [MM_REMEDY_TABLES_DIR] = "",
};

static const char *const *current_words = neutral_words;

void mm_remedy_words_set(const char *const *words)
{
    current_words = words ? words : neutral_words;
}

const char *mm_remedy_how(mm_remedy r)
{
    if ((unsigned)r >= MM_REMEDY_COUNT || !current_words[r])
        return "";
    return current_words[r];
}
