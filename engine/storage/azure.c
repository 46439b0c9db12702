/* Azure Blob Storage as a storage backend: the operations other than
 * upload (azure_upload.c), on the request loop of azure_request.c. */
#include "storage/azure_internal.h"
#include "storage/http_common.h"

#include "base/timeutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void init_curl(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* ---- operations ------------------------------------------------------------ */

static const char *az_describe(const mm_storage *st)
{
    return ((const mm_azure *)st)->label;
}

static int az_check(mm_storage *st, mm_error *err)
{
    mm_azure *az = (mm_azure *)st;
    /* Listing one blob needs only list rights, which a container SAS has;
     * Get Container Properties would not work with it. */
    const mm_azure_pair q[] = {{"restype", "container"}, {"comp", "list"}, {"maxresults", "1"}};
    mm_azure_call call = {.method = "GET", .query = q, .n_query = 3};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request(az, &call, &r, err);
    if (rc != 0 && r.status == 404)
        rc = mm_error_set(err, MM_ERR_IO, "Azure container %s does not exist (%s); create it or fix %s.bucket",
                          az->label, r.service_value[0] ? r.service_value : "404", az->side);
    mm_strbuf_free(&r.text);
    return rc;
}

static int az_head(mm_storage *st, const char *key, mm_storage_object *out, mm_error *err)
{
    mm_azure_call call = {.method = "HEAD", .key = key, .allow_404 = true};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request((mm_azure *)st, &call, &r, err);
    out->size = (rc == 0 && r.status != 404) ? r.content_length : -1;
    snprintf(out->etag, sizeof out->etag, "%s", rc == 0 && r.status != 404 ? r.etag : "");
    mm_strbuf_free(&r.text);
    return rc;
}

static int az_remove(mm_storage *st, const char *key, mm_error *err)
{
    mm_azure_call call = {.method = "DELETE", .key = key, .allow_404 = true};
    mm_azure_response r = {.sink_fd = -1};
    int rc = mm_azure_request((mm_azure *)st, &call, &r, err);
    mm_strbuf_free(&r.text);
    return rc;
}

static int az_get_file(mm_storage *st, const char *key, const char *path, mm_error *err)
{
    char *partial = mm_asprintf("%s.partial", path);
    if (!partial)
        return mm_error_set(err, MM_ERR_NOMEM, "Azure GET: out of memory");
    int fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = mm_error_errno(err, errno, "create", partial);
        free(partial);
        return rc;
    }
    mm_azure_call call = {.method = "GET", .key = key};
    mm_azure_response r = {.sink_fd = fd};
    int rc = mm_azure_request((mm_azure *)st, &call, &r, err);
    if (rc == 0 && r.content_length >= 0 && r.sunk != (uint64_t)r.content_length)
        rc = mm_error_set(err, MM_ERR_IO, "Azure GET %s/%s: got %llu of %lld bytes", ((mm_azure *)st)->label, key,
                          (unsigned long long)r.sunk, (long long)r.content_length);
    if (rc == 0 && fsync(fd) != 0)
        rc = mm_error_errno(err, errno, "fsync", partial);
    if (close(fd) != 0 && rc == 0)
        rc = mm_error_errno(err, errno, "close", partial);
    if (rc == 0 && rename(partial, path) != 0)
        rc = mm_error_errno(err, errno, "rename to", path);
    if (rc != 0)
        unlink(partial);
    mm_strbuf_free(&r.text);
    free(partial);
    return rc;
}

static int az_list(mm_storage *st, const char *prefix, mm_storage_list_fn fn, void *ctx, mm_error *err)
{
    mm_azure *az = (mm_azure *)st;
    char *marker = mm_strdup("");
    int rc = marker ? 0 : mm_error_set(err, MM_ERR_NOMEM, "Azure list: out of memory");
    while (rc == 0) {
        mm_azure_pair q[5] = {{"restype", "container"}, {"comp", "list"}, {"prefix", prefix ? prefix : ""},
                              {"maxresults", "1000"}, {"marker", marker}};
        mm_azure_call call = {.method = "GET", .query = q, .n_query = marker[0] ? 5 : 4};
        mm_azure_response r = {.sink_fd = -1, .text_cap = (size_t)64 << 20};
        rc = mm_azure_request(az, &call, &r, err);
        const char *end = r.text.data ? r.text.data + r.text.len : NULL;
        const char *at = r.text.data;
        char *blob = NULL;
        while (rc == 0 && at && (blob = mm_azure_xml_next(&at, end, "Blob")) != NULL) {
            const char *inner = blob, *inner_end = blob + strlen(blob);
            char *name = mm_azure_xml_next(&inner, inner_end, "Name");
            char *length = mm_azure_xml_next(&inner, inner_end, "Content-Length");
            if (name)
                rc = fn(ctx, name, length ? strtoll(length, NULL, 10) : -1);
            free(name);
            free(length);
            free(blob);
        }
        at = r.text.data;
        char *next = (rc == 0 && at) ? mm_azure_xml_next(&at, end, "NextMarker") : NULL;
        mm_strbuf_free(&r.text);
        free(marker);
        marker = next;
        if (!marker || !marker[0])
            break;
    }
    free(marker);
    return rc;
}

static void az_close(mm_storage *st)
{
    mm_azure *az = (mm_azure *)st;
    if (!az)
        return;
    memset(az->key, 0, sizeof az->key);
    if (az->sas)
        memset(az->sas, 0, strlen(az->sas));
    free(az->service_url);
    free(az->path_prefix);
    free(az->account);
    free(az->container);
    free(az->sas);
    free(az->side);
    free(az->label);
    free(az->ca_file);
    mm_http_pool_free(az->pool);
    free(az);
}

static const mm_storage_ops azure_ops = {
    .describe = az_describe, .check = az_check, .put_file = mm_azure_put_file, .head = az_head,
    .remove = az_remove, .get_file = az_get_file, .list = az_list, .close = az_close,
};

int mm_storage_azure_open(const mm_azure_options *opt, mm_storage **out, mm_error *err)
{
    pthread_once(&curl_once, init_curl);
    *out = NULL;
    const char *side = mm_has_text(opt->side) ? opt->side : "target.remote";
    if (!mm_has_text(opt->container))
        return mm_error_set(err, MM_ERR_CONFIG, "Azure: no container given (%s.bucket)", side);
    if (!mm_has_text(opt->account))
        return mm_error_set(err, MM_ERR_CONFIG, "Azure: no storage account name given (%s.ak)", side);
    mm_azure *az = calloc(1, sizeof *az);
    if (!az)
        return mm_error_set(err, MM_ERR_NOMEM, "Azure: out of memory");
    az->base.ops = &azure_ops;
    if (mm_has_text(opt->sas_token)) {
        az->sas = mm_strdup(opt->sas_token + (opt->sas_token[0] == '?'));
    } else if (mm_has_text(opt->account_key)) {
        az->key_len = mm_azure_decode_key(opt->account_key, az->key, sizeof az->key);
        if (az->key_len <= 0) {
            az_close(&az->base);
            return mm_error_set(err, MM_ERR_CONFIG, "%s.sk is not an Azure account key (expected the base64 text "
                                "the portal shows under Access keys)", side);
        }
    }
    az->service_url = mm_strdup(opt->service_url);
    const char *host = az->service_url ? strstr(az->service_url, "://") : NULL;
    const char *slash = host ? strchr(host + 3, '/') : NULL;
    az->path_prefix = mm_strdup(slash ? slash : "");
    az->account = mm_strdup(opt->account);
    az->container = mm_strdup(opt->container);
    az->side = mm_strdup(side);
    az->ca_file = mm_has_text(opt->ca_file) ? mm_strdup(opt->ca_file) : NULL;
    az->label = mm_asprintf("azure://%s at %s", opt->container, opt->service_url);
    uint64_t max_block = (uint64_t)4000 << 20;
    az->block_size = opt->block_size ? (opt->block_size < max_block ? opt->block_size : max_block) : (uint64_t)64 << 20;
    az->max_retries = opt->max_retries > 0 ? opt->max_retries : 0;
    az->retry_base_ms = opt->retry_base_ms > 0 ? opt->retry_base_ms : 200;
    az->pool = mm_http_pool_new();
    if (!host || !az->pool || !az->path_prefix || !az->account || !az->container || !az->side || !az->label ||
        (mm_has_text(opt->sas_token) && !az->sas) || (mm_has_text(opt->ca_file) && !az->ca_file)) {
        az_close(&az->base);
        return host ? mm_error_set(err, MM_ERR_NOMEM, "Azure: out of memory")
                    : mm_error_set(err, MM_ERR_CONFIG, "Azure: service URL '%s' has no scheme",
                                   opt->service_url ? opt->service_url : "");
    }
    *out = &az->base;
    return 0;
}
