#include "json_text.h"

#include "strbuf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

char *mm_json_text_add_member(char *object_text, const char *name, const char *value_text)
{
    char *close = object_text ? strrchr(object_text, '}') : NULL;
    if (!close || !value_text) {
        free(object_text);
        return NULL;
    }
    /* An empty object gets no separating comma. */
    const char *p = close;
    while (p > object_text && (p[-1] == '\n' || p[-1] == '\t' || p[-1] == ' '))
        p--;
    bool empty = p > object_text && p[-1] == '{';
    mm_strbuf sb;
    mm_strbuf_init(&sb);
    mm_strbuf_appendf(&sb, "%.*s%s\n\t\"%s\":\t", (int)(p - object_text), object_text, empty ? "" : ",", name);
    for (const char *line = value_text, *nl; line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        mm_strbuf_appendf(&sb, "%s%.*s", line == value_text ? "" : "\n\t",
                          nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    mm_strbuf_append(&sb, "\n}");
    free(object_text);
    return mm_strbuf_take(&sb);
}
