#!/usr/bin/env bash
# Milvus 3.0 under load's faults: tests/lib/faults_generation.sh.
exec "${MM_SOURCE_DIR:?}/tests/lib/faults_generation.sh" 3.0
