#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Both slots: flips the payload-length field of both slot headers (slot + 32).
. "$(dirname "$0")/lib.sh"
off_a=$(slot_offset "$1" 0)
off_b=$(slot_offset "$1" 1)
flip "$1" $((off_a + 32))
flip "$1" $((off_b + 32))
