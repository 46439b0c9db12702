/* What this program was built from, written by the build
 * (scripts/cmake/build_info.cmake) for --version: the git revision, the
 * version of the package made from this build, and the libraries with the
 * versions pkg-config found. */
#ifndef MM_CLI_BUILD_INFO_H
#define MM_CLI_BUILD_INFO_H

typedef struct mm_build_library {
    const char *name;      /* as users know it: "SQLite" */
    const char *version;
} mm_build_library;

/* "76ab331c0de1" ("-dirty" when built with uncommitted changes), "unknown"
 * outside a git checkout. */
extern const char mm_build_revision[];
/* The Debian package's version: "0.1.0+git42.76ab331c0de1". */
extern const char mm_build_package_version[];
/* Terminated by a NULL name. */
extern const mm_build_library mm_build_libraries[];

#endif
