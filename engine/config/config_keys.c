/* The key table of migration.yaml. Order matters: it is the order keys are
 * written in, listed in the man page and shown in the wizard. Help texts
 * are user documentation (they become migration.yaml(5)). */
#include "config/config_checks.h"
#include "config/config_types.h"

#include <stddef.h>
#include <strings.h>

/* Offsets with a compile-time check of the field's C type: the unevaluated
 * compound literal only compiles (under -Werror) when the member has the
 * type the key's kind is stored as. */
#define AT_TYPED(member, ctype) \
    (offsetof(mm_config, member) + 0 * sizeof((ctype *){&((mm_config *)0)->member}))
#define STR_AT(member) AT_TYPED(member, char *)
#define INT_AT(member) AT_TYPED(member, int)
#define SIZE_AT(member) AT_TYPED(member, uint64_t)
#define BOOL_AT(member) AT_TYPED(member, bool)
#define LIST_AT(member) AT_TYPED(member, mm_config_list)
#define CHOICE_AT(member) \
    (offsetof(mm_config, member) + \
     0 * sizeof(char[sizeof(((mm_config *)0)->member) == sizeof(int) ? 1 : -1]))

#define BIT(v) (1u << (v))
#define KiB 1024LL
#define MiB (1024LL * KiB)
#define GiB (1024LL * MiB)

/* ---- choices --------------------------------------------------------------- */

#define ONLY_1X \
    "milvus-migrate only migrates from Milvus 0.9.x-1.x, so workMode must be milvus1x (or left out)"

static const mm_config_choice work_modes[] = {
    {"milvus1x", MM_WORK_MODE_MILVUS1X, "a Milvus 0.9.x-1.x installation", false},
    {"faiss", MM_CFG_CHOICE_REJECTED, ONLY_1X, false},
    {"elasticsearch", MM_CFG_CHOICE_REJECTED, ONLY_1X, false},
    {"milvus2x", MM_CFG_CHOICE_REJECTED, ONLY_1X, false},
    {NULL, 0, NULL, false},
};

static const mm_config_choice meta_modes[] = {
    {"sqlite", MM_META_SQLITE, "the 1.x meta.sqlite file (meta.sqliteFile)", false},
    {"mysql", MM_META_MYSQL, "the 1.x MySQL meta database (meta.mysqlUrl)", false},
    {"local", MM_META_LOCAL, "a meta.json file (meta.localFile)", false},
    {"mock", MM_META_MOCK, "a meta.json file (meta.mockFile), the reference tool's CI spelling",
     false},
    {"remote", MM_META_REMOTE, "a meta.json object in the source bucket (meta.remoteMetaFile)",
     false},
    {"config", MM_CFG_CHOICE_REJECTED,
     "it belongs to the reference tool's elasticsearch and milvus2x modes; for Milvus 1.x use "
     "sqlite, mysql, local, mock or remote",
     false},
    {NULL, 0, NULL, false},
};

static const mm_config_choice source_modes[] = {
    {"local", MM_LOCATION_LOCAL, "segment files in a directory (source.local.tablesDir)", false},
    {"remote", MM_LOCATION_REMOTE, "segment files in a bucket (source.remote.*)", false},
    {NULL, 0, NULL, false},
};

static const mm_config_choice target_modes[] = {
    {"local", MM_LOCATION_LOCAL,
     "a local directory (target.local.outputDir) that Milvus 2.x reads as its local storage",
     false},
    {"remote", MM_LOCATION_REMOTE, "the bucket Milvus 2.x uses (target.remote.*)", false},
    {NULL, 0, NULL, false},
};

static const mm_config_choice clouds[] = {
    {"aws", MM_CLOUD_AWS, "Amazon S3, or any S3-compatible server given endpoint", false},
    {"gcp", MM_CLOUD_GCP, "Google Cloud Storage through its S3-compatible XML API (HMAC keys)",
     false},
    {"azure", MM_CLOUD_AZURE, "Azure Blob Storage: ak is the account name, bucket the container",
     false},
    {"az", MM_CLOUD_AZURE, "same as azure", true},
    {"ali", MM_CLOUD_ALI, "Alibaba Cloud OSS through its S3-compatible endpoint", false},
    {"tc", MM_CLOUD_TC, "Tencent Cloud COS through its S3-compatible endpoint", false},
    {"minio", MM_CLOUD_MINIO, "MinIO or another S3-compatible server at endpoint (as aws)", false},
    {NULL, 0, NULL, false},
};

static const mm_config_choice nan_policies[] = {
    {"fail", MM_NAN_FAIL, "stop at the first such vector, naming collection, segment and row",
     false},
    {"skip", MM_NAN_SKIP, "leave those rows out and list their ids in the report", false},
    {NULL, 0, NULL, false},
};

static const mm_config_choice existing_policies[] = {
    {"error", MM_EXISTING_ERROR, "stop before importing anything into it", false},
    {"append", MM_EXISTING_APPEND, "import into it after checking that its schema matches", false},
    {"drop", MM_EXISTING_DROP, "drop it and create it anew (its data is lost)", false},
    {"skip", MM_EXISTING_SKIP, "leave it alone and do not migrate that collection", false},
    {NULL, 0, NULL, false},
};

/* ---- the table -------------------------------------------------------------- */

#define P_SRC MM_CONFIG_PHASE_SOURCE
#define P_STAGE MM_CONFIG_PHASE_STAGE
#define P_MILVUS MM_CONFIG_PHASE_MILVUS
#define P_ALL MM_CONFIG_PHASE_ALL

#define IGNORED_FOR_1X \
    "collections keep their Milvus 1.x names, dimensions and metrics, so the reference tool's " \
    "target.create.collection settings do not apply"

/* The twelve keys both buckets share (side is "source" or "target"). How each
 * cloud maps to a server, addressing and signing region is decided in
 * storage/storage.c; the help texts here document that mapping. */
#define REMOTE_KEYS(side, member, phase, bucket_help)                                              \
    {.name = side ".remote.cloud",                                                                 \
     .type = MM_CFG_CHOICE,                                                                        \
     .offset = CHOICE_AT(member.remote.cloud),                                                     \
     .default_text = "aws",                                                                        \
     .doc = "Storage provider of the bucket",                                                      \
     .help = "aws: Amazon S3 at https://<bucket>.s3.<region>.amazonaws.com (path style when the " \
             "bucket name has dots), or any S3-compatible server at endpoint, path style. minio: " \
             "the same with endpoint required (the reference tool refused minio). gcp: Cloud "     \
             "Storage's XML API at https://storage.googleapis.com, path style, with HMAC keys as " \
             "ak and sk, signed for region auto unless region is set. ali: Alibaba Cloud OSS at "  \
             "https://<bucket>.s3.oss-<region>.aliyuncs.com. tc: Tencent Cloud COS at "            \
             "https://<bucket>.cos.<region>.myqcloud.com. ali and tc need region, always use "     \
             "virtual-host addressing and sign for that region. All of these sign with AWS "       \
             "Signature V4. azure: Azure Blob Storage at https://<ak>.blob.core.windows.net with " \
             "ak the storage account name, bucket the container and sk the account key (Shared "   \
             "Key) or sasToken. Without endpoint, https is used whatever useSSL says.",            \
     .phases = phase,                                                                              \
     .choices = clouds,                                                                            \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.endpoint",                                                              \
     .type = MM_CFG_STRING,                                                                        \
     .offset = STR_AT(member.remote.endpoint),                                                     \
     .doc = "host[:port] of the storage server",                                                   \
     .help = "Without a scheme: useSSL chooses https. Empty means the provider's public "          \
             "endpoint (see cloud). For azure, an IP address or localhost (the Azurite emulator, " \
             "Azure Stack) is addressed as http[s]://<endpoint>/<ak>/<container>; any other host " \
             "is the account's Blob service host (e.g. myaccount.blob.core.chinacloudapi.cn), "    \
             "with \"<ak>.\" added in front when it does not start with it.",                      \
     .flags = MM_CFG_F_REQUIRED,                                                                   \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)},                                          \
     .required_if = {side ".remote.cloud", BIT(MM_CLOUD_MINIO)},                                   \
     .check = mm_cfg_check_bucket_endpoint},                                                       \
    {.name = side ".remote.region",                                                                \
     .type = MM_CFG_STRING,                                                                        \
     .offset = STR_AT(member.remote.region),                                                       \
     .doc = "Region of the bucket",                                                                \
     .help = "Used to sign requests and, for aws, ali and tc without endpoint, to find the "       \
             "server. Empty means us-east-1 (gcp: auto), which MinIO and most S3-compatible "      \
             "servers accept; ali and tc require it (e.g. cn-hangzhou, ap-guangzhou). Not used "   \
             "by azure.",                                                                          \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.bucket",                                                                \
     .type = MM_CFG_STRING,                                                                        \
     .offset = STR_AT(member.remote.bucket),                                                       \
     .doc = "Bucket name (Azure: container)",                                                      \
     .help = bucket_help,                                                                          \
     .flags = MM_CFG_F_REQUIRED,                                                                   \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.ak",                                                                    \
     .type = MM_CFG_STRING,                                                                        \
     .offset = STR_AT(member.remote.ak),                                                           \
     .doc = "Access key id (Azure: storage account name)",                                         \
     .help = "Leave ak and sk empty for anonymous access, or set useIAM to use the "               \
             "environment's credentials.",                                                         \
     .flags = MM_CFG_F_REQUIRED,                                                                   \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)},                                          \
     .required_if = {side ".remote.cloud", BIT(MM_CLOUD_AZURE)}},                                  \
    {.name = side ".remote.sk",                                                                    \
     .type = MM_CFG_SECRET,                                                                        \
     .offset = STR_AT(member.remote.sk),                                                           \
     .doc = "Secret access key",                                                                   \
     .help = "Azure: the storage account's access key, as shown by the portal (base64). A saved " \
             "migration.yaml is written with mode 0600.",                                          \
     .flags = MM_CFG_F_SECRET,                                                                     \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.sasToken",                                                              \
     .type = MM_CFG_SECRET,                                                                        \
     .offset = STR_AT(member.remote.sas_token),                                                    \
     .doc = "Azure shared access signature, instead of sk",                                        \
     .help = "The query string of a SAS (sv=...&sig=...), with or without the leading '?'. An "    \
             "account or container SAS needs read, add, create, write, delete and list rights "    \
             "for the target, read and list for a source. Used instead of sk when both are set.",  \
     .flags = MM_CFG_F_SECRET | MM_CFG_F_OURS,                                                     \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.useSSL",                                                                \
     .type = MM_CFG_BOOL,                                                                          \
     .offset = BOOL_AT(member.remote.use_ssl),                                                     \
     .default_text = "false",                                                                      \
     .doc = "Reach the endpoint over https",                                                       \
     .help = "Off by default, as in the reference tool.",                                          \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.caFile",                                                                \
     .type = MM_CFG_PATH,                                                                          \
     .offset = STR_AT(member.remote.ca_file),                                                      \
     .doc = "PEM file of the CA that signed the storage server's certificate",                     \
     .help = "For https to a server whose certificate a private CA signed (MinIO, Ceph, Swift "    \
             "behind a corporate CA). Empty: the system's trusted CAs. The certificate must also " \
             "name the host of endpoint (for virtual-host addressing: <bucket>.<endpoint>).",      \
     .flags = MM_CFG_F_OURS,                                                                       \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.useIAM",                                                                \
     .type = MM_CFG_BOOL,                                                                          \
     .offset = BOOL_AT(member.remote.use_iam),                                                     \
     .default_text = "false",                                                                      \
     .doc = "Use the environment's cloud credentials instead of ak and sk",                        \
     .help = "aws and minio only. Credentials come from AWS_ACCESS_KEY_ID, "                       \
             "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else from the profile AWS_PROFILE "     \
             "(default: default) of ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE overrides "    \
             "the path), else, with useIMDS, from the EC2 instance metadata service. The source "  \
             "used is printed, never the secret. They are read once at start, so temporary "       \
             "credentials must outlive the run. ak and sk are then ignored (with a warning when "  \
             "set).",                                                                              \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.useIMDS",                                                               \
     .type = MM_CFG_BOOL,                                                                          \
     .offset = BOOL_AT(member.remote.use_imds),                                                    \
     .default_text = "false",                                                                      \
     .doc = "With useIAM, also ask the EC2 instance metadata service",                             \
     .help = "IMDSv2 at 169.254.169.254 (AWS_EC2_METADATA_SERVICE_ENDPOINT overrides it), asked "  \
             "only when neither the environment nor the credentials file has credentials: the "    \
             "instance role's temporary credentials. Off by default, so no request ever leaves "   \
             "for that address unasked.",                                                          \
     .flags = MM_CFG_F_OURS,                                                                       \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}},                                         \
    {.name = side ".remote.checkBucket",                                                           \
     .type = MM_CFG_BOOL,                                                                          \
     .offset = BOOL_AT(member.remote.check_bucket),                                                \
     .default_text = "false",                                                                      \
     .doc = "Kept for the reference tool's files: the bucket is always checked",                   \
     .help = "Whatever this says, the bucket is checked once at start-up (a HEAD request), so a "  \
             "missing bucket, a wrong region or refused credentials stop the command with the "    \
             "server's reason before any data is read or written. Buckets are never created.",     \
     .phases = phase,                                                                              \
     .shown_if = {side ".mode", BIT(MM_LOCATION_REMOTE)}}

static const mm_config_key keys[] = {
    /* ---- dumper ---- */
    {.name = "dumper.worker.workMode",
     .type = MM_CFG_CHOICE,
     .offset = CHOICE_AT(dumper.worker.work_mode),
     .default_text = "milvus1x",
     .doc = "Kind of source; must be milvus1x",
     .help = "The reference tool reads several kinds of source. milvus-migrate reads Milvus "
             "0.9.x-1.x installations only; faiss, elasticsearch and milvus2x are refused. Always "
             "written when saving, so that the reference tool can read the file too.",
     .flags = MM_CFG_F_ALWAYS_SAVE,
     .phases = P_ALL,
     .choices = work_modes},
    {.name = "dumper.worker.limit",
     .type = MM_CFG_INT,
     .offset = INT_AT(dumper.worker.limit),
     .default_text = "2",
     .doc = "Segments dumped at the same time",
     .help = "Each worker reads one 1.x segment (.uid, .rv and deleted_docs) and writes its "
             "id.npy and data.npy. More workers help when source and target are different disks "
             "or the target is a bucket. When the key is not set, one worker per core this "
             "process may use, at most 8 (one worker is bound by the CPU well below a disk's "
             "speed); inspect says which count is used and why. 0 or less means 2, "
             "as in the reference tool.",
     .flags = MM_CFG_F_NONPOSITIVE_DEFAULT,
     .phases = P_SRC,
     .min = 1,
     .max = 256},
    {.name = "dumper.worker.reader.bufferSize",
     .type = MM_CFG_INT,
     .offset = INT_AT(dumper.worker.reader_buffer_kb),
     .default_text = "1024",
     .doc = "Read buffer per source file, in KiB",
     .help = "Used for each .rv and .uid file being read (1024 = 1 MiB). 0 or less means 1024, "
             "as in the reference tool.",
     .flags = MM_CFG_F_NONPOSITIVE_DEFAULT,
     .phases = P_SRC,
     .min = 1,
     .max = 1048576},
    {.name = "dumper.worker.writer.bufferSize",
     .type = MM_CFG_INT,
     .offset = INT_AT(dumper.worker.writer_buffer_kb),
     .default_text = "1024",
     .doc = "Write buffer per local output file, in KiB",
     .help = "Used for each .npy file written to a local directory (1024 = 1 MiB, the value of "
             "the official guide). In KiB as the reference tool documents it (which read it as "
             "bytes and never used it); a value of 65536 or more, which looks like bytes, is "
             "warned about. 0 or less means 1024.",
     .flags = MM_CFG_F_NONPOSITIVE_DEFAULT,
     .phases = P_SRC,
     .min = 1,
     .max = 1073741824},
    {.name = "dumper.nanPolicy",
     .type = MM_CFG_CHOICE,
     .offset = CHOICE_AT(dumper.nan_policy),
     .default_text = "fail",
     .doc = "What to do with float vectors holding NaN or infinity",
     .help = "Milvus 2.x refuses to import them; the reference tool crashed on them. With skip "
             "the verified counts account for the rows left out.",
     .flags = MM_CFG_F_OURS,
     .phases = P_SRC,
     .choices = nan_policies},
    {.name = "dumper.maxFileSize",
     .type = MM_CFG_SIZE,
     .offset = SIZE_AT(dumper.max_file_size),
     .default_text = "16GiB",
     .doc = "Largest import: the id.npy and data.npy of one batch together",
     .help = "Milvus 2.x refuses an import above its limit, 16 GiB by default "
             "(dataNode.import.maxImportFileSizeInGB; on 2.4 and later for the files of one "
             "import together, on 2.2 and 2.3 for each file). Larger segments are split into "
             "several imports. Raise it only if the server's limit was raised: run and the "
             "wizard's Plan warn above 16 GiB.",
     .flags = MM_CFG_F_OURS,
     .phases = P_STAGE,
     .min = MiB},
    {.name = "dumper.batchSize",
     .type = MM_CFG_SIZE,
     .offset = SIZE_AT(dumper.batch_size),
     .default_text = "1GiB",
     .doc = "Target size of an import batch packed from small segments",
     .help = "Whole segments of one partition are packed, in order, into one batch (one id.npy and "
             "data.npy, one Import) up to this size, so that thousands of small 1.x segments become "
             "few imports. A packed batch also stays within 1/16 of its partition, so that imports "
             "still run side by side and a failed one redoes little: a partition of fewer than about "
             "32 segments keeps one batch per segment. The batch is named after its first segment. "
             "0 keeps one batch per segment always, as the reference tool does.",
     .flags = MM_CFG_F_OURS,
     .phases = P_STAGE,
     .max = 16 * GiB},
    {.name = "dumper.partSize",
     .type = MM_CFG_SIZE,
     .offset = SIZE_AT(dumper.part_size),
     .default_text = "64MiB",
     .doc = "Part size of multipart uploads to a bucket",
     .help = "S3 allows 5 MiB to 5 GiB per part and at most 10000 parts, so dumper.maxFileSize "
             "divided by partSize must not exceed 10000.",
     .flags = MM_CFG_F_OURS,
     .phases = P_STAGE,
     .min = 5 * MiB,
     .max = 5 * GiB},

    /* ---- loader ---- */
    {.name = "loader.worker.limit",
     .type = MM_CFG_INT,
     .offset = INT_AT(loader.worker.limit),
     .default_text = "2",
     .doc = "Imports running at the same time",
     .help = "Number of Import requests submitted and polled concurrently. Milvus 2.2 and 2.3 "
             "run one import per data node at a time, so more only queues work on the server. "
             "0 or less means 2, as in the reference tool.",
     .flags = MM_CFG_F_NONPOSITIVE_DEFAULT,
     .phases = P_MILVUS,
     .min = 1,
     .max = 256},
    {.name = "loader.pollIntervalSeconds",
     .type = MM_CFG_INT,
     .offset = INT_AT(loader.poll_interval_seconds),
     .default_text = "2",
     .doc = "Seconds between two state requests for a running import",
     .help = "The reference tool waited 10 seconds.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 1,
     .max = 3600},
    {.name = "loader.importTimeoutMinutes",
     .type = MM_CFG_INT,
     .offset = INT_AT(loader.import_timeout_minutes),
     .default_text = "0",
     .doc = "Give up on one import after this many minutes (0: never)",
     .help = "Milvus 2.2 and 2.3 fail an import by themselves 15 minutes after it started "
             "(rootCoord.importTaskExpiration); 2.4 and later have no limit of their own.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 0,
     .max = 525600},
    {.name = "loader.settleSeconds",
     .type = MM_CFG_INT,
     .offset = INT_AT(loader.settle_seconds),
     .default_text = "60",
     .doc = "Seconds to wait for a late import job (Milvus 2.6 and later)",
     .help = "Milvus 2.6 and later create an import job in a callback that outlives the Import "
             "call, so an Import whose answer was lost (a deadline, a dropped connection) can "
             "still get its job later. Before such a batch is counted and perhaps sent again, "
             "load waits this long, then lists the collection's imports and reads the row "
             "counts again. Earlier servers create the job before they answer and are not "
             "waited for.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 0,
     .max = 86400},
    {.name = "loader.probeStaging",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(loader.probe_staging),
     .default_text = "true",
     .doc = "Prove that Milvus reads the staging place before anything is created",
     .help = "Milvus reads import files from its own storage (its bucket, or with local storage "
             "its own filesystem), not from this host. Before any collection is created (and in "
             "run before anything is dumped) a one-row probe is staged next to the migration, "
             "imported into a scratch collection and removed with it. Needs the CreateCollection, "
             "Import and DropCollection privileges; false skips the probe.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS},
    {.name = "loader.deleteStagedFiles",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(loader.delete_staged_files),
     .default_text = "false",
     .doc = "Delete the staged .npy files once the load is verified",
     .help = "Off by default: the files stay, so a load can be repeated or examined. When on, "
             "they are deleted only after verification confirmed every count (the reference "
             "tool deleted them right after importing).",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS},

    /* ---- meta ---- */
    {.name = "meta.mode",
     .type = MM_CFG_CHOICE,
     .offset = CHOICE_AT(meta.mode),
     .doc = "Where the 1.x metadata is read from",
     .help = "sqlite and mysql read the metadata store of the stopped 1.x server, "
             "read-only. local and mock read a meta.json written by milvus-migrate export (which "
             "adds partitions and index settings) or by the reference tool's export; remote "
             "reads it from the source bucket.",
     .flags = MM_CFG_F_ALWAYS_SAVE | MM_CFG_F_REQUIRED,
     .phases = P_SRC,
     .choices = meta_modes},
    {.name = "meta.sqliteFile",
     .type = MM_CFG_PATH,
     .offset = STR_AT(meta.sqlite_file),
     .doc = "Path of the 1.x meta.sqlite file",
     .help = "Usually <storage path>/db/meta.sqlite. Opened read-only together with its -wal and "
             "-shm files, which hold recent changes: copy all three when moving the data.",
     .flags = MM_CFG_F_REQUIRED,
     .phases = P_SRC,
     .shown_if = {"meta.mode", BIT(MM_META_SQLITE)}},
    {.name = "meta.mysqlUrl",
     .type = MM_CFG_STRING,
     .offset = STR_AT(meta.mysql_url),
     .doc = "Connection string of the 1.x MySQL meta database",
     .help = "The reference tool's Go form user:password@tcp(host:3306)/milvus?charset=utf8mb4 "
             "or Milvus 1.x's mysql://user:password@host:3306/milvus.",
     .flags = MM_CFG_F_REQUIRED | MM_CFG_F_DSN,
     .phases = P_SRC,
     .shown_if = {"meta.mode", BIT(MM_META_MYSQL)}},
    {.name = "meta.localFile",
     .type = MM_CFG_PATH,
     .offset = STR_AT(meta.local_file),
     .doc = "Path of a meta.json file",
     .help = "As written by milvus-migrate export or the reference tool's export command. (The "
             "reference tool accepted meta.mode local but crashed on it.)",
     .flags = MM_CFG_F_REQUIRED,
     .phases = P_SRC,
     .shown_if = {"meta.mode", BIT(MM_META_LOCAL)}},
    {.name = "meta.mockFile",
     .type = MM_CFG_PATH,
     .offset = STR_AT(meta.mock_file),
     .doc = "Path of a meta.json file",
     .help = "The reference tool's name for what meta.localFile is, used by its CI configuration.",
     .flags = MM_CFG_F_REQUIRED,
     .phases = P_SRC,
     .shown_if = {"meta.mode", BIT(MM_META_MOCK)}},
    {.name = "meta.remoteMetaFile",
     .type = MM_CFG_STRING,
     .offset = STR_AT(meta.remote_meta_file),
     .doc = "Object key of a meta.json in the source bucket",
     .help = "Read with the source.remote settings, so source.mode must be remote.",
     .flags = MM_CFG_F_REQUIRED,
     .phases = P_SRC,
     .shown_if = {"meta.mode", BIT(MM_META_REMOTE)}},

    /* ---- source ---- */
    {.name = "source.mode",
     .type = MM_CFG_CHOICE,
     .offset = CHOICE_AT(source.mode),
     .doc = "Where the 1.x segment files are",
     .help = "",
     .flags = MM_CFG_F_ALWAYS_SAVE | MM_CFG_F_REQUIRED,
     .phases = P_SRC,
     .choices = source_modes},
    {.name = "source.local.tablesDir",
     .type = MM_CFG_PATH,
     .offset = STR_AT(source.local.tables_dir),
     .doc = "The 1.x tables directory, <storage path>/db/tables",
     .help = "Holds a directory per collection and partition with their segment files. It is "
             "only read, never written.",
     .flags = MM_CFG_F_REQUIRED,
     .phases = P_SRC,
     .shown_if = {"source.mode", BIT(MM_LOCATION_LOCAL)}},
    {.name = "source.local.secondaryTablesDirs",
     .type = MM_CFG_LIST,
     .offset = LIST_AT(source.local.secondary_tables_dirs),
     .doc = "More tables directories (Milvus 0.9 multi-root storage)",
     .help = "Milvus 0.9 could spread segments over the roots of storage_config.secondary_path. "
             "List their tables directories as a YAML list or as one string separated by ';'. "
             "Segments are looked up in tablesDir first, then in these, in order.",
     .flags = MM_CFG_F_OURS,
     .phases = P_SRC,
     .shown_if = {"source.mode", BIT(MM_LOCATION_LOCAL)}},
    {.name = "source.local.walDir",
     .type = MM_CFG_PATH,
     .offset = STR_AT(source.local.wal_dir),
     .doc = "The 1.x WAL directory, to detect data that was never flushed",
     .help = "wal.path (wal_config.wal_path in 0.9) of the 1.x server, where inserts and deletes "
             "that never reached a segment are found (the run then stops, see "
             "source.allowUnflushed). Empty: <storage path>/wal beside the db directory of "
             "meta.sqliteFile or tablesDir, else wal.path of the conf/server_config.yaml there. "
             "When no WAL is found, every command says so in a warning.",
     .flags = MM_CFG_F_OURS,
     .phases = P_SRC,
     .shown_if = {"source.mode", BIT(MM_LOCATION_LOCAL)}},
    REMOTE_KEYS("source", source, P_SRC, ""),
    {.name = "source.remote.tablesDir",
     .type = MM_CFG_STRING,
     .offset = STR_AT(source.remote.prefix),
     .doc = "Key prefix of the 1.x tables directory in the bucket",
     .help = "Below it the layout is that of a local tables directory: "
             "<table_id>/<segment_id>/<file> (upload the roots of a 0.9 multi-root install under "
             "one prefix). Used as written; a prefix with a leading '/' under which nothing is "
             "found is tried without it. The prefix is listed once; a segment's files are "
             "downloaded into state.dir just before it is dumped and removed once its batches "
             "are recorded, so the local disk holds about one segment per dumper.worker.limit.",
     .phases = P_SRC,
     .shown_if = {"source.mode", BIT(MM_LOCATION_REMOTE)}},
    {.name = "source.allowUnflushed",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(source.allow_unflushed),
     .default_text = "false",
     .doc = "Migrate even though some 1.x data was never flushed",
     .help = "By default the run stops when the metadata or the WAL shows rows or deletes that "
             "never reached a segment: they would be missing (or deleted rows present) in 2.x. "
             "Rather than setting this, start the 1.x server and stop it cleanly, which flushes.",
     .flags = MM_CFG_F_OURS,
     .phases = P_SRC},
    {.name = "source.allowRunningServer",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(source.allow_running_server),
     .default_text = "false",
     .doc = "Dump even though a 1.x server seems to use the installation",
     .help = "A running Milvus 1.x server holds a lock on <storage path>/lock and <wal path>/lock, and "
             "keeps meta.sqlite open; by default the dump refuses to start while any of them is held. "
             "Set this only when nothing writes to the installation any more (a server left running "
             "read-only on a copy). Either way the dump stops if the meta or the WAL changes while it runs.",
     .flags = MM_CFG_F_OURS,
     .phases = P_SRC},
    {.name = "source.missingDeletedDocsOk",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(source.missing_deleted_docs_ok),
     .default_text = "false",
     .doc = "Treat a segment without deleted_docs as having no deletes",
     .help = "Every 1.x segment has a deleted_docs file; a missing one usually means an "
             "incomplete copy and is an error. Set this only when the copy left those files out "
             "and nothing was deleted.",
     .flags = MM_CFG_F_OURS,
     .phases = P_SRC},

    /* ---- target ---- */
    {.name = "target.mode",
     .type = MM_CFG_CHOICE,
     .offset = CHOICE_AT(target.mode),
     .doc = "Where the .npy files are staged for Milvus 2.x",
     .help = "Milvus 2.x imports files from its own storage: remote is its bucket (the "
             "usual case); local works only when Milvus 2.x uses local storage at the same path.",
     .flags = MM_CFG_F_ALWAYS_SAVE | MM_CFG_F_REQUIRED,
     .phases = P_STAGE,
     .choices = target_modes},
    {.name = "target.local.outputDir",
     .type = MM_CFG_PATH,
     .offset = STR_AT(target.local.output_dir),
     .doc = "Directory for the staged files",
     .help = "Files go to <outputDir>/migration/ (meta.json and tables/...), as with the "
             "reference tool.",
     .flags = MM_CFG_F_REQUIRED,
     .phases = P_STAGE,
     .shown_if = {"target.mode", BIT(MM_LOCATION_LOCAL)}},
    {.name = "target.remote.outputDir",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.remote.prefix),
     .doc = "Key prefix for the staged files in the bucket",
     .help = "Files go to <outputDir>/migration/ (meta.json and tables/...), as with the "
             "reference tool. A leading '/' is removed: Milvus reads import files by their key "
             "relative to the bucket root.",
     .phases = P_STAGE,
     .shown_if = {"target.mode", BIT(MM_LOCATION_REMOTE)},
     .check = mm_cfg_check_strip_leading_slash},
    REMOTE_KEYS("target", target, P_STAGE,
                "The bucket Milvus 2.x itself uses (its minio.bucketName, a-bucket by default): "
                "Import reads the staged files from there."),
    {.name = "target.milvus2x.endpoint",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.milvus2x.endpoint),
     .doc = "Address of Milvus 2.x, host:port",
     .help = "The proxy's gRPC port, 19530 by default, e.g. 127.0.0.1:19530. An https:// prefix "
             "turns TLS on.",
     .flags = MM_CFG_F_REQUIRED,
     .phases = P_MILVUS,
     .check = mm_cfg_check_milvus_endpoint},
    {.name = "target.milvus2x.username",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.milvus2x.username),
     .doc = "User name, when Milvus 2.x has authorization enabled",
     .help = "Sent with the password on every call. Leave both empty when authorization is off.",
     .phases = P_MILVUS},
    {.name = "target.milvus2x.password",
     .type = MM_CFG_SECRET,
     .offset = STR_AT(target.milvus2x.password),
     .doc = "Password of username",
     .help = "A saved migration.yaml is written with mode 0600.",
     .flags = MM_CFG_F_SECRET,
     .phases = P_MILVUS},
    {.name = "target.milvus2x.database",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.milvus2x.database),
     .doc = "Milvus 2.x database for the collections (Milvus 2.2.9 and later)",
     .help = "Created when missing. Empty means the server's default database.",
     .phases = P_MILVUS,
     .check = mm_cfg_check_optional_milvus_name},
    {.name = "target.milvus2x.grpc.maxCallRecvMsgSize",
     .type = MM_CFG_SIZE,
     .offset = SIZE_AT(target.milvus2x.grpc.max_call_recv_msg_size),
     .default_text = "0",
     .doc = "Largest gRPC message accepted from the server (0: gRPC's default)",
     .help = "The reference tool applied the two sizes only when this one was set, and then "
             "used 0 for an unset maxCallSendMsgSize; here each stands alone.",
     .flags = MM_CFG_F_INT_OUTPUT,
     .phases = P_MILVUS,
     .max = 2 * GiB - 1},
    {.name = "target.milvus2x.grpc.maxCallSendMsgSize",
     .type = MM_CFG_SIZE,
     .offset = SIZE_AT(target.milvus2x.grpc.max_call_send_msg_size),
     .default_text = "0",
     .doc = "Largest gRPC message sent to the server (0: gRPC's default)",
     .help = "",
     .flags = MM_CFG_F_INT_OUTPUT,
     .phases = P_MILVUS,
     .max = 2 * GiB - 1},
    {.name = "target.milvus2x.tls.enabled",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(target.milvus2x.tls.enabled),
     .default_text = "false",
     .doc = "Connect with TLS",
     .help = "Needed when the server runs with common.security.tlsMode 1 or 2. Also on when "
             "endpoint starts with https://.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS},
    {.name = "target.milvus2x.tls.caFile",
     .type = MM_CFG_PATH,
     .offset = STR_AT(target.milvus2x.tls.ca_file),
     .doc = "PEM file of the CA (or server certificate) to trust",
     .help = "Empty: the system's trusted CAs.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .shown_if = {"target.milvus2x.tls.enabled", BIT(1)}},
    {.name = "target.milvus2x.tls.certFile",
     .type = MM_CFG_PATH,
     .offset = STR_AT(target.milvus2x.tls.cert_file),
     .doc = "PEM client certificate, for mutual TLS",
     .help = "For tlsMode 2; needs tls.keyFile.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .shown_if = {"target.milvus2x.tls.enabled", BIT(1)}},
    {.name = "target.milvus2x.tls.keyFile",
     .type = MM_CFG_PATH,
     .offset = STR_AT(target.milvus2x.tls.key_file),
     .doc = "PEM private key of tls.certFile",
     .help = "",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .shown_if = {"target.milvus2x.tls.enabled", BIT(1)}},
    {.name = "target.milvus2x.tls.serverName",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.milvus2x.tls.server_name),
     .doc = "Name expected in the server certificate",
     .help = "When it differs from the endpoint's host.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .shown_if = {"target.milvus2x.tls.enabled", BIT(1)}},
    {.name = "target.milvus2x.timeoutSeconds",
     .type = MM_CFG_INT,
     .offset = INT_AT(target.milvus2x.timeout_seconds),
     .default_text = "30",
     .doc = "Deadline of each call to Milvus 2.x, in seconds",
     .help = "Waiting for an import to finish is governed by loader.importTimeoutMinutes "
             "instead.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 1,
     .max = 86400},
    {.name = "target.milvus2x.retries",
     .type = MM_CFG_INT,
     .offset = INT_AT(target.milvus2x.retries),
     .default_text = "5",
     .doc = "Retries of a call to Milvus 2.x that found the server unavailable",
     .help = "Waits 0.5 s before the first retry and doubles the wait each time. Import itself "
             "is never retried blindly: a re-run of load finds out whether it arrived.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 0,
     .max = 20},
    {.name = "target.milvus2x.existingCollection",
     .type = MM_CFG_CHOICE,
     .offset = CHOICE_AT(target.milvus2x.existing_collection),
     .default_text = "error",
     .doc = "What to do when a 2.x collection of the same name exists",
     .help = "The reference tool always appended, without checking the schema. A collection "
             "created by an interrupted run of milvus-migrate itself is recognised from the "
             "journal and resumed, whatever this says.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .choices = existing_policies},
    {.name = "target.milvus2x.names",
     .type = MM_CFG_LIST,
     .offset = LIST_AT(target.milvus2x.names),
     .doc = "2.x names chosen instead of the generated ones",
     .help = "Entries <collection>=<2.x name> and <collection>/<partition tag>=<2.x name>; the "
             "wizard's Preview writes them when a target is renamed. Without an entry a name "
             "valid in 2.x keeps it and any other gets its generated 2.x spelling, which never "
             "takes a valid name (see `milvus-migrate inspect`).",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS},
    {.name = "target.milvus2x.createIndex",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(target.milvus2x.create_index),
     .default_text = "false",
     .doc = "Build the 1.x index type on the 2.x collection after the import",
     .help = "Index types without a Milvus 2.x equivalent are reported and skipped. Off by "
             "default: indexes can be built later.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS},
    {.name = "target.milvus2x.fields.id",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.milvus2x.fields.id),
     .default_text = "id",
     .doc = "Name of the 2.x primary key field",
     .help = "Int64 with autoID off, holding the 1.x ids. The staged file is named after it, "
             "because Milvus matches import files to fields by name.",
     .flags = MM_CFG_F_OURS,
     .phases = P_STAGE | P_MILVUS,
     .check = mm_cfg_check_milvus_name},
    {.name = "target.milvus2x.fields.vector",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.milvus2x.fields.vector),
     .default_text = "data",
     .doc = "Name of the 2.x vector field",
     .help = "FloatVector or BinaryVector with the 1.x dimension. The staged file is named "
             "after it.",
     .flags = MM_CFG_F_OURS,
     .phases = P_STAGE | P_MILVUS,
     .check = mm_cfg_check_milvus_name},
    {.name = "target.milvus2x.writeMode",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.milvus2x.write_mode),
     .doc = "Accepted and ignored",
     .help = "",
     .phases = P_MILVUS,
     .ignored = "it is only used by the reference tool's milvus2x mode"},
    {.name = "target.create.collection.name",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.create.collection.name),
     .doc = "Accepted and ignored",
     .help = "",
     .phases = P_MILVUS,
     .ignored = IGNORED_FOR_1X},
    {.name = "target.create.collection.shardsNum",
     .type = MM_CFG_INT,
     .offset = INT_AT(target.create.collection.shards_num),
     .default_text = "0",
     .doc = "Accepted and ignored",
     .help = "",
     .phases = P_MILVUS,
     .ignored = IGNORED_FOR_1X},
    {.name = "target.create.collection.dim",
     .type = MM_CFG_INT,
     .offset = INT_AT(target.create.collection.dim),
     .default_text = "0",
     .doc = "Accepted and ignored",
     .help = "",
     .phases = P_MILVUS,
     .ignored = IGNORED_FOR_1X},
    {.name = "target.create.collection.metricType",
     .type = MM_CFG_STRING,
     .offset = STR_AT(target.create.collection.metric_type),
     .doc = "Accepted and ignored",
     .help = "",
     .phases = P_MILVUS,
     .ignored = IGNORED_FOR_1X},

    /* ---- verify, state ---- */
    {.name = "verify.statsTimeoutSeconds",
     .type = MM_CFG_INT,
     .offset = INT_AT(verify.stats_timeout_seconds),
     .default_text = "120",
     .doc = "How long to wait for the 2.x row counts to settle, in seconds",
     .help = "After the imports, collection and partition statistics are read until they stop "
             "changing or this time has passed; counts that then differ from the 1.x live rows "
             "fail the run with exit status 3.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 1,
     .max = 86400},
    {.name = "verify.sample",
     .type = MM_CFG_INT,
     .offset = INT_AT(verify.sample),
     .default_text = "1000",
     .doc = "Rows per 2.x partition read back from Milvus and compared with the 1.x files",
     .help = "The rows are drawn from the live rows of the 1.x segments (in proportion to each "
             "segment's live rows, the same rows on every run with the same verify.sampleSeed), read "
             "back through Query and compared bit for bit: float32 bits or binary bytes. A partition "
             "with fewer rows is checked whole. A difference fails the run with exit status 3. Query "
             "needs the collection loaded (see verify.loadForSample). 0 turns the check off.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 0,
     .max = 1000000},
    {.name = "verify.sampleSeed",
     .type = MM_CFG_INT,
     .offset = INT_AT(verify.sample_seed),
     .default_text = "1",
     .doc = "Seed of the content sample",
     .help = "The report names it. Another seed checks other rows; the same seed checks the same "
             "rows again.",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS,
     .min = 0,
     .max = 2147483647},
    {.name = "verify.loadForSample",
     .type = MM_CFG_BOOL,
     .offset = BOOL_AT(verify.load_for_sample),
     .default_text = "false",
     .doc = "Load a collection that is not loaded, to read its sample back",
     .help = "Query only reads loaded collections. Off by default: a collection that is not loaded "
             "is reported as not sampled, with the query-node memory loading it would take (about "
             "twice its vectors and ids). When on, such a collection gets a FLAT or BIN_FLAT index "
             "if it has none, is loaded, sampled and released again, and that index is dropped. The "
             "wizard's Verify screen asks instead (l).",
     .flags = MM_CFG_F_OURS,
     .phases = P_MILVUS},
    {.name = "state.dir",
     .type = MM_CFG_PATH,
     .offset = STR_AT(state.dir),
     .default_shown = "<config file dir>/.milvus-migrate",
     .doc = "Directory of the journal and the reports",
     .help = "The journal records every staged file and finished import, so that a re-run "
             "resumes and never imports a batch twice. Keep it until the migration is verified. "
             "One command at a time runs the migration: it holds milvus-migrate.lock here. It must "
             "lie outside the 1.x installation.",
     .flags = MM_CFG_F_OURS,
     .phases = P_ALL},
};

_Static_assert(sizeof keys / sizeof keys[0] <= MM_CONFIG_KEY_MAX,
               "raise MM_CONFIG_KEY_MAX in config.h");

const mm_config_key *mm_config_keys(size_t *n)
{
    if (n)
        *n = sizeof keys / sizeof keys[0];
    return keys;
}

size_t mm_cfg_key_index(const mm_config_key *key)
{
    return (size_t)(key - keys);
}

const mm_config_key *mm_config_find_key(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcasecmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

const char *mm_config_key_origin(const mm_config_key *key)
{
    return (key->flags & MM_CFG_F_OURS) ? "ours" : key->name;
}
