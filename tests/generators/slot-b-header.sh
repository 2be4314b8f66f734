#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Slot B header: flips a byte of the generation field (slot B + 24); the header checksum no longer matches.
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(slot_offset "$1" 1) + 24))
