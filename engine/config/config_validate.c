/* Checks that involve more than one key: what each mode requires (from the
 * table's required/shown_if/required_if), and the rules the table cannot
 * express (credentials in pairs, TLS files only with TLS, part counts). */
#include "config/config_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct problems {
    const mm_config *cfg;
    mm_strbuf text;
    size_t count;
} problems;

/* "<file>:<line>:<column>: " of the first of the keys that came from the
 * file, or "<file>: ", or nothing for a config built in memory. */
static void position(problems *p, const char *const *names)
{
    if (!p->cfg->origin)
        return;
    for (; *names; names++) {
        const mm_config_key *key = mm_config_find_key(*names);
        const struct mm_config_pos *w = key ? &p->cfg->where[mm_cfg_key_index(key)] : NULL;
        if (w && w->line) {
            mm_strbuf_appendf(&p->text, "%s:%d:%d: ", p->cfg->origin, w->line, w->column);
            return;
        }
    }
    mm_strbuf_appendf(&p->text, "%s: ", p->cfg->origin);
}

static void add(problems *p, const char *const *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add(problems *p, const char *const *where, const char *fmt, ...)
{
    if (p->count++)
        mm_strbuf_append(&p->text, "\n");
    position(p, where);
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    mm_strbuf_append(&p->text, line);
}

static void check_required(problems *p, const mm_config_key *key)
{
    const mm_config *cfg = p->cfg;
    if (!mm_cfg_cond_holds(cfg, &key->shown_if) || !mm_cfg_cond_holds(cfg, &key->required_if) ||
        !mm_cfg_is_empty(cfg, key))
        return;
    const mm_config_cond *cond = key->required_if.key ? &key->required_if : &key->shown_if;
    char expect[512], what[300];
    if (key->choices) { /* the choices say it better than the doc line */
        snprintf(expect, sizeof expect, "expected %s",
                 mm_config_key_expectation(key, what, sizeof what));
    } else {
        snprintf(what, sizeof what, "%s", key->doc);
        if (what[0] >= 'A' && what[0] <= 'Z' && what[1] >= 'a' && what[1] <= 'z')
            what[0] = (char)(what[0] - 'A' + 'a');
        snprintf(expect, sizeof expect, "expected: %s", what);
    }
    const char *where[] = {key->name, cond->key, NULL};
    if (!cond->key) {
        add(p, where, "%s is not set (%s)", key->name, expect);
        return;
    }
    mm_strbuf why;
    mm_strbuf_init(&why);
    mm_cfg_cond_describe(cond, &why);
    add(p, where, "%s but %s is not set (%s)", why.data ? why.data : cond->key, key->name, expect);
    mm_strbuf_free(&why);
}

static bool set(const char *s)
{
    return s && *s;
}

static void check_remote(problems *p, mm_config_warnings *warn, const char *side,
                         const mm_config_remote *r)
{
    char ak[64], sk[64], iam[64];
    snprintf(ak, sizeof ak, "%s.remote.ak", side);
    snprintf(sk, sizeof sk, "%s.remote.sk", side);
    snprintf(iam, sizeof iam, "%s.remote.useIAM", side);
    if (r->cloud == MM_CLOUD_AZURE) {
        /* ak names the account; the secret is the account key or a SAS token. */
        const char *where[] = {iam, sk, ak, NULL};
        if (r->use_iam)
            add(p, where, "%s is not supported with cloud azure; set %s (the account key) or %s.remote.sasToken",
                iam, sk, side);
        else if (!set(r->sk) && !set(r->sas_token) && set(r->ak))
            add(p, where, "%s.remote.cloud is azure but neither %s (the account key) nor %s.remote.sasToken is set",
                side, sk, side);
        return;
    }
    if (r->use_iam) {
        if (set(r->ak) || set(r->sk))
            mm_config_warnings_add(warn, "%s is true, so %s and %s are not used", iam, ak, sk);
        return;
    }
    if (set(r->ak) != set(r->sk)) {
        const char *given = set(r->ak) ? ak : sk, *missing = set(r->ak) ? sk : ak;
        const char *where[] = {given, NULL};
        add(p, where,
            "%s is set but %s is empty; set both, leave both empty for anonymous access, or set "
            "%s: true",
            given, missing, iam);
    }
}

static void check_part_count(problems *p)
{
    const uint64_t max_parts = 10000;
    uint64_t file = p->cfg->dumper.max_file_size, part = p->cfg->dumper.part_size;
    if (part == 0 || (file + part - 1) / part <= max_parts)
        return;
    uint64_t need = (file + max_parts - 1) / max_parts;
    need = (need + (1u << 20) - 1) / (1u << 20) * (1u << 20);
    char fs[32], ps[32], ns[32];
    mm_cfg_format_size(file, fs, sizeof fs);
    mm_cfg_format_size(part, ps, sizeof ps);
    mm_cfg_format_size(need, ns, sizeof ns);
    const char *where[] = {"dumper.partSize", "dumper.maxFileSize", NULL};
    add(p, where,
        "dumper.maxFileSize %s needs more than 10000 parts of dumper.partSize %s (the S3 limit); "
        "raise dumper.partSize to at least %s",
        fs, ps, ns);
}

static void check_milvus(problems *p)
{
    const mm_config *cfg = p->cfg;
    const __typeof__(cfg->target.milvus2x) *m = &cfg->target.milvus2x;
    if (set(m->username) && !set(m->password)) {
        const char *where[] = {"target.milvus2x.username", NULL};
        add(p, where,
            "target.milvus2x.username is set but target.milvus2x.password is empty; set the "
            "password, or remove the user name when authorization is off");
    } else if (!set(m->username) && set(m->password)) {
        const char *where[] = {"target.milvus2x.password", NULL};
        add(p, where,
            "target.milvus2x.password is set but target.milvus2x.username is empty, so the "
            "password would not be sent; set the user name");
    }
    if (set(m->tls.cert_file) != set(m->tls.key_file)) {
        const char *given = set(m->tls.cert_file) ? "certFile" : "keyFile";
        const char *missing = set(m->tls.cert_file) ? "keyFile" : "certFile";
        char name[64];
        snprintf(name, sizeof name, "target.milvus2x.tls.%s", given);
        const char *where[] = {name, NULL};
        add(p, where,
            "%s is set but target.milvus2x.tls.%s is empty; mutual TLS needs the certificate "
            "and its key",
            name, missing);
    }
    if (!mm_config_tls_enabled(cfg)) {
        static const char *const tls_keys[] = {"caFile", "certFile", "keyFile", "serverName"};
        const char *const values[] = {m->tls.ca_file, m->tls.cert_file, m->tls.key_file,
                                      m->tls.server_name};
        for (size_t i = 0; i < 4; i++) {
            if (!set(values[i]))
                continue;
            char name[64];
            snprintf(name, sizeof name, "target.milvus2x.tls.%s", tls_keys[i]);
            const char *where[] = {name, NULL};
            add(p, where,
                "%s is set but TLS is off; set target.milvus2x.tls.enabled: true, or remove the "
                "TLS settings",
                name);
            break;
        }
    } else if (strncasecmp(m->endpoint, "http://", 7) == 0) {
        const char *where[] = {"target.milvus2x.endpoint", "target.milvus2x.tls.enabled", NULL};
        add(p, where,
            "target.milvus2x.endpoint starts with http:// but target.milvus2x.tls.enabled is "
            "true; use https:// or host:port");
    }
}

int mm_config_validate(const mm_config *cfg, unsigned phases, mm_config_warnings *warn,
                       mm_error *err)
{
    problems p = {.cfg = cfg};
    mm_strbuf_init(&p.text);
    size_t n;
    const mm_config_key *keys = mm_config_keys(&n);
    for (size_t i = 0; i < n; i++)
        if ((keys[i].flags & MM_CFG_F_REQUIRED) && (keys[i].phases & phases))
            check_required(&p, &keys[i]);

    /* The unit the reference documents, and values copied from files
     * that meant bytes. */
    int kb = cfg->dumper.worker.writer_buffer_kb;
    if (kb >= 65536)
        mm_config_warnings_add(warn, "dumper.worker.writer.bufferSize is in KiB (as the reference tool documents "
                               "it): %d means %d MiB per output file; if %d bytes were meant, write %d", kb,
                               kb / 1024, kb, kb / 1024);
    if (phases & MM_CONFIG_PHASE_SOURCE) {
        if (cfg->meta.mode == MM_META_REMOTE && cfg->source.mode == MM_LOCATION_LOCAL) {
            const char *where[] = {"meta.mode", NULL};
            add(&p, where,
                "meta.mode is remote, which reads meta.remoteMetaFile from the source bucket, "
                "but source.mode is local; set source.mode: remote with source.remote.*, or use "
                "meta.mode: local with meta.localFile");
        }
        if (cfg->source.mode == MM_LOCATION_REMOTE)
            check_remote(&p, warn, "source", &cfg->source.remote);
    }
    if (phases & MM_CONFIG_PHASE_STAGE) {
        if (cfg->target.mode == MM_LOCATION_REMOTE) {
            check_remote(&p, warn, "target", &cfg->target.remote);
            check_part_count(&p);
        }
    }
    if (phases & (MM_CONFIG_PHASE_STAGE | MM_CONFIG_PHASE_MILVUS)) {
        if (strcmp(cfg->target.milvus2x.fields.id, cfg->target.milvus2x.fields.vector) == 0) {
            const char *where[] = {"target.milvus2x.fields.vector", "target.milvus2x.fields.id",
                                   NULL};
            add(&p, where,
                "target.milvus2x.fields.id and target.milvus2x.fields.vector are both \"%s\"; the "
                "two fields need different names",
                cfg->target.milvus2x.fields.id);
        }
    }
    if (phases & MM_CONFIG_PHASE_MILVUS)
        check_milvus(&p);

    int rc = 0;
    if (p.count)
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s", p.text.data ? p.text.data : "invalid");
    mm_strbuf_free(&p.text);
    return rc;
}
