/* Each command's options in ONE table (in the manner of git's
 * parse-options) that drives the parsing, the --help text and the shell
 * completion (completion.h), so the help, the man page
 * (tests/integration/man_options.sh compares them), the completion and the
 * code cannot drift apart. An entry names the field of the command's
 * argument struct it fills. */
#ifndef MM_CLI_OPTIONS_H
#define MM_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    MM_OPT_END = 0,
    MM_OPT_GROUP,       /* a heading in --help ("Options:") */
    MM_OPT_FLAG,        /* a bool field: set true (or false with .negate) */
    MM_OPT_STRING,      /* a const char * field */
    MM_OPT_LIST,        /* an mm_option_list field; repeatable */
    MM_OPT_OPERAND,     /* the command's one operand (a const char * field) */
    MM_OPT_HELP         /* -h, --help */
} mm_option_kind;

/* What a value (or the operand) is: shell completion offers it, and a
 * choice is checked while parsing. */
typedef enum {
    MM_VALUE_BY_NAME = 0,  /* by value_name: FILE and BASE are file paths, DIR a directory, others free text */
    MM_VALUE_CHOICE,       /* one of .choices */
    MM_VALUE_THEME         /* a theme's name (the program's themes) or the path of a .theme file */
} mm_value_kind;

enum { MM_OPTION_LIST_MAX = 16 };

typedef struct mm_option_list {
    const char *items[MM_OPTION_LIST_MAX];
    size_t count;
} mm_option_list;

typedef struct mm_option {
    mm_option_kind kind;
    char short_name;           /* 0 = none */
    const char *long_name;     /* GROUP: the heading */
    const char *value_name;    /* "FILE"; OPERAND: its name ("DIR") */
    const char *help;          /* '\n' starts a line aligned under the first */
    size_t offset;             /* of the field in the argument struct */
    bool negate;               /* FLAG: the option sets the field to false */
    bool hidden;               /* parsed, not shown in --help nor completed */
    mm_value_kind value_kind;
    const char *const *choices; /* MM_VALUE_CHOICE: NULL-terminated */
} mm_option;

#define MM_OPT_GROUP_ENTRY(title) {.kind = MM_OPT_GROUP, .long_name = (title)}
#define MM_OPT_HELP_ENTRY {.kind = MM_OPT_HELP, .short_name = 'h', .long_name = "help", .help = "show this help"}

/* What a command's --help says around its options. */
typedef struct mm_option_text {
    const char *usage;         /* "Usage: ..." lines, the description, each paragraph ending in "\n\n" */
    const char *epilog;        /* after the options, starting with a blank line ("\nExit status: ...") */
} mm_option_text;

/* "2.3 or 2.5", "a, b or c": an option's choices as --help and errors say
 * them. malloc'd. */
char *mm_options_choices_text(const mm_option *o);

/* The --help text of a command. malloc'd. */
char *mm_options_help(const mm_option *opts, const mm_option_text *text);

enum { MM_OPTIONS_GO_ON = -1 };

/* Parses argv[1..] into args by the table. Returns MM_OPTIONS_GO_ON, or
 * the exit status the command ends with: 0 after printing --help, 2 after
 * reporting a mistake on stderr (with a pointer to --help). */
int mm_options_parse(const char *command, const mm_option *opts, const mm_option_text *text, int argc, char **argv,
                     void *args);

#endif
