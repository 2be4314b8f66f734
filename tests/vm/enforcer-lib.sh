# shellcheck shell=bash
# tests/vm/enforcer-lib.sh: helpers for the enforcer's scenarios
# (tests/vm/scenarios/enforcer-*.sh), on top of lib.sh. Source it from a
# scenario: . "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
#
#   enf_keys                 a signing key pair in $VM_WORK/keys (vm.pem, vm.pub.pem)
#   enf_seal POLICY OUT      seal a policy source with that key
#   enf_lib_files BIN...     --file SRC:DEST arguments for the shared
#                            libraries BIN needs (one per line)
#   enf_initramfs SEALED [LOADER.CONF LINES...]
#                            print the path of an initramfs whose hook is
#                            bootseal-loader --root /newroot, with
#                            /etc/bootseal/{loader.conf,trusted.d/vm.pem,policy.sealed}
#                            (made in $VM_WORK/initramfs-etc); the boot
#                            continues on exit status 0 and 1. SEALED ""
#                            leaves out the policy file and its source line.
#   enf_initramfs_again      the same from $VM_WORK/initramfs-etc as it is now
#   enf_probe                build bs-probe (static) into $VM_WORK and print its path
#   enf_appliance_root DIR   DIR/init (tests/vm/appliance-init.sh) and DIR/tree:
#                            a root with the programs and files that
#                            examples/appliance-lockdown.policy names
#   enf_guest_tree DIR       the files the scenarios' policies name:
#                            busybox copies under /opt, /usr/lib/{writer,reader},
#                            /etc/{protected,secret}, a dynamic `true` with
#                            its ld.so and libc, a kernel module, mount points

ENF_LOADER=$VM_BUILDDIR/kernel-loader/bootseal-loader
ENF_SIGN=$VM_BUILDDIR/signer/bootseal-sign
ENF_TOOL=$VM_BUILDDIR/tools/bootseal

enf_keys() {
	[ -x "$ENF_SIGN" ] || _vm_die "bootseal-sign not built ($ENF_SIGN)"
	mkdir -p "$VM_WORK/keys"
	[ -f "$VM_WORK/keys/vm.pem" ] ||
		"$ENF_SIGN" keygen "$VM_WORK/keys/vm.pem" "$VM_WORK/keys/vm.pub.pem" >/dev/null
}

enf_seal() {
	enf_keys
	"$ENF_SIGN" seal --key "$VM_WORK/keys/vm.pem" --output "$2" "$1" >/dev/null ||
		_vm_die "bootseal-sign seal $1 failed"
}

# enf_copy_program SRC DEST: a built program into a guest tree, without its
# debug information (a debugoptimized bootseal carries ~40 MB of it, which
# no guest reads and which fills a small root filesystem).
enf_copy_program() {
	objcopy --strip-debug "$1" "$2" || _vm_die "objcopy --strip-debug $1 failed"
}

# enf_modules DIR NAME...: the kernel's modules NAME.ko* from the guest
# kernel's module tree into DIR, uncompressed (busybox's insmod reads
# neither xz nor zstd).
enf_modules() {
	local dir=$1 m ko
	shift
	mkdir -p "$dir"
	for m in "$@"; do
		ko=$(find "$VM_MODULES_DIR/kernel" -name "$m.ko*" | head -n 1)
		[ -n "$ko" ] || _vm_die "the kernel has no $m module"
		case $ko in
		*.xz) xz -dc "$ko" >"$dir/$m.ko" ;;
		*.zst) zstd -qdc "$ko" >"$dir/$m.ko" ;;
		*) cp "$ko" "$dir/$m.ko" ;;
		esac || _vm_die "cannot copy $ko"
	done
}

enf_lib_files() {
	local lib
	for lib in $(ldd "$@" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u); do
		printf -- '--file\n%s:%s\n' "$lib" "$lib"
	done
}

enf_initramfs() {
	local sealed=$1 line etc=$VM_WORK/initramfs-etc
	shift
	[ -x "$ENF_LOADER" ] || _vm_die "bootseal-loader not built ($ENF_LOADER)"
	enf_keys
	rm -rf "$etc"
	mkdir -p "$etc/trusted.d"
	cp "$VM_WORK/keys/vm.pub.pem" "$etc/trusted.d/vm.pem"
	[ -z "$sealed" ] || cp "$sealed" "$etc/policy.sealed"
	{
		echo "# written by tests/vm/enforcer-lib.sh"
		[ -z "$sealed" ] || echo "source = file /etc/bootseal/policy.sealed"
		echo "trust = /etc/bootseal/trusted.d"
		for line in "$@"; do echo "$line"; done
	} >"$etc/loader.conf"
	enf_initramfs_again
}

# ENF_INITRAMFS_FILES: more "--file SRC:DEST" arguments for the initramfs
# (a library the loader opens with dlopen(), which ldd does not list).
# ENF_INITRAMFS_MODULES: more kernel modules for it (a root's filesystem).
enf_initramfs_again() {
	local etc=$VM_WORK/initramfs-etc
	local -a libs mods=()
	mapfile -t libs < <(enf_lib_files "$ENF_LOADER")
	[ -z "${ENF_INITRAMFS_MODULES:-}" ] || mods=(--modules "$ENF_INITRAMFS_MODULES")
	vm_build_initramfs --file "$ENF_LOADER:/usr/sbin/bootseal-loader" "${libs[@]}" ${ENF_INITRAMFS_FILES[@]+"${ENF_INITRAMFS_FILES[@]}"} \
		${mods[@]+"${mods[@]}"} \
		--dir "$etc:/etc/bootseal" \
		--hook '/usr/sbin/bootseal-loader --root /newroot' --hook-continue '0 1'
}

enf_probe() {
	local out=$VM_WORK/bs-probe
	gcc -static -O2 -o "$out" "$VM_SOURCE_ROOT/tests/vm/bs-probe.c" || _vm_die "cannot build bs-probe"
	printf '%s\n' "$out"
}

enf_guest_tree() {
	local d=$1 bb ko
	bb=$(command -v busybox)
	mkdir -p "$d"/opt/{denied,blocked,ok} "$d"/usr/lib/{writer,reader} "$d"/etc \
		"$d"/mnt/{locked,free,free2} "$d"/lib64 "$d"/lib/x86_64-linux-gnu "$d"/usr/bin "$d"/lib/extra
	for x in denied blocked ok; do cp "$bb" "$d/opt/$x/busybox"; done
	cp "$bb" "$d/usr/lib/writer/busybox"
	cp "$bb" "$d/usr/lib/reader/busybox"
	echo "protected content" >"$d/etc/protected"
	echo "secret content" >"$d/etc/secret"
	# A dynamically linked program, for the ld.so route.
	cp /usr/bin/true "$d/opt/denied/true"
	cp /usr/bin/true "$d/opt/ok/true"
	cp /lib64/ld-linux-x86-64.so.2 "$d/lib64/"
	cp /lib/x86_64-linux-gnu/libc.so.6 "$d/lib/x86_64-linux-gnu/"
	cp "$(enf_probe)" "$d/usr/bin/bs-probe"
	ko=$(find "$VM_MODULES_DIR" -name 'dummy.ko*' | head -n 1)
	case $ko in
	*.xz) xz -dc "$ko" >"$d/lib/extra/dummy.ko" ;;
	*.zst) zstd -qdc "$ko" >"$d/lib/extra/dummy.ko" ;;
	*) cp "$ko" "$d/lib/extra/dummy.ko" ;;
	esac
}

enf_appliance_root() {
	local tree=$1/tree bb
	cp "$VM_SOURCE_ROOT/tests/vm/appliance-init.sh" "$1/init"
	chmod +x "$1/init"
	enf_guest_tree "$tree"
	bb=$(command -v busybox)
	mkdir -p "$tree"/home/user/bin "$tree"/usr/local/bin "$tree"/usr/libexec/tool "$tree"/var/tmp \
		"$tree"/usr/lib/passwd-prog "$tree"/usr/lib/login-prog "$tree"/etc/ssh "$tree"/boot \
		"$tree"/usr/lib/modules/extra "$tree"/usr/lib/systemd "$tree"/usr/bin "$tree"/usr/sbin "$tree"/mnt
	for p in home/user/bin usr/local/bin usr/libexec/tool usr/lib/passwd-prog usr/lib/login-prog; do
		cp "$bb" "$tree/$p/busybox"
	done
	# The subjects the policy names: passwd and login stand in as symlinks to
	# busybox copies (a subject is the executable a path resolves to); kmod
	# and systemd are bs-probe, which can load modules and power off.
	ln -s ../lib/passwd-prog/busybox "$tree/usr/bin/passwd"
	ln -s ../lib/login-prog/busybox "$tree/usr/bin/login"
	cp "$tree/usr/bin/bs-probe" "$tree/usr/bin/kmod"
	cp "$tree/usr/bin/bs-probe" "$tree/usr/lib/systemd/systemd"
	cp "$tree/usr/bin/bs-probe" "$tree/usr/lib/systemd/systemd-shutdown"
	cp "$bb" "$tree/usr/bin/appliance-update"
	for f in /usr/sbin/sshd /usr/sbin/unix_chkpwd; do cp "$bb" "$tree$f"; done
	echo 'root:*:19000:0:99999:7:::' >"$tree/etc/shadow"
	echo 'root:*::' >"$tree/etc/gshadow"
	echo 'host key' >"$tree/etc/ssh/ssh_host_ed25519_key"
	echo 'PermitRootLogin no' >"$tree/etc/ssh/sshd_config"
	echo 'kernel' >"$tree/boot/vmlinuz"
	cp "$tree/lib/extra/dummy.ko" "$tree/usr/lib/modules/extra/dummy.ko"
}
