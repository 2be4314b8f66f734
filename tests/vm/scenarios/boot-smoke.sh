# boot-smoke: the rig itself. Debian's stock kernel boots the busybox
# initramfs, which loads virtio and ext4 from the kernel package, finds the
# root partition by its GPT name, runs a hook, moves /sys (with bpffs and
# securityfs) into the root and switch_roots to its /sbin/init. That init
# reports the active LSMs: bpf must be among them by default, since every
# other scenario depends on the bpf LSM being there without lsm=.

cat >"$VM_WORK/hook.sh" <<'EOF'
#!/bin/sh
# Stands where bootseal-loader runs: sees the new root mounted, leaves a mark.
[ -x /newroot/sbin/init ] || { echo "hook: /newroot/sbin/init missing"; exit 1; }
echo "hook: saw /newroot with $(cat /newroot/etc/machine-id)"
mkdir -p /sys/fs/bpf/smoke
EOF
chmod 0755 "$VM_WORK/hook.sh"

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
say "init pid $$"
say "lsm=$(cat /sys/kernel/security/lsm)"
case ",$(cat /sys/kernel/security/lsm)," in
*,bpf,*) say "bpf lsm active" ;;
*) say "bpf lsm missing" ;;
esac
say "root=$(grep ' / ' /proc/mounts | head -n 1)"
say "root dir mode $(stat -c %a /)"
grep -q ' /sys/fs/bpf bpf ' /proc/mounts && say "bpffs mounted"
[ -d /sys/fs/bpf/smoke ] && say "hook mark kept"
grep -qx PARTNAME=bootseal /sys/class/block/vda1/uevent && say "bootseal partition vda1"
finish
EOF

initrd=$(vm_build_initramfs --file "$VM_WORK/hook.sh:/usr/sbin/smoke-hook" \
	--hook '/usr/sbin/smoke-hook --root /newroot')
disk=$(vm_build_disk --init "$VM_WORK/init" --machine-id 0123456789abcdef0123456789abcdef)

# The disk as the loader's discovery will see it: partition 1 carries the
# bootseal type GUID and name, partition 2 is the root.
ptype=$(sfdisk --part-type "$disk" 1)
want=$(_vm_bootseal_type)
[ "${ptype,,}" = "${want,,}" ] ||
	_vm_die "partition 1 of $disk has type $ptype, expected the bootseal type $want"
read -r bs_off bs_size < <(vm_part_offset "$disk" bootseal)
[ "$bs_off" = 1048576 ] && [ "$bs_size" = 8388608 ] ||
	_vm_die "bootseal partition at $bs_off size $bs_size, expected 1 MiB and 8 MiB"

vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/console.log" --timeout 240

log=$VM_WORK/console.log
vm_expect "$log" '^initramfs: root PARTLABEL=root \(/dev/vda2\) mounted on /newroot' \
	"the initramfs found the root partition by its GPT name"
vm_expect "$log" '^hook: saw /newroot with 0123456789abcdef0123456789abcdef' \
	"the hook ran with the new root mounted"
vm_expect_order "$log" '^initramfs: hook exited with status 0, continuing' '^TEST: init pid 1$' \
	"the hook ran before init, and init runs as PID 1"
vm_expect "$log" '^TEST: lsm=.*\bbpf\b' "the bpf LSM is active without lsm= on the command line"
vm_expect "$log" '^TEST: bpf lsm active$' "init sees bpf in /sys/kernel/security/lsm"
vm_expect "$log" '^TEST: root=/dev/vda2 / ext4 rw' "init runs on the ext4 root, read-write"
vm_expect "$log" '^TEST: root dir mode 755$' "the root directory is traversable by every user"
vm_expect "$log" '^TEST: bpffs mounted$' "bpffs moved into the new root under /sys"
vm_expect "$log" '^TEST: hook mark kept$' "what the hook left in bpffs survives switch_root"
vm_expect "$log" '^TEST: bootseal partition vda1$' "the disk has the bootseal partition first"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'boot stopped|Kernel panic' "no stop and no panic"
