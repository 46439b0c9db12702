/* AWS credentials for useIAM: the environment, then a profile of the shared
 * credentials file, then (only when asked for) the EC2 instance metadata
 * service. The first source that has credentials wins; a source that is
 * named explicitly (AWS_PROFILE) but broken is an error rather than a
 * reason to fall through, so the credentials used are the ones the user
 * meant. Secrets never appear in errors or in the source description. */
#ifndef MM_CREDENTIALS_H
#define MM_CREDENTIALS_H

#include "base/error.h"

#include <stdbool.h>

typedef struct mm_credentials {
    char *access_key;     /* never NULL once resolved */
    char *secret_key;
    char *session_token;  /* "" when the credentials are not temporary */
    /* Where they came from and which access key, for the user, e.g.
     * "profile 'ci' of /home/u/.aws/credentials (access key AKIA...)". */
    char source[256];
} mm_credentials;

typedef struct mm_credentials_options {
    const char *side;     /* "target.remote": names the keys in messages */
    bool use_imds;        /* may ask the instance metadata service */
    int imds_timeout_ms;  /* per request; 0 = 1000 */
} mm_credentials_options;

/* Resolves the chain described above. Environment variables read:
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE,
 * AWS_SHARED_CREDENTIALS_FILE, HOME, AWS_EC2_METADATA_SERVICE_ENDPOINT.
 * Errors are MM_ERR_CONFIG (nothing found, half a pair, unknown profile) or
 * MM_ERR_NETWORK/MM_ERR_AUTH (metadata service). */
int mm_credentials_aws(const mm_credentials_options *opt, mm_credentials *out, mm_error *err);

/* Wipes the secrets and frees; out may be zeroed or already freed. */
void mm_credentials_free(mm_credentials *c);

#endif
