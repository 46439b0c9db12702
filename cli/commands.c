#include "commands.h"

#include <string.h>

static const mm_command commands[] = {
#define MM_COMMAND_ENTRY(name, summary) {#name, summary, mm_cmd_##name, mm_cmd_##name##_options},
    MM_COMMAND_LIST(MM_COMMAND_ENTRY)
#undef MM_COMMAND_ENTRY
    {NULL, NULL, NULL, NULL},
};

static const mm_option global_options[] = {
    MM_OPT_GROUP_ENTRY("Options:"),
    {.kind = MM_OPT_HELP, .short_name = 'h', .long_name = "help",
     .help = "show this help; COMMAND --help shows a command's options"},
    {.kind = MM_OPT_FLAG, .short_name = 'V', .long_name = "version",
     .help = "show the version, the git revision and the libraries\nit was built with"},
    /* The bash completion script for the program's names (commas between
     * them), as the build installs it (completion.h). */
    {.kind = MM_OPT_STRING, .long_name = "bash-completion", .value_name = "NAME,...", .hidden = true},
    {0},
};

const mm_option *mm_cli_global_options(void)
{
    return global_options;
}

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
