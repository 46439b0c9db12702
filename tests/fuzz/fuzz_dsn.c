/* MySQL DSN parser (engine/source/dsn.c) on arbitrary text. Properties: a
 * parsed DSN is complete; its masked form parses to the same connection
 * with the password "***"; the text mm_dsn_masked hides never shows up in
 * a parse error. */
#include "fuzz_targets.h"

#include "config/dsn.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The password text mm_dsn_masked replaced (malloc'd; its offset in text
 * goes to *offset), or NULL when masked is text itself. The masked form is
 * text up to its first ':' (after a mysql:// scheme), then "***", then text
 * from the '@' on: the hidden part is what lies between. */
static char *hidden_part(const char *text, const char *masked, size_t *offset)
{
    if (strcmp(text, masked) == 0)
        return NULL;
    size_t tl = strlen(text), ml = strlen(masked);
    const char *start = strncasecmp(masked, "mysql://", 8) == 0 ? masked + 8 : masked;
    const char *colon = strchr(start, ':');
    FUZZ_CHECK(colon && strncmp(colon + 1, "***", 3) == 0);
    size_t pre = (size_t)(colon + 1 - masked), suf = ml - pre - 3;
    FUZZ_CHECK(tl >= pre + suf);
    FUZZ_CHECK(memcmp(text, masked, pre) == 0);
    FUZZ_CHECK(memcmp(text + tl - suf, masked + pre + 3, suf) == 0);
    FUZZ_CHECK(masked[pre + 3] == '@');
    char *part = malloc(tl - pre - suf + 1);
    FUZZ_CHECK(part);
    memcpy(part, text + pre, tl - pre - suf);
    part[tl - pre - suf] = '\0';
    *offset = pre;
    return part;
}

/* Another character of the same role: the DSN's punctuation and %-escapes
 * keep their place, everything else changes. */
static char other_char(char c)
{
    if (strchr("%?/@:()[]&=", c))
        return c;
    if (isxdigit((unsigned char)c))
        return c == '5' ? '6' : '5';
    return c == 'x' ? 'y' : 'x';
}

int mm_fuzz_dsn(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    char *masked = mm_dsn_masked(text);
    FUZZ_CHECK(masked);
    size_t hidden_at = 0;
    char *hidden = hidden_part(text, masked, &hidden_at);

    mm_mysql_dsn dsn;
    mm_error err = {0};
    if (mm_dsn_parse(text, &dsn, &err) == 0) {
        FUZZ_CHECK(dsn.user && dsn.password && dsn.database && dsn.database[0]);
        FUZZ_CHECK((dsn.host != NULL) != (dsn.unix_socket != NULL));
        FUZZ_CHECK(dsn.port >= 1 && dsn.port <= 65535 && dsn.connect_timeout > 0);
        /* Without anything hidden there must be no password to hide (or
         * it is the mask itself). */
        FUZZ_CHECK(hidden || dsn.password[0] == '\0' || strcmp(dsn.password, "***") == 0);

        mm_mysql_dsn again;
        mm_error err2 = {0};
        FUZZ_CHECK(mm_dsn_parse(masked, &again, &err2) == 0);
        FUZZ_CHECK(same_text(dsn.user, again.user));
        FUZZ_CHECK(same_text(dsn.host, again.host));
        FUZZ_CHECK(same_text(dsn.unix_socket, again.unix_socket));
        FUZZ_CHECK(same_text(dsn.database, again.database));
        FUZZ_CHECK(same_text(dsn.charset, again.charset));
        FUZZ_CHECK(dsn.port == again.port && dsn.connect_timeout == again.connect_timeout);
        FUZZ_CHECK(strcmp(again.password, hidden ? "***" : dsn.password) == 0);
        mm_dsn_free(&again);
        mm_dsn_free(&dsn);
    } else {
        FUZZ_CHECK(err.code == MM_ERR_CONFIG && err.message[0]);
        /* The message must not depend on the hidden part: with another
         * password of the same shape it fails the same way. */
        if (hidden) {
            char *other = strdup(text);
            FUZZ_CHECK(other);
            for (size_t i = 0; hidden[i]; i++)
                other[hidden_at + i] = other_char(hidden[i]);
            mm_mysql_dsn dsn2;
            mm_error err2 = {0};
            if (mm_dsn_parse(other, &dsn2, &err2) == 0)
                mm_dsn_free(&dsn2);
            else
                FUZZ_CHECK(strcmp(err.message, err2.message) == 0);
            free(other);
        }
    }
    free(hidden);
    free(masked);
    free(text);
    return 0;
}

MM_FUZZ_ENTRY(mm_fuzz_dsn)
