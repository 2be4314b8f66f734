#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Kernel trailer: flips the last byte of the blob (footer - 1); the signature no longer verifies.
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(footer_offset "$1") - 1))
