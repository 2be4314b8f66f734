# enforcer-sources: the policy comes from the bootseal partition, found by
# scanning the disks in the guest (source = partitions), and is in force for
# init. A tampered partition in enforce mode stops the boot before init
# with the loader's reason; a rolled-back policy is refused by the floor;
# a permissive configuration without a valid policy lets the boot go on.
# The policy decides exec alone, with no subject: the loader leaves out
# every program that only decides writes, capabilities, module loads or
# executable memory (not rename and link: the path rule protects its
# name). Writes and capabilities work, and the pins stay
# guarded (a removal, a new entry).
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

cat >"$VM_WORK/vm.policy" <<'POLICY'
policy "vm-partition"
generation 4
mode enforce
deny exec path /opt/denied/busybox
POLICY
enf_seal "$VM_WORK/vm.policy" "$VM_WORK/vm.sealed"

# The partition content, made by bootseal itself on an image file.
truncate -s 8M "$VM_WORK/part.img"
"$ENF_TOOL" format "$VM_WORK/part.img" >/dev/null
"$ENF_TOOL" install --trust "$VM_WORK/keys/vm.pub.pem" --device "$VM_WORK/part.img" "$VM_WORK/vm.sealed" >/dev/null

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
try exec-denied /opt/denied/busybox true
try exec-allowed /opt/ok/busybox true
[ -d /sys/fs/bpf/bootseal ] && bootseal status | sed -n 's/^hooks: */TEST: hooks: /p'
try write-free sh -c 'mkdir /tmp/w && echo x >/tmp/w/f && chmod 600 /tmp/w/f && truncate -s 1 /tmp/w/f && mv /tmp/w/f /tmp/w/g && ln /tmp/w/g /tmp/w/h && ln -s g /tmp/w/s && rm /tmp/w/g /tmp/w/h /tmp/w/s && rmdir /tmp/w'
try cap-free /opt/ok/busybox hostname bs-sources
try unpin-rm rm -f /sys/fs/bpf/bootseal/link_bprm_check
try pin-add-dir mkdir /sys/fs/bpf/bootseal/more
finish
EOF
enf_guest_tree "$VM_WORK/tree"
mkdir -p "$VM_WORK/tree/usr/sbin"
enf_copy_program "$ENF_TOOL" "$VM_WORK/tree/usr/sbin/bootseal"
mapfile -t libs < <(enf_lib_files "$ENF_TOOL")
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" "${libs[@]}" --bootseal-content "$VM_WORK/part.img")

# 1. From the partition, in force.
initrd=$(enf_initramfs "" "source = partitions")
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/partition.log" --timeout 240
log=$VM_WORK/partition.log
vm_expect "$log" "bootseal: source .*vda1.*: generation 4" "the loader found the partition by scanning"
vm_expect "$log" "bootseal: policy 'vm-partition' generation 4 in force, enforce mode" "and installed its policy"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "the policy denies"
vm_expect "$log" '^TEST: exec-allowed rc=0$' "and allows"
vm_expect "$log" 'bootseal: hooks: 1[0-9] programs left out, the policy has no use for them: inode_setattr[a-z_ ]* path_unlink path_rmdir path_mkdir path_mknod path_symlink path_truncate path_chmod path_chown \(no write rule or default\); vm_enough_memory \(no memory rule\); shm_shmat \(no memory rule, no subject\); capable \(no capability rule or default\); kernel_read_file kernel_load_data \(no module-load or kexec rule or default\) \(' \
	"the loader leaves out the programs of the operations the policy does not decide, and says why"
hooks=$(sed -n 's/^TEST: hooks: //p' "$log")
[ -n "$hooks" ] || _vm_die "bootseal status listed no hooks"
for h in capable kernel_load_data kernel_read_file vm_enough_memory shm_shmat inode_setxattr inode_removexattr \
	path_unlink path_mkdir path_chmod path_chown path_truncate; do
	case " ${hooks#*(} " in *" $h "* | *" $h)"*) _vm_die "$h is attached, the policy has no use for it: $hooks" ;; esac
done
for h in file_open bprm_check mmap_file file_mprotect bpf bpf_map bpf_prog inode_unlink inode_rename inode_rmdir \
	inode_create inode_mkdir inode_link path_link path_rename sb_mount sb_umount ptrace_access_check; do
	case " ${hooks#*(} " in *" $h "* | *" $h)"*) ;; *) _vm_die "$h is not attached: $hooks" ;; esac
done
echo "ok - status lists the hooks an exec-only policy needs: $hooks"
vm_expect "$log" '^TEST: write-free rc=0$' "writes the policy does not decide work: mkdir, create, chmod, truncate, rename, link, symlink, unlink, rmdir"
vm_expect "$log" '^TEST: cap-free rc=0$' "and so does a capability (sethostname)"
vm_expect "$log" '^TEST: unpin-rm rc=[1-9]' "removing a pin is refused without the write hooks"
vm_expect "$log" '^TEST: pin-add-dir rc=[1-9]' "and so is a new entry in the pin directory"

# 2. The same disk with one byte of the signed policy changed (its name,
# inside the payload of the serving slot).
bad=$(vm_copy "$disk")
read -r off _ < <(vm_part_offset "$bad" bootseal)
pos=$(LC_ALL=C grep -obUaF vm-partition "$VM_WORK/part.img" | head -n 1 | cut -d: -f1)
[ -n "$pos" ] || _vm_die "cannot find the policy in the partition image"
printf 'w' | dd of="$bad" bs=1 seek=$((off + pos)) conv=notrunc status=none
vm_boot --initrd "$initrd" --disk "$bad" --log "$VM_WORK/tampered.log" --timeout 240
log=$VM_WORK/tampered.log
vm_expect "$log" '^bootseal: boot stopped: /usr/sbin/bootseal-loader exited with status 4: bootseal: no valid policy found' \
	"a tampered policy stops the boot with the loader's reason"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# 3. A floor above the policy's generation refuses it.
sed -i '/^floor/d' "$VM_WORK/initramfs-etc/loader.conf"
echo "floor = 5" >>"$VM_WORK/initramfs-etc/loader.conf"
initrd=$(enf_initramfs_again)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/rollback.log" --timeout 240
log=$VM_WORK/rollback.log
vm_expect "$log" 'exited with status 4: bootseal: no valid policy found \(floor 5' "a policy below the floor stops the boot"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# 4. Permissive configuration: the same refusal lets the boot continue.
echo "mode = permissive" >>"$VM_WORK/initramfs-etc/loader.conf"
initrd=$(enf_initramfs_again)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/permissive.log" --timeout 240
log=$VM_WORK/permissive.log
vm_expect "$log" 'bootseal: continuing the boot without a policy \(permissive mode\)' "the loader says it continues"
vm_expect "$log" '^initramfs: hook exited with status 1, continuing' "with exit status 1"
vm_expect "$log" '^TEST: exec-denied rc=0$' "nothing is enforced"
