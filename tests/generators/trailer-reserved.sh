#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Kernel trailer: flips a reserved footer byte (footer + 12).
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(footer_offset "$1") + 12))
