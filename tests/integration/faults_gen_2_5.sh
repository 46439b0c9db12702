#!/usr/bin/env bash
# Milvus 2.5 under load's faults: tests/lib/faults_generation.sh.
exec "${MM_SOURCE_DIR:?}/tests/lib/faults_generation.sh" 2.5
