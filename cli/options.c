#include "options.h"

#include "base/strbuf.h"
#include "exit_status.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HELP_COLUMN = 26, LONG_BASE = 256 };

static bool takes_value(const mm_option *o)
{
    return o->kind == MM_OPT_STRING || o->kind == MM_OPT_LIST;
}

static bool is_option(const mm_option *o)
{
    return o->kind == MM_OPT_FLAG || takes_value(o) || o->kind == MM_OPT_HELP;
}

/* "  -c, --config FILE" / "      --col A,B" / "  DIR", then the help from
 * column 26, or on the next line when the left part is too wide. */
static void option_line(mm_strbuf *sb, const mm_option *o)
{
    size_t start = sb->len;
    if (o->kind == MM_OPT_OPERAND)
        mm_strbuf_appendf(sb, "  %s", o->value_name);
    else if (o->short_name)
        mm_strbuf_appendf(sb, "  -%c, --%s", o->short_name, o->long_name);
    else
        mm_strbuf_appendf(sb, "      --%s", o->long_name);
    if (takes_value(o) && o->value_name)
        mm_strbuf_appendf(sb, " %s", o->value_name);
    size_t width = sb->len - start;
    if (width + 2 <= HELP_COLUMN)
        mm_strbuf_pad(sb, ' ', HELP_COLUMN - width);
    else {
        mm_strbuf_append(sb, "\n");
        mm_strbuf_pad(sb, ' ', HELP_COLUMN);
    }
    for (const char *p = o->help; *p;) {
        size_t len = strcspn(p, "\n");
        mm_strbuf_append_n(sb, p, len);
        mm_strbuf_append(sb, "\n");
        p += len;
        if (*p == '\n') {
            p++;
            mm_strbuf_pad(sb, ' ', HELP_COLUMN);
        }
    }
}

char *mm_options_help(const mm_option *opts, const mm_option_text *text)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_append(&sb, text->usage);
    bool first = true;
    for (const mm_option *o = opts; o->kind != MM_OPT_END; o++) {
        if (o->kind == MM_OPT_GROUP) {
            mm_strbuf_appendf(&sb, "%s%s\n", first ? "" : "\n", o->long_name);
            first = false;
        } else if (!o->hidden) {
            option_line(&sb, o);
        }
    }
    mm_strbuf_append(&sb, text->epilog ? text->epilog : "");
    return mm_strbuf_take(&sb);
}

static void *field(void *args, const mm_option *o)
{
    return (char *)args + o->offset;
}

char *mm_options_choices_text(const mm_option *o)
{
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    for (size_t i = 0; o->choices && o->choices[i]; i++)
        mm_strbuf_appendf(&sb, "%s%s", i == 0 ? "" : o->choices[i + 1] ? ", " : " or ", o->choices[i]);
    return mm_strbuf_take(&sb);
}

static bool is_choice(const mm_option *o, const char *value)
{
    for (size_t i = 0; o->choices && o->choices[i]; i++)
        if (strcmp(o->choices[i], value) == 0)
            return true;
    return false;
}

static int store(const char *command, const mm_option *o, void *args, const char *value)
{
    if (takes_value(o) && o->value_kind == MM_VALUE_CHOICE && !is_choice(o, value)) {
        char *choices = mm_options_choices_text(o);
        mm_cli_usage_error(command, "--%s expects %s, got '%s'", o->long_name, choices ? choices : "?", value);
        free(choices);
        return -1;
    }
    switch (o->kind) {
    case MM_OPT_FLAG: *(bool *)field(args, o) = !o->negate; return 0;
    case MM_OPT_STRING: *(const char **)field(args, o) = value; return 0;
    case MM_OPT_LIST: {
        mm_option_list *l = field(args, o);
        if (l->count == MM_OPTION_LIST_MAX)
            return mm_cli_usage_error(command, "at most %d --%s directories", MM_OPTION_LIST_MAX, o->long_name);
        l->items[l->count++] = value;
        return 0;
    }
    default: return 0;
    }
}

int mm_options_parse(const char *command, const mm_option *opts, const mm_option_text *text, int argc, char **argv,
                     void *args)
{
    size_t n = 0;
    for (const mm_option *o = opts; o->kind != MM_OPT_END; o++)
        n++;
    struct option *longs = calloc(n + 1, sizeof *longs);
    mm_strbuf shorts;
    mm_strbuf_init(&shorts);
    mm_strbuf_append(&shorts, ":");
    const mm_option *operand = NULL;
    size_t nl = 0;
    for (size_t i = 0; longs && i < n; i++) {
        const mm_option *o = &opts[i];
        if (o->kind == MM_OPT_OPERAND)
            operand = o;
        if (!is_option(o))
            continue;
        int val = o->short_name ? o->short_name : LONG_BASE + (int)i;
        longs[nl++] = (struct option){o->long_name, takes_value(o) ? required_argument : no_argument, NULL, val};
        if (o->short_name)
            mm_strbuf_appendf(&shorts, "%c%s", o->short_name, takes_value(o) ? ":" : "");
    }
    if (!longs || !mm_strbuf_ok(&shorts)) {
        free(longs);
        mm_strbuf_free(&shorts);
        fprintf(stderr, "milvus-migrate %s: out of memory\n", command);
        return MM_EXIT_FAILED;
    }
    optind = 1;
    opterr = 0;
    int status = MM_OPTIONS_GO_ON, c;
    while (status == MM_OPTIONS_GO_ON && (c = getopt_long(argc, argv, shorts.data, longs, NULL)) != -1) {
        if (c == ':') {
            mm_cli_usage_error(command, "option '%s' needs a value", argv[optind - 1]);
            status = MM_EXIT_USAGE;
            break;
        }
        const mm_option *o = NULL;
        for (size_t i = 0; i < n && !o; i++)
            if (is_option(&opts[i]) && (opts[i].short_name ? opts[i].short_name == c : LONG_BASE + (int)i == c))
                o = &opts[i];
        if (!o) {
            mm_cli_usage_error(command, "unknown option '%s'", argv[optind - 1]);
            status = MM_EXIT_USAGE;
        } else if (o->kind == MM_OPT_HELP) {
            char *help = mm_options_help(opts, text);
            fputs(help ? help : "", stdout);
            free(help);
            status = MM_EXIT_OK;
        } else if (store(command, o, args, optarg) != 0) {
            status = MM_EXIT_USAGE;
        }
    }
    if (status == MM_OPTIONS_GO_ON && optind < argc) {
        if (operand && argc - optind == 1 && !*(const char **)field(args, operand)) {
            *(const char **)field(args, operand) = argv[optind];
        } else {
            mm_cli_usage_error(command, "unexpected argument '%s'", argv[optind]);
            status = MM_EXIT_USAGE;
        }
    }
    free(longs);
    mm_strbuf_free(&shorts);
    return status;
}
