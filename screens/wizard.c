#include "wizard.h"

#include "screens.h"
#include "base/remedy.h"
#include "tui/keymap.h"
#include "tui/script.h"

static const mm_screen *const screens[] = {
#define MM_SCREEN_ENTRY(name) &mm_screen_##name,
    MM_SCREEN_LIST(MM_SCREEN_ENTRY)
#undef MM_SCREEN_ENTRY
};

/* The wizard's way to take each remedy engine messages advise. */
static const char *const wizard_remedy_words[MM_REMEDY_COUNT] = {
    [MM_REMEDY_START_OVER] = "with Start over, offered when the wizard is opened again on this migration",
    [MM_REMEDY_LEAVE_OUT] = "with Space on the Preview screen",
    [MM_REMEDY_WAL_DIR] = " (WAL directory on the Source screen)",
    [MM_REMEDY_TABLES_DIR] = " (Tables directory on the Source screen)",
};

int mm_wizard_run(const mm_wizard_options *opt, mm_error *err)
{
    mm_remedy_words_set(wizard_remedy_words);
    return mm_shell_run(opt, screens, sizeof screens / sizeof screens[0], err);
}

char *mm_wizard_keys_man(void)
{
    return mm_keymap_man();
}

int mm_wizard_parse_size(const char *text, int *cols, int *lines)
{
    return mm_parse_size(text, cols, lines);
}
