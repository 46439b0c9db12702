#include "wizard.h"

#include "screens.h"
#include "tui/keymap.h"
#include "tui/script.h"

static const mm_screen *const screens[] = {
#define MM_SCREEN_ENTRY(name) &mm_screen_##name,
    MM_SCREEN_LIST(MM_SCREEN_ENTRY)
#undef MM_SCREEN_ENTRY
};

int mm_wizard_run(const mm_wizard_options *opt, mm_error *err)
{
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
