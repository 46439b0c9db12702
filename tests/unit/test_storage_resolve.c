/* cloud -> backend: the server, addressing, signing region and credentials
 * mm_storage_open gives each provider, checked on the resolved options. */
#include "storage/storage_resolve.h"
#include "testlib.h"

#include <stdlib.h>

static mm_config_remote remote(mm_cloud cloud, const char *endpoint, const char *region, const char *bucket)
{
    mm_config_remote r = {
        .cloud = cloud, .endpoint = (char *)endpoint, .region = (char *)region, .bucket = (char *)bucket,
        .ak = "AKIDEXAMPLE", .sk = "secret-never-shown", .sas_token = "", .prefix = "",
    };
    return r;
}

typedef struct s3_case {
    const char *name;
    mm_cloud cloud;
    const char *endpoint, *region, *bucket;
    bool use_ssl;
    /* expected */
    const char *host;
    bool https, virtual_host;
    const char *signing_region;
} s3_case;

static const s3_case s3_cases[] = {
    {"aws default", MM_CLOUD_AWS, "", "", "a-bucket", false, "s3.us-east-1.amazonaws.com", true, true, "us-east-1"},
    {"aws region", MM_CLOUD_AWS, "", "eu-west-1", "a-bucket", false, "s3.eu-west-1.amazonaws.com", true, true,
     "eu-west-1"},
    {"aws dotted bucket", MM_CLOUD_AWS, "", "eu-west-1", "a.b", false, "s3.eu-west-1.amazonaws.com", true, false,
     "eu-west-1"},
    {"aws endpoint", MM_CLOUD_AWS, "127.0.0.1:9000", "", "a-bucket", false, "127.0.0.1:9000", false, false,
     "us-east-1"},
    {"minio", MM_CLOUD_MINIO, "minio.local:9000", "", "a-bucket", true, "minio.local:9000", true, false, "us-east-1"},
    {"gcp default", MM_CLOUD_GCP, "", "", "a-bucket", false, "storage.googleapis.com", true, false, "auto"},
    {"gcp region", MM_CLOUD_GCP, "", "europe-west4", "a-bucket", false, "storage.googleapis.com", true, false,
     "europe-west4"},
    {"gcp endpoint", MM_CLOUD_GCP, "gcs-proxy:8080", "", "a-bucket", false, "gcs-proxy:8080", false, false, "auto"},
    {"ali default", MM_CLOUD_ALI, "", "cn-hangzhou", "a-bucket", false, "s3.oss-cn-hangzhou.aliyuncs.com", true,
     true, "cn-hangzhou"},
    {"ali internal endpoint", MM_CLOUD_ALI, "s3.oss-cn-hangzhou-internal.aliyuncs.com", "cn-hangzhou", "a-bucket",
     true, "s3.oss-cn-hangzhou-internal.aliyuncs.com", true, true, "cn-hangzhou"},
    {"tc default", MM_CLOUD_TC, "", "ap-guangzhou", "a-1250000000", false, "cos.ap-guangzhou.myqcloud.com", true,
     true, "ap-guangzhou"},
};

MM_TEST(s3_compatible_clouds_map_to_host_addressing_and_region)
{
    for (size_t i = 0; i < sizeof s3_cases / sizeof s3_cases[0]; i++) {
        const s3_case *c = &s3_cases[i];
        mm_config_remote r = remote(c->cloud, c->endpoint, c->region, c->bucket);
        r.use_ssl = c->use_ssl;
        mm_storage_tuning t = {.part_size = 8u << 20};
        mm_storage_plan p;
        mm_error err;
        mm_error_clear(&err);
        mm_test_current = c->name;
        MM_CHECK_INT(mm_storage_plan_make(&r, "target.remote", &t, &p, &err), 0);
        MM_CHECK_INT(p.kind, MM_STORAGE_KIND_S3);
        MM_CHECK_STR(p.s3.endpoint, c->host);
        MM_CHECK_INT(p.s3.use_ssl, c->https);
        MM_CHECK_INT(p.s3.virtual_host, c->virtual_host);
        MM_CHECK_STR(p.s3.region, c->signing_region);
        MM_CHECK_STR(p.s3.bucket, c->bucket);
        MM_CHECK_STR(p.s3.access_key, "AKIDEXAMPLE");
        MM_CHECK_STR(p.s3.secret_key, "secret-never-shown");
        MM_CHECK(p.s3.session_token == NULL);
        MM_CHECK_INT(p.s3.part_size, 8u << 20);
        MM_CHECK_INT(p.s3.max_retries, 5);
        MM_CHECK_INT(p.s3.retry_base_ms, 200);
        MM_CHECK_STR(p.credentials, "access key AKIDEXAMPLE from target.remote.ak and target.remote.sk");
        mm_storage_plan_free(&p);
    }
}

typedef struct azure_case {
    const char *endpoint;
    bool use_ssl;
    const char *service_url;
} azure_case;

static const azure_case azure_cases[] = {
    {"", false, "https://acct1.blob.core.windows.net"},
    {"127.0.0.1:10000", false, "http://127.0.0.1:10000/acct1"},
    {"localhost:10000", true, "https://localhost:10000/acct1"},
    {"[::1]:10000", false, "http://[::1]:10000/acct1"},
    {"acct1.blob.core.chinacloudapi.cn", true, "https://acct1.blob.core.chinacloudapi.cn"},
    {"blob.core.usgovcloudapi.net", true, "https://acct1.blob.core.usgovcloudapi.net"},
};

MM_TEST(azure_maps_account_container_and_service_url)
{
    for (size_t i = 0; i < sizeof azure_cases / sizeof azure_cases[0]; i++) {
        mm_config_remote r = remote(MM_CLOUD_AZURE, azure_cases[i].endpoint, "", "staging");
        r.ak = "acct1";
        r.sk = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        r.use_ssl = azure_cases[i].use_ssl;
        mm_storage_tuning t = {.part_size = 16u << 20, .max_retries = 2, .retry_base_ms = 10};
        mm_storage_plan p;
        mm_error err;
        MM_CHECK_INT(mm_storage_plan_make(&r, "source.remote", &t, &p, &err), 0);
        MM_CHECK_INT(p.kind, MM_STORAGE_KIND_AZURE);
        MM_CHECK_STR(p.azure.service_url, azure_cases[i].service_url);
        MM_CHECK_STR(p.azure.account, "acct1");
        MM_CHECK_STR(p.azure.container, "staging");
        MM_CHECK_STR(p.azure.account_key, r.sk);
        MM_CHECK(p.azure.sas_token == NULL);
        MM_CHECK_STR(p.azure.side, "source.remote");
        MM_CHECK_INT(p.azure.block_size, 16u << 20);
        MM_CHECK_INT(p.azure.max_retries, 2);
        MM_CHECK_INT(p.azure.retry_base_ms, 10);
        MM_CHECK_STR(p.credentials, "Shared Key of account acct1 from source.remote.sk");
        mm_storage_plan_free(&p);
    }
}

MM_TEST(azure_sas_token_wins_over_the_key)
{
    mm_config_remote r = remote(MM_CLOUD_AZURE, "", "", "staging");
    r.ak = "acct1";
    r.sas_token = "?sv=2021-08-06&sig=abc";
    mm_storage_plan p;
    mm_error err;
    MM_CHECK_INT(mm_storage_plan_make(&r, "target.remote", NULL, &p, &err), 0);
    MM_CHECK_STR(p.azure.sas_token, "?sv=2021-08-06&sig=abc");
    MM_CHECK(p.azure.account_key == NULL);
    MM_CHECK_STR(p.credentials, "SAS token from target.remote.sasToken for account acct1");
    mm_storage_plan_free(&p);
}

typedef struct refusal {
    mm_cloud cloud;
    const char *endpoint, *region, *ak, *sk;
    bool use_iam;
    const char *message;
} refusal;

static const refusal refusals[] = {
    {MM_CLOUD_ALI, "", "", "k", "s", false,
     "target.remote.cloud is ali but target.remote.region is empty; set the bucket's region, e.g. cn-hangzhou: it "
     "signs the requests and picks the default endpoint"},
    {MM_CLOUD_TC, "cos.example:80", "", "k", "s", false,
     "target.remote.cloud is tc but target.remote.region is empty; set the bucket's region, e.g. ap-guangzhou: it "
     "signs the requests and picks the default endpoint"},
    {MM_CLOUD_MINIO, "", "", "k", "s", false,
     "target.remote.cloud is minio but target.remote.endpoint is empty; set the server's host:port"},
    {MM_CLOUD_GCP, "", "", "", "", true,
     "target.remote.useIAM is supported for cloud aws and minio only; for gcp use an HMAC key of a service account "
     "as ak and sk"},
    {MM_CLOUD_AZURE, "", "", "acct", "", true,
     "target.remote.useIAM is not supported with cloud azure; set target.remote.sk (the account key) or "
     "target.remote.sasToken"},
    {MM_CLOUD_AZURE, "", "", "acct", "", false,
     "target.remote.cloud is azure but neither target.remote.sk (the account key) nor target.remote.sasToken is set"},
    {MM_CLOUD_AZURE, "", "", "", "c2s=", false,
     "target.remote.cloud is azure but target.remote.ak is empty; set it to the storage account name"},
};

MM_TEST(impossible_mappings_are_refused_with_the_keys_to_fix)
{
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const refusal *f = &refusals[i];
        mm_config_remote r = remote(f->cloud, f->endpoint, f->region, "b");
        r.ak = (char *)f->ak;
        r.sk = (char *)f->sk;
        r.use_iam = f->use_iam;
        mm_storage_plan p;
        mm_error err;
        mm_error_clear(&err);
        MM_CHECK_INT(mm_storage_plan_make(&r, "target.remote", NULL, &p, &err), -1);
        MM_CHECK_INT(err.code, MM_ERR_CONFIG);
        MM_CHECK_STR(err.message, f->message);
    }
}

MM_TEST(a_bad_azure_key_is_refused_without_echoing_it)
{
    mm_config_remote r = remote(MM_CLOUD_AZURE, "127.0.0.1:1", "", "b");
    r.ak = "acct";
    r.sk = "not-base64-secret!";
    mm_storage *st = NULL;
    mm_error err;
    mm_error_clear(&err);
    MM_CHECK_INT(mm_storage_open(&r, "target.remote", NULL, &st, &err), -1);
    MM_CHECK(st == NULL);
    MM_CHECK_STR(err.message, "target.remote.sk is not an Azure account key (expected the base64 text the portal "
                              "shows under Access keys)");
}

MM_TEST(opened_storage_tells_how_it_authenticates)
{
    mm_config_remote r = remote(MM_CLOUD_AZURE, "127.0.0.1:1", "", "staging");
    r.ak = "acct";
    r.sk = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    mm_storage *st = NULL;
    mm_error err;
    MM_CHECK_INT(mm_storage_open(&r, "target.remote", NULL, &st, &err), 0);
    MM_CHECK_STR(mm_storage_describe(st), "azure://staging at http://127.0.0.1:1/acct");
    MM_CHECK_STR(mm_storage_credentials(st), "Shared Key of account acct from target.remote.sk");
    mm_storage_close(st);
}

/* verify names the bucket its journal is bound to without credentials:
 * the label must be what the opened storage says of itself. */
MM_TEST(a_bucket_is_named_as_it_describes_itself_without_credentials)
{
    for (size_t i = 0; i < sizeof s3_cases / sizeof s3_cases[0]; i++) {
        const s3_case *c = &s3_cases[i];
        mm_config_remote r = remote(c->cloud, c->endpoint, c->region, c->bucket);
        r.use_ssl = c->use_ssl;
        mm_storage *st = NULL;
        mm_error err;
        mm_error_clear(&err);
        mm_test_current = c->name;
        MM_CHECK_INT(mm_storage_open(&r, "target.remote", NULL, &st, &err), 0);
        char *label = mm_storage_label(&r, "target.remote", &err);
        MM_CHECK_STR(label ? label : "(null)", st ? mm_storage_describe(st) : "");
        free(label);
        mm_storage_close(st);
        /* useIAM with no credentials anywhere: named all the same. */
        r.use_iam = true;
        setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
        unsetenv("AWS_ACCESS_KEY_ID");
        unsetenv("AWS_SECRET_ACCESS_KEY");
        label = c->cloud == MM_CLOUD_AWS || c->cloud == MM_CLOUD_MINIO ? mm_storage_label(&r, "target.remote", &err)
                                                                       : NULL;
        if (c->cloud == MM_CLOUD_AWS || c->cloud == MM_CLOUD_MINIO)
            MM_CHECK(label != NULL);
        free(label);
    }
    mm_config_remote r = remote(MM_CLOUD_AZURE, "127.0.0.1:1", "", "staging");
    r.ak = "acct";
    r.sk = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    mm_error err;
    char *label = mm_storage_label(&r, "target.remote", &err);
    MM_CHECK_STR(label ? label : "(null)", "azure://staging at http://127.0.0.1:1/acct");
    free(label);
}

int main(void)
{
    MM_RUN(s3_compatible_clouds_map_to_host_addressing_and_region);
    MM_RUN(azure_maps_account_container_and_service_url);
    MM_RUN(azure_sas_token_wins_over_the_key);
    MM_RUN(impossible_mappings_are_refused_with_the_keys_to_fix);
    MM_RUN(a_bad_azure_key_is_refused_without_echoing_it);
    MM_RUN(opened_storage_tells_how_it_authenticates);
    MM_RUN(a_bucket_is_named_as_it_describes_itself_without_credentials);
    return MM_TEST_EXIT();
}
