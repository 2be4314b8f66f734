#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Partition header copy 1: flips the first byte of its checksum (offset 96).
. "$(dirname "$0")/lib.sh"
flip "$1" 96
