#include "commands.h"

#include <string.h>

static const mm_command commands[] = {
#define MM_COMMAND_ENTRY(name, summary) {#name, summary, mm_cmd_##name},
    MM_COMMAND_LIST(MM_COMMAND_ENTRY)
#undef MM_COMMAND_ENTRY
    {NULL, NULL, NULL},
};

const mm_command *mm_cli_commands(void)
{
    return commands;
}

const mm_command *mm_cli_find(const char *name)
{
    for (const mm_command *c = commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}
