/* cloud -> backend: which server, addressing, signing region and
 * credentials each provider of source.remote / target.remote gets. The
 * S3-compatible clouds differ only in data (the table below); Azure has a
 * backend of its own. */
#include "storage/storage_resolve.h"

#include "base/strbuf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct s3_cloud {
    mm_cloud cloud;
    const char *name;
    const char *host_format;    /* default endpoint, %s = region; NULL = endpoint required */
    const char *default_region; /* signing region when region is empty; NULL = region required */
    const char *region_example;
    bool virtual_host;          /* bucket.host/key with the default endpoint */
    bool virtual_host_custom;   /* the same with an explicit endpoint */
    bool iam;                   /* useIAM reads AWS credentials */
    const char *credentials_hint; /* what to use instead of useIAM */
} s3_cloud;

/* Amazon keeps path-style for buckets with dots (whose names break the TLS
 * wildcard of virtual hosts); MinIO and other servers at an endpoint are
 * path-style. GCS answers both; path-style avoids the same TLS issue. OSS
 * and COS only serve virtual hosts. */
static const s3_cloud s3_clouds[] = {
    {MM_CLOUD_AWS, "aws", "s3.%s.amazonaws.com", "us-east-1", "us-west-2", true, false, true, NULL},
    {MM_CLOUD_MINIO, "minio", NULL, "us-east-1", "us-east-1", false, false, true, NULL},
    {MM_CLOUD_GCP, "gcp", "storage.googleapis.com", "auto", "auto", false, false, false,
     "an HMAC key of a service account as ak and sk"},
    {MM_CLOUD_ALI, "ali", "s3.oss-%s.aliyuncs.com", NULL, "cn-hangzhou", true, true, false,
     "a RAM user's AccessKey pair as ak and sk"},
    {MM_CLOUD_TC, "tc", "cos.%s.myqcloud.com", NULL, "ap-guangzhou", true, true, false,
     "an API key pair (SecretId, SecretKey) as ak and sk"},
};

static const s3_cloud *find_s3_cloud(mm_cloud cloud)
{
    for (size_t i = 0; i < sizeof s3_clouds / sizeof s3_clouds[0]; i++)
        if (s3_clouds[i].cloud == cloud)
            return &s3_clouds[i];
    return NULL;
}

static int plan_credentials(const mm_config_remote *r, const char *side, const s3_cloud *c, mm_storage_plan *p,
                            mm_error *err)
{
    if (r->use_iam && !c->iam)
        return mm_error_set(err, MM_ERR_CONFIG, "%s.useIAM is supported for cloud aws and minio only; for %s use "
                            "%s", side, c->name, c->credentials_hint);
    if (r->use_iam) {
        mm_credentials_options o = {.side = side, .use_imds = r->use_imds};
        if (mm_credentials_aws(&o, &p->creds, err) != 0)
            return -1;
        p->s3.access_key = p->creds.access_key;
        p->s3.secret_key = p->creds.secret_key;
        p->s3.session_token = p->creds.session_token;
        p->s3.iam_source = p->creds.source;
        mm_format_cut(p->credentials, sizeof p->credentials, "%s.useIAM: %s", side, p->creds.source);
        return 0;
    }
    p->s3.access_key = r->ak;
    p->s3.secret_key = r->sk;
    if (mm_has_text(r->ak))
        mm_format_cut(p->credentials, sizeof p->credentials, "access key %s from %s.ak and %s.sk", r->ak, side, side);
    else
        mm_format_cut(p->credentials, sizeof p->credentials, "anonymous (%s.ak and %s.sk are empty)", side, side);
    return 0;
}

static int plan_s3(const mm_config_remote *r, const char *side, const s3_cloud *c, bool credentials,
                   mm_storage_plan *p, mm_error *err)
{
    p->kind = MM_STORAGE_KIND_S3;
    if (!c->default_region && !mm_has_text(r->region))
        return mm_error_set(err, MM_ERR_CONFIG, "%s.cloud is %s but %s.region is empty; set the bucket's region, "
                            "e.g. %s: it signs the requests%s", side, c->name, side, c->region_example,
                            c->host_format ? " and picks the default endpoint" : "");
    const char *region = mm_has_text(r->region) ? r->region : c->default_region;
    bool custom = mm_has_text(r->endpoint);
    if (!custom && !c->host_format)
        return mm_error_set(err, MM_ERR_CONFIG, "%s.cloud is %s but %s.endpoint is empty; set the server's "
                            "host:port", side, c->name, side);
    p->endpoint = custom ? mm_strdup(r->endpoint) : mm_asprintf(c->host_format, region);
    if (!p->endpoint)
        return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", side);
    p->s3.endpoint = p->endpoint;
    /* The providers' own endpoints are always reached over https. */
    p->s3.use_ssl = custom ? r->use_ssl : true;
    p->s3.virtual_host = custom ? c->virtual_host_custom : c->virtual_host;
    if (c->cloud == MM_CLOUD_AWS && !custom && strchr(r->bucket, '.'))
        p->s3.virtual_host = false;
    p->s3.region = region;
    p->s3.bucket = r->bucket;
    p->s3.side = side;
    p->s3.ca_file = r->ca_file;
    return credentials ? plan_credentials(r, side, c, p, err) : 0;
}

/* An IP literal or localhost: an emulator or Azure Stack, addressed with the
 * account as the first path segment, as the Azure SDKs do. */
static bool ip_style_host(const char *endpoint)
{
    char host[256];
    if (endpoint[0] == '[') {
        const char *end = strchr(endpoint, ']');
        snprintf(host, sizeof host, "%.*s", end ? (int)(end - endpoint - 1) : 0, endpoint + 1);
    } else {
        snprintf(host, sizeof host, "%.*s", (int)strcspn(endpoint, ":"), endpoint);
    }
    unsigned char addr[16];
    return strcasecmp(host, "localhost") == 0 || inet_pton(AF_INET, host, addr) == 1 ||
           inet_pton(AF_INET6, host, addr) == 1;
}

static int plan_azure(const mm_config_remote *r, const char *side, mm_storage_plan *p, mm_error *err)
{
    p->kind = MM_STORAGE_KIND_AZURE;
    if (!mm_has_text(r->ak))
        return mm_error_set(err, MM_ERR_CONFIG, "%s.cloud is azure but %s.ak is empty; set it to the storage "
                            "account name", side, side);
    if (r->use_iam)
        return mm_error_set(err, MM_ERR_CONFIG, "%s.useIAM is not supported with cloud azure; set %s.sk (the "
                            "account key) or %s.sasToken", side, side, side);
    if (!mm_has_text(r->sk) && !mm_has_text(r->sas_token))
        return mm_error_set(err, MM_ERR_CONFIG, "%s.cloud is azure but neither %s.sk (the account key) nor "
                            "%s.sasToken is set", side, side, side);
    const char *scheme = !mm_has_text(r->endpoint) || r->use_ssl ? "https" : "http";
    size_t ak_len = strlen(r->ak);
    if (!mm_has_text(r->endpoint))
        p->service_url = mm_asprintf("https://%s.blob.core.windows.net", r->ak);
    else if (ip_style_host(r->endpoint))
        p->service_url = mm_asprintf("%s://%s/%s", scheme, r->endpoint, r->ak);
    else if (strncasecmp(r->endpoint, r->ak, ak_len) == 0 && r->endpoint[ak_len] == '.')
        p->service_url = mm_asprintf("%s://%s", scheme, r->endpoint);
    else
        p->service_url = mm_asprintf("%s://%s.%s", scheme, r->ak, r->endpoint);
    if (!p->service_url)
        return mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", side);
    p->azure.account = r->ak;
    p->azure.container = r->bucket;
    p->azure.service_url = p->service_url;
    p->azure.side = side;
    p->azure.ca_file = r->ca_file;
    if (mm_has_text(r->sas_token)) {
        p->azure.sas_token = r->sas_token;
        mm_format_cut(p->credentials, sizeof p->credentials, "SAS token from %s.sasToken for account %s", side, r->ak);
    } else {
        p->azure.account_key = r->sk;
        mm_format_cut(p->credentials, sizeof p->credentials, "Shared Key of account %s from %s.sk", r->ak, side);
    }
    return 0;
}

static int plan_make(const mm_config_remote *remote, const char *side, const mm_storage_tuning *tuning,
                     bool credentials, mm_storage_plan *plan, mm_error *err)
{
    memset(plan, 0, sizeof *plan);
    if (!mm_has_text(side))
        side = "target.remote";
    if (!mm_has_text(remote->bucket))
        return mm_error_set(err, MM_ERR_CONFIG, "%s.bucket is empty; set the bucket%s", side,
                            remote->cloud == MM_CLOUD_AZURE ? " (the Azure container)" : "");
    mm_storage_tuning t = tuning ? *tuning : (mm_storage_tuning){0};
    int retries = t.max_retries > 0 ? t.max_retries : 5, base_ms = t.retry_base_ms > 0 ? t.retry_base_ms : 200;
    int rc;
    if (remote->cloud == MM_CLOUD_AZURE) {
        rc = plan_azure(remote, side, plan, err);
        plan->azure.block_size = t.part_size;
        plan->azure.max_retries = retries;
        plan->azure.retry_base_ms = base_ms;
    } else {
        const s3_cloud *c = find_s3_cloud(remote->cloud);
        rc = c ? plan_s3(remote, side, c, credentials, plan, err)
               : mm_error_set(err, MM_ERR_INTERNAL, "%s.cloud: no backend for value %d", side, (int)remote->cloud);
        plan->s3.part_size = t.part_size;
        plan->s3.max_retries = retries;
        plan->s3.retry_base_ms = base_ms;
    }
    if (rc != 0)
        mm_storage_plan_free(plan);
    return rc;
}

int mm_storage_plan_make(const mm_config_remote *remote, const char *side, const mm_storage_tuning *tuning,
                         mm_storage_plan *plan, mm_error *err)
{
    return plan_make(remote, side, tuning, true, plan, err);
}

char *mm_storage_label(const mm_config_remote *remote, const char *side, mm_error *err)
{
    mm_storage_plan plan;
    if (plan_make(remote, side, NULL, false, &plan, err) != 0)
        return NULL;
    /* As the backends describe themselves (mm_s3_open, mm_azure_open). */
    char *label = plan.kind == MM_STORAGE_KIND_AZURE
                      ? mm_asprintf("azure://%s at %s", plan.azure.container, plan.azure.service_url)
                      : mm_asprintf("s3://%s at %s://%s", plan.s3.bucket, plan.s3.use_ssl ? "https" : "http",
                                    plan.s3.endpoint);
    mm_storage_plan_free(&plan);
    if (!label)
        mm_error_set(err, MM_ERR_NOMEM, "%s: out of memory", side);
    return label;
}

void mm_storage_plan_free(mm_storage_plan *plan)
{
    mm_credentials_free(&plan->creds);
    free(plan->endpoint);
    free(plan->service_url);
    memset(plan, 0, sizeof *plan);
}

int mm_storage_open(const mm_config_remote *remote, const char *side, const mm_storage_tuning *tuning,
                    mm_storage **out, mm_error *err)
{
    *out = NULL;
    mm_storage_plan plan;
    if (mm_storage_plan_make(remote, side, tuning, &plan, err) != 0)
        return -1;
    int rc = plan.kind == MM_STORAGE_KIND_AZURE ? mm_storage_azure_open(&plan.azure, out, err)
                                                : mm_storage_s3_open(&plan.s3, out, err);
    if (rc == 0)
        memcpy((*out)->credentials, plan.credentials, sizeof plan.credentials);
    mm_storage_plan_free(&plan);
    return rc;
}

_Static_assert(sizeof((mm_storage *)0)->credentials == sizeof((mm_storage_plan *)0)->credentials,
               "mm_storage_open copies the description whole");
