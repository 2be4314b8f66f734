#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Kernel trailer: flips the last byte of the footer magic; the trailer is no longer seen.
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(footer_offset "$1") + 39))
