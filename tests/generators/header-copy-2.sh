#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Partition header copy 2: flips a byte of its sequence field (offset 4096 + 16).
. "$(dirname "$0")/lib.sh"
flip "$1" $((4096 + 16))
