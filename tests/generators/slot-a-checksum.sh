#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Slot A checksum: flips the first byte of the header checksum (slot A + 96).
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(slot_offset "$1" 0) + 96))
