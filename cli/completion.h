/* The bash completion script of the program, generated from the tables that
 * also drive the parsing and --help (commands.h and each command's options
 * table), so that it offers exactly the commands and options the program
 * takes: commands, options, the values of options with choices, theme
 * names, and files or directories where a value or operand is a path. The
 * build writes it (milvus-migrate --bash-completion NAME,...) and installs
 * it in share/bash-completion/completions. */
#ifndef MM_CLI_COMPLETION_H
#define MM_CLI_COMPLETION_H

/* The script, completing each of the comma-separated program names
 * ("milvus-migrate"). malloc'd; NULL when memory runs out. */
char *mm_cli_bash_completion(const char *names);

#endif
