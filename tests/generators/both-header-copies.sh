#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Both partition header copies: flips the first byte of each magic (offsets 0 and 4096).
. "$(dirname "$0")/lib.sh"
flip "$1" 0
flip "$1" 4096
