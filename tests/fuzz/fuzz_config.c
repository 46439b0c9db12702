/* migration.yaml loader (engine/config/config_yaml.c and the per-key parsers) on
 * arbitrary text. Properties of a config that loads: saving and loading it
 * again gives the same values and the same text; the redacted rendering,
 * validation messages and warnings do not change when only a secret's
 * value changes (so they cannot show it); secrets display as "***". */
#include "fuzz_targets.h"

#include "config/config.h"

#include <string.h>

static const char other_secret[] = "other-secret-value";

static char *validation_text(const mm_config *cfg)
{
    mm_config_warnings warn = {0};
    mm_error err = {0};
    int rc = mm_config_validate(cfg, MM_CONFIG_PHASE_ALL, &warn, &err);
    FUZZ_CHECK(rc == 0 || (err.code == MM_ERR_CONFIG && err.message[0]));
    size_t len = strlen(err.message) + 2;
    for (size_t i = 0; i < warn.count; i++)
        len += strlen(warn.items[i]) + 1;
    char *text = malloc(len);
    FUZZ_CHECK(text);
    strcpy(text, rc == 0 ? "" : err.message);
    strcat(text, "\n");
    for (size_t i = 0; i < warn.count; i++) {
        strcat(text, warn.items[i]);
        strcat(text, "\n");
    }
    mm_config_warnings_free(&warn);
    return text;
}

/* What may be shown of cfg: the redacted YAML and the validation output. */
static char *shown_text(const mm_config *cfg)
{
    char *yaml = mm_config_render_redacted(cfg);
    FUZZ_CHECK(yaml);
    char *checks = validation_text(cfg);
    char *both = malloc(strlen(yaml) + strlen(checks) + 1);
    FUZZ_CHECK(both);
    strcpy(both, yaml);
    strcat(both, checks);
    free(yaml);
    free(checks);
    return both;
}

static void check_round_trip(const mm_config *cfg)
{
    char *text = mm_config_render(cfg);
    FUZZ_CHECK(text);
    mm_config again;
    mm_config_init_defaults(&again);
    mm_config_warnings warn = {0};
    mm_error err = {0};
    int rc = mm_config_load_text(text, strlen(text), "saved.yaml", &again, &warn, &err);
    if (rc != 0)
        fprintf(stderr, "saved text does not load: %s\n%s", err.message, text);
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(mm_config_equal(cfg, &again));
    char *text2 = mm_config_render(&again);
    FUZZ_CHECK(text2 && strcmp(text, text2) == 0);
    free(text2);
    free(text);
    mm_config_warnings_free(&warn);
    mm_config_free(&again);
}

static void check_secrets_hidden(const mm_config *cfg)
{
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    char *shown = shown_text(cfg);
    for (size_t i = 0; i < n; i++) {
        if (!(keys[i].flags & MM_CFG_F_SECRET))
            continue;
        char *display = mm_config_get_display(cfg, &keys[i]);
        char value[4096];
        int len = mm_config_get_string(cfg, &keys[i], value, sizeof value);
        FUZZ_CHECK(display && strcmp(display, len > 0 ? "***" : "") == 0);
        free(display);
        if (len <= 0 || strcmp(value, other_secret) == 0)
            continue;
        mm_config copy = {0};
        mm_error err = {0};
        FUZZ_CHECK(mm_config_copy(&copy, cfg, &err) == 0);
        struct mm_config_pos where = copy.where[i];
        FUZZ_CHECK(mm_config_set_string(&copy, &keys[i], other_secret, &err) == 0);
        copy.where[i] = where;
        char *shown_other = shown_text(&copy);
        if (strcmp(shown, shown_other) != 0)
            fprintf(stderr, "%s shows through:\n%s\n---\n%s", keys[i].name, shown, shown_other);
        FUZZ_CHECK(strcmp(shown, shown_other) == 0);
        free(shown_other);
        mm_config_free(&copy);
    }
    free(shown);
}

int mm_fuzz_config(const uint8_t *data, size_t size)
{
    mm_config cfg;
    mm_config_init_defaults(&cfg);
    mm_config_warnings warn = {0};
    mm_error err = {0};
    if (mm_config_load_text((const char *)data, size, "fuzz.yaml", &cfg, &warn, &err) != 0) {
        FUZZ_CHECK((err.code == MM_ERR_CONFIG || err.code == MM_ERR_NOMEM) && err.message[0]);
    } else {
        check_round_trip(&cfg);
        check_secrets_hidden(&cfg);
        char *state = mm_config_state_dir(&cfg);
        FUZZ_CHECK(state && state[0]);
        free(state);
    }
    mm_config_warnings_free(&warn);
    mm_config_free(&cfg);
    return 0;
}

MM_FUZZ_ENTRY(mm_fuzz_config)
