# shellcheck shell=bash
# tests/vm/attack-lib.sh: the guest programs and the disk of the attack-* scenarios.
# Source it after enforcer-lib.sh and dracut-lib.sh.
#
#   atk_programs TREE     build tests/vm/programs/bs-attack.c (dynamic,
#                         not PIE) and bs-evil-lib.c (a shared library)
#                         with the host's compiler; put bs-attack at
#                         TREE/opt/tools/bs-attack (a plain program) and the
#                         library at TREE/opt/evil/libevil.so. ld.so and libc
#                         are already in the tree (enf_guest_tree).
#   atk_disk [dr_disk OPTIONS]
#                         the disk of an attack scenario (dr_disk):
#                         $VM_WORK/init as /sbin/init, $VM_WORK/tree with
#                         `bootseal` at /usr/sbin and the libraries it
#                         needs, 96 MiB of root, the bootseal partition
#                         $VM_WORK/part.img; prints its path
atk_programs() {
	local tree=$1 src=$VM_SOURCE_ROOT/tests/vm/programs
	command -v gcc >/dev/null || vm_skip "gcc is not installed"
	mkdir -p "$tree/opt/tools" "$tree/opt/evil"
	gcc -O2 -Wall -Werror -no-pie -o "$tree/opt/tools/bs-attack" "$src/bs-attack.c" ||
		_vm_die "cannot build bs-attack"
	gcc -O2 -Wall -Werror -shared -fPIC -o "$tree/opt/evil/libevil.so" "$src/bs-evil-lib.c" ||
		_vm_die "cannot build bs-evil-lib"
	# Only the libraries enf_guest_tree copies: libc and ld.so.
	ldd "$tree/opt/tools/bs-attack" | grep -oE '/[^ ]+\.so[^ ]*' | while read -r lib; do
		[ -e "$tree$lib" ] || _vm_die "bs-attack needs $lib, which the guest tree lacks"
	done
}

atk_disk() {
	local -a libs
	mkdir -p "$VM_WORK/tree/usr/sbin"
	enf_copy_program "$ENF_TOOL" "$VM_WORK/tree/usr/sbin/bootseal"
	mapfile -t libs < <(enf_lib_files "$ENF_TOOL")
	dr_disk --root-size 96 --bootseal-content "$VM_WORK/part.img" "${libs[@]}" "$@"
}
