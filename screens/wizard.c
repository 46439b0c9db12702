#include "screens.h"

static const mm_screen *const registry[] = {
#define MM_SCREEN_ENTRY(name) &mm_screen_##name,
    MM_SCREEN_LIST(MM_SCREEN_ENTRY)
#undef MM_SCREEN_ENTRY
};

const mm_screen *const *mm_screens(size_t *n)
{
    *n = sizeof registry / sizeof registry[0];
    return registry;
}
