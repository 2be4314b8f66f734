#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Partition header copy 1: flips a byte of its sequence field (offset 16).
. "$(dirname "$0")/lib.sh"
flip "$1" 16
