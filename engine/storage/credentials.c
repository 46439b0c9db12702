#include "storage/credentials.h"

#include "base/fsutil.h"
#include "base/strbuf.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int take(mm_credentials *out, const char *ak, const char *sk, const char *token, mm_error *err)
{
    out->access_key = mm_strdup(ak);
    out->secret_key = mm_strdup(sk);
    out->session_token = mm_strdup(token ? token : "");
    if (!out->access_key || !out->secret_key || !out->session_token) {
        mm_credentials_free(out);
        return mm_error_set(err, MM_ERR_NOMEM, "AWS credentials: out of memory");
    }
    return 0;
}

/* ---- the environment ------------------------------------------------------ */

/* 1 = found, 0 = not there, -1 = error. */
static int from_environment(const mm_credentials_options *o, mm_credentials *out, mm_error *err)
{
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *token = getenv("AWS_SESSION_TOKEN");
    if (!mm_has_text(ak) && !mm_has_text(sk))
        return 0;
    if (!mm_has_text(ak) || !mm_has_text(sk))
        return mm_error_set(err, MM_ERR_CONFIG, "%s.useIAM: %s is set but %s is not; set both, or neither to use "
                            "the credentials file", o->side, mm_has_text(ak) ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                            mm_has_text(ak) ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    if (take(out, ak, sk, token, err) != 0)
        return -1;
    mm_format_cut(out->source, sizeof out->source,
             "environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY%s (access key %s)",
             mm_has_text(token) ? " with AWS_SESSION_TOKEN" : "", ak);
    return 1;
}

/* ---- the shared credentials file ------------------------------------------ */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

typedef struct profile {
    char *ak, *sk, *token;
    bool found;
    mm_strbuf names;   /* every section seen, for the error message */
} profile;

/* The INI dialect of ~/.aws/credentials: [name] sections of key = value
 * lines, '#' and ';' comments. Three keys of one section are all we need;
 * no INI library is among our dependencies and this is a dozen lines. */
static int read_profile(FILE *f, const char *name, profile *p)
{
    char *line = NULL;
    size_t cap = 0;
    bool inside = false;
    while (getline(&line, &cap, f) >= 0) {
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end)
                *end = '\0';
            char *section = trim(s + 1);
            mm_strbuf_appendf(&p->names, "%s'%s'", p->names.len ? ", " : "", section);
            inside = strcmp(section, name) == 0;
            p->found |= inside;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!inside || !eq)
            continue;
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        char **slot = strcasecmp(key, "aws_access_key_id") == 0       ? &p->ak
                      : strcasecmp(key, "aws_secret_access_key") == 0 ? &p->sk
                      : strcasecmp(key, "aws_session_token") == 0     ? &p->token
                                                                      : NULL;
        if (slot) {
            free(*slot);
            *slot = mm_strdup(value);
        }
    }
    if (line)
        memset(line, 0, cap);
    free(line);
    return 0;
}

static void profile_free(profile *p)
{
    char *secrets[] = {p->sk, p->token};
    for (size_t i = 0; i < 2; i++)
        if (secrets[i])
            memset(secrets[i], 0, strlen(secrets[i]));
    free(p->ak);
    free(p->sk);
    free(p->token);
    mm_strbuf_free(&p->names);
}

/* 1 = found, 0 = not there (and why in *why), -1 = error. */
static int from_file(const mm_credentials_options *o, mm_credentials *out, char *why, size_t why_n, mm_error *err)
{
    const char *env_profile = getenv("AWS_PROFILE");
    const char *name = mm_has_text(env_profile) ? env_profile : "default";
    const char *env_file = getenv("AWS_SHARED_CREDENTIALS_FILE"), *home = getenv("HOME");
    char *path = mm_has_text(env_file) ? mm_strdup(env_file) : mm_asprintf("%s/.aws/credentials", mm_has_text(home) ? home : ".");
    if (!path)
        return mm_error_set(err, MM_ERR_NOMEM, "AWS credentials: out of memory");
    /* Only a file is opened: a FIFO in its place would hang the open. */
    int kind = mm_check_regular(path, NULL, NULL);
    FILE *f = kind == 0 ? fopen(path, "r") : NULL;
    if (!f) {
        int e = kind == 1 ? ENOENT : kind < 0 ? EINVAL : errno;
        int rc = 0;
        if (mm_has_text(env_profile))
            rc = mm_error_set(err, MM_ERR_CONFIG, "%s.useIAM: AWS_PROFILE is '%s' but the credentials file %s cannot "
                              "be read (%s); create it, point AWS_SHARED_CREDENTIALS_FILE at it, or unset AWS_PROFILE",
                              o->side, name, path, strerror(e));
        else
            mm_format_cut(why, why_n, "%s %s", path, e == ENOENT ? "does not exist" : strerror(e));
        free(path);
        return rc;
    }
    profile p = {0};
    mm_strbuf_init(&p.names);
    read_profile(f, name, &p);
    fclose(f);
    int rc = 0;
    if (!p.found && mm_has_text(env_profile)) {
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s.useIAM: AWS_PROFILE is '%s' but %s has no such profile "
                          "(it has %s); fix AWS_PROFILE or add the profile", o->side, name, path,
                          p.names.len ? p.names.data : "none");
    } else if (!p.found) {
        mm_format_cut(why, why_n, "%s has no profile 'default'", path);
    } else if (!mm_has_text(p.ak) || !mm_has_text(p.sk)) {
        rc = mm_error_set(err, MM_ERR_CONFIG, "%s.useIAM: profile '%s' of %s has no %s; add it (with "
                          "aws_access_key_id and aws_secret_access_key)", o->side, name, path,
                          !mm_has_text(p.ak) ? "aws_access_key_id" : "aws_secret_access_key");
    } else if (take(out, p.ak, p.sk, p.token, err) != 0) {
        rc = -1;
    } else {
        mm_format_cut(out->source, sizeof out->source, "profile '%s' of %s%s (access key %s)", name, path,
                 mm_has_text(p.token) ? " with a session token" : "", p.ak);
        rc = 1;
    }
    profile_free(&p);
    free(path);
    return rc;
}

/* ---- the EC2 instance metadata service (IMDSv2) ---------------------------- */

typedef struct imds {
    const char *base;
    long timeout_ms;
    char *token;
} imds;

static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    mm_strbuf *sb = ctx;
    if (sb->len < 65536)
        mm_strbuf_append_n(sb, data, size * n);
    return size * n;
}

/* One metadata request; the answer is malloc'd, NULL with err set. */
static char *imds_call(imds *m, const char *method, const char *path, const char *side, mm_error *err)
{
    char *url = mm_asprintf("%s%s", m->base, path);
    CURL *c = url ? curl_easy_init() : NULL;
    if (!c) {
        free(url);
        mm_error_set(err, MM_ERR_NOMEM, "AWS credentials: out of memory");
        return NULL;
    }
    struct curl_slist *headers = NULL;
    char header[1200];
    if (m->token) {
        snprintf(header, sizeof header, "X-aws-ec2-metadata-token: %s", m->token);
        headers = curl_slist_append(headers, header);
    } else {
        headers = curl_slist_append(headers, "X-aws-ec2-metadata-token-ttl-seconds: 21600");
    }
    mm_strbuf body;
    mm_strbuf_init(&body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, m->timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    char *text = NULL;
    if (cc != CURLE_OK)
        mm_error_set(err, MM_ERR_NETWORK, "%s.useIMDS: %s %s: %s; this is only reachable from an EC2 instance (set "
                     "useIMDS: false elsewhere)", side, method, url, curl_easy_strerror(cc));
    else if (status != 200)
        mm_error_set(err, status == 401 || status == 403 ? MM_ERR_AUTH : MM_ERR_NETWORK,
                     "%s.useIMDS: %s %s: HTTP %ld%s", side, method, url, status,
                     status == 404 ? "; the instance has no IAM role attached" : "");
    else
        text = mm_strbuf_take(&body);
    mm_strbuf_free(&body);
    free(url);
    return text;
}

static int from_imds(const mm_credentials_options *o, mm_credentials *out, mm_error *err)
{
    const char *env = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    char base[512];
    snprintf(base, sizeof base, "%s", mm_has_text(env) ? env : "http://169.254.169.254");
    for (size_t n = strlen(base); n && base[n - 1] == '/';)
        base[--n] = '\0';
    imds m = {.base = base, .timeout_ms = o->imds_timeout_ms > 0 ? o->imds_timeout_ms : 1000};
    m.token = imds_call(&m, "PUT", "/latest/api/token", o->side, err);
    if (!m.token)
        return -1;
    char *role_path = NULL, *doc = NULL;
    char *roles = imds_call(&m, "GET", "/latest/meta-data/iam/security-credentials/", o->side, err);
    int rc = roles ? 0 : -1;
    if (rc == 0) {
        roles[strcspn(roles, "\r\n")] = '\0';
        if (!roles[0])
            rc = mm_error_set(err, MM_ERR_AUTH, "%s.useIMDS: the instance has no IAM role attached", o->side);
    }
    if (rc == 0) {
        role_path = mm_asprintf("/latest/meta-data/iam/security-credentials/%s", roles);
        doc = role_path ? imds_call(&m, "GET", role_path, o->side, err) : NULL;
        rc = doc ? 0 : -1;
    }
    cJSON *json = doc ? cJSON_Parse(doc) : NULL;
    if (rc == 0) {
        const char *ak = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "AccessKeyId"));
        const char *sk = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "SecretAccessKey"));
        const char *token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "Token"));
        const char *expires = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "Expiration"));
        if (!mm_has_text(ak) || !mm_has_text(sk))
            rc = mm_error_set(err, MM_ERR_FORMAT, "%s.useIMDS: the credentials of role '%s' from %s have no "
                              "AccessKeyId or SecretAccessKey", o->side, roles, base);
        else if ((rc = take(out, ak, sk, token, err)) == 0)
            mm_format_cut(out->source, sizeof out->source,
                     "instance metadata service at %s, role '%s' (access key %s, temporary%s%s)", base, roles, ak,
                     expires ? ", expires " : "", expires ? expires : "");
    }
    cJSON_Delete(json);
    if (doc)
        memset(doc, 0, strlen(doc));
    free(doc);
    free(role_path);
    free(roles);
    memset(m.token, 0, strlen(m.token));
    free(m.token);
    return rc == 0 ? 1 : -1;
}

int mm_credentials_aws(const mm_credentials_options *opt, mm_credentials *out, mm_error *err)
{
    memset(out, 0, sizeof *out);
    mm_credentials_options o = *opt;
    if (!o.side)
        o.side = "target.remote";
    int rc = from_environment(&o, out, err);
    char why[600] = "";
    if (rc == 0)
        rc = from_file(&o, out, why, sizeof why, err);
    if (rc == 0 && o.use_imds)
        rc = from_imds(&o, out, err);
    if (rc == 0)
        return mm_error_set(err, MM_ERR_CONFIG, "%s.useIAM: no AWS credentials found: AWS_ACCESS_KEY_ID and "
                            "AWS_SECRET_ACCESS_KEY are not set and %s; set them, write that profile, or on an EC2 "
                            "instance with a role set %s.useIMDS: true", o.side, why, o.side);
    return rc < 0 ? -1 : 0;
}

void mm_credentials_free(mm_credentials *c)
{
    char *secrets[] = {c->secret_key, c->session_token};
    for (size_t i = 0; i < 2; i++)
        if (secrets[i])
            memset(secrets[i], 0, strlen(secrets[i]));
    free(c->access_key);
    free(c->secret_key);
    free(c->session_token);
    c->access_key = c->secret_key = c->session_token = NULL;
}
