# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the corruption generators (sourced, POSIX sh). Offsets follow
# docs/FORMAT.md; every generator takes the image file as $1.
set -eu

# le64 FILE OFFSET: the little-endian 64-bit integer at OFFSET.
le64() {
	od -An -t u8 --endian=little -j "$2" -N 8 "$1" | tr -d ' '
}

# flip FILE OFFSET: inverts every bit of the byte at OFFSET.
flip() {
	_flip_byte=$(od -An -t u1 -j "$2" -N 1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o' $((_flip_byte ^ 255)))" |
		dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# Partition images: the slot offsets from header copy 1 (offset 0).
slot_offset() { # FILE INDEX (0 = A, 1 = B)
	le64 "$1" $((32 + 8 * $2))
}
payload_length() { # FILE INDEX
	le64 "$1" $(($(slot_offset "$1" "$2") + 32))
}

# Kernel images: the footer is the last 40 bytes.
footer_offset() { # FILE
	echo $(($(stat -c %s "$1") - 40))
}
