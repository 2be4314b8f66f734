#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Kernel trailer: flips the top byte of the footer blob length (footer + 7); the length is out of range.
. "$(dirname "$0")/lib.sh"
flip "$1" $(($(footer_offset "$1") + 7))
