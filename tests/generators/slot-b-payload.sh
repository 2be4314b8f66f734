#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Slot B payload: flips the middle byte of the sealed blob; its SHA-256 no longer matches.
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(slot_offset "$1" 1) + 4096 + $(payload_length "$1" 1) / 2))
