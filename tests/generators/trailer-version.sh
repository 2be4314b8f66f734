#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Kernel trailer: flips the low byte of the footer version (footer + 8).
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(footer_offset "$1") + 8))
