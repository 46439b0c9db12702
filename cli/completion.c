#include "completion.h"

#include "base/datadir.h"
#include "base/strbuf.h"
#include "commands.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The shell function that completes a value, by what the value is. */
static const struct {
    const char *value_name;
    const char *completer;
} path_values[] = {
    {"FILE", "_milvus_migrate_paths"},
    {"BASE", "_milvus_migrate_paths"},
    {"DIR", "_milvus_migrate_paths -d"},
};

static const char *path_completer(const char *value_name)
{
    for (size_t i = 0; value_name && i < sizeof path_values / sizeof path_values[0]; i++)
        if (strcmp(path_values[i].value_name, value_name) == 0)
            return path_values[i].completer;
    return NULL;
}

/* Words go into the script unquoted: only names made of these. */
static bool plain_word(const char *w)
{
    return *w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == strlen(w);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the program's themes (NAME.theme), sorted, space-separated. */
static void append_theme_names(mm_strbuf *sb)
{
    mm_data_place place;
    if (mm_data_locate("themes", &place) != 0)
        return;
    DIR *dir = place.found ? opendir(place.path) : NULL;
    char *names[64];
    size_t n = 0;
    for (struct dirent *e; dir && (e = readdir(dir)) && n < sizeof names / sizeof names[0];) {
        size_t len = strlen(e->d_name);
        if (len > 6 && strcmp(e->d_name + len - 6, ".theme") == 0 && (names[n] = mm_strndup(e->d_name, len - 6))) {
            if (plain_word(names[n]))
                n++;
            else
                free(names[n]);
        }
    }
    if (dir)
        closedir(dir);
    qsort(names, n, sizeof names[0], compare_names);
    for (size_t i = 0; i < n; i++) {
        mm_strbuf_appendf(sb, "%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
    mm_data_place_free(&place);
}

static bool is_completed_option(const mm_option *o)
{
    return !o->hidden && (o->kind == MM_OPT_FLAG || o->kind == MM_OPT_STRING || o->kind == MM_OPT_LIST ||
                          o->kind == MM_OPT_HELP);
}

static void append_option_words(mm_strbuf *sb, const mm_option *opts)
{
    bool first = true;
    for (const mm_option *o = opts; o->kind != MM_OPT_END; o++) {
        if (!is_completed_option(o))
            continue;
        if (o->short_name)
            mm_strbuf_appendf(sb, "%s-%c", first ? "" : " ", o->short_name);
        mm_strbuf_appendf(sb, "%s--%s", first && !o->short_name ? "" : " ", o->long_name);
        first = false;
    }
}

/* `-c|--config) <completer>; return ;;` */
static void append_value_case(mm_strbuf *sb, const mm_option *o)
{
    mm_strbuf_append(sb, "        ");
    if (o->short_name)
        mm_strbuf_appendf(sb, "-%c|", o->short_name);
    mm_strbuf_appendf(sb, "--%s)\n            ", o->long_name);
    const char *paths = path_completer(o->value_name);
    if (o->value_kind == MM_VALUE_CHOICE) {
        mm_strbuf_append(sb, "_milvus_migrate_words \"");
        for (size_t i = 0; o->choices && o->choices[i]; i++)
            if (plain_word(o->choices[i]))
                mm_strbuf_appendf(sb, "%s%s", i ? " " : "", o->choices[i]);
        mm_strbuf_append(sb, "\"\n");
    } else if (o->value_kind == MM_VALUE_THEME) {
        /* A name, or a path once the word has a slash. */
        mm_strbuf_append(sb, "if [[ $cur == */* ]]; then _milvus_migrate_paths; else _milvus_migrate_words \"");
        append_theme_names(sb);
        mm_strbuf_append(sb, "\"; fi\n");
    } else if (paths) {
        mm_strbuf_appendf(sb, "%s\n", paths);
    } else {
        mm_strbuf_append(sb, "# free text: nothing to offer\n");
    }
    mm_strbuf_append(sb, "            return ;;\n");
}

static void append_command(mm_strbuf *sb, const mm_command *c)
{
    const mm_option *opts = c->options();
    const mm_option *operand = NULL;
    bool values = false;
    for (const mm_option *o = opts; o->kind != MM_OPT_END; o++) {
        if (o->kind == MM_OPT_OPERAND)
            operand = o;
        values = values || (!o->hidden && (o->kind == MM_OPT_STRING || o->kind == MM_OPT_LIST));
    }
    mm_strbuf_appendf(sb, "    %s)\n", c->name);
    if (values) {
        mm_strbuf_append(sb, "        case $prev in\n");
        for (const mm_option *o = opts; o->kind != MM_OPT_END; o++)
            if (!o->hidden && (o->kind == MM_OPT_STRING || o->kind == MM_OPT_LIST))
                append_value_case(sb, o);
        mm_strbuf_append(sb, "        esac\n");
    }
    const char *operand_paths = operand ? path_completer(operand->value_name) : NULL;
    if (operand_paths) {
        mm_strbuf_append(sb, "        if [[ $cur == -* ]]; then\n            _milvus_migrate_words \"");
        append_option_words(sb, opts);
        mm_strbuf_appendf(sb, "\"\n        else\n            %s\n        fi\n", operand_paths);
    } else {
        mm_strbuf_append(sb, "        _milvus_migrate_words \"");
        append_option_words(sb, opts);
        mm_strbuf_append(sb, "\"\n");
    }
    mm_strbuf_append(sb, "        ;;\n");
}

static const char script_head[] =
    "# bash completion for milvus-migrate, written by `milvus-migrate --bash-completion`\n"
    "# from the tables its parsing and --help use.\n"
    "\n"
    "_milvus_migrate_words()\n"
    "{\n"
    "    mapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\")\n"
    "}\n"
    "\n"
    "# Files, or directories with -d: through bash-completion's _filedir when\n"
    "# it is loaded (quoting, ~), else compgen.\n"
    "_milvus_migrate_paths()\n"
    "{\n"
    "    if declare -F _filedir >/dev/null; then\n"
    "        _filedir \"$@\"\n"
    "        return\n"
    "    fi\n"
    "    compopt -o filenames 2>/dev/null\n"
    "    if [[ ${1-} == -d ]]; then\n"
    "        mapfile -t COMPREPLY < <(compgen -d -- \"$cur\")\n"
    "    else\n"
    "        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
    "    fi\n"
    "}\n"
    "\n"
    "_milvus_migrate()\n"
    "{\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
    "    COMPREPLY=()\n"
    "    # --option=value: bash splits the word at the '='.\n"
    "    if [[ $cur == = ]]; then\n"
    "        cur=\n"
    "    elif [[ $prev == = ]] && ((COMP_CWORD > 2)); then\n"
    "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
    "    fi\n"
    "    if ((COMP_CWORD == 1)); then\n"
    "        if [[ $cur == -* ]]; then\n";

char *mm_cli_bash_completion(const char *names)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, script_head);
    mm_strbuf_append(&sb, "            _milvus_migrate_words \"");
    append_option_words(&sb, mm_cli_global_options());
    mm_strbuf_append(&sb, "\"\n        else\n            _milvus_migrate_words \"");
    for (const mm_command *c = mm_cli_commands(); c->name; c++)
        mm_strbuf_appendf(&sb, "%s%s", c == mm_cli_commands() ? "" : " ", c->name);
    mm_strbuf_append(&sb, "\"\n        fi\n        return\n    fi\n    case ${COMP_WORDS[1]} in\n");
    for (const mm_command *c = mm_cli_commands(); c->name; c++)
        append_command(&sb, c);
    mm_strbuf_append(&sb, "    esac\n}\n\ncomplete -F _milvus_migrate");
    for (const char *p = names; *p;) {
        size_t len = strcspn(p, ",");
        char *name = mm_strndup(p, len);
        if (name && plain_word(name))
            mm_strbuf_appendf(&sb, " %s", name);
        free(name);
        p += len;
        if (*p == ',')
            p++;
    }
    mm_strbuf_append(&sb, "\n");
    return mm_strbuf_take(&sb);
}
