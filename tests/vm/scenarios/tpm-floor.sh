# tpm-floor: the policy measured into a PCR and a rollback floor in a TPM
# NV index (docs/LOADER.md, "TPM"), on the dracut path, with a software TPM
# (swtpm) whose state is kept across the boots of this scenario:
#
#   1  tpm = auto, the index not yet defined: the loader warns and measures
#      generation 5; the guest reads PCR 12, which must equal what the host
#      computes from the blob; `bootseal tpm-setup` defines the index and
#      `bootseal mark-good` asks the next boot for floor 5.
#   2  tpm = required: the loader raises the floor to 5 and write-locks the
#      index; a root process's own TPM2_NV_Write to it is refused by the
#      TPM; `bootseal status` shows the floor and the lock; generation 6 is
#      installed into the other slot.
#   3  generation 6 serves, the floor stays 5 until mark-good asks for 6; a
#      FIFO boot 2 left where the request goes is ignored, and the index is
#      locked all the same.
#   4  the floor is 6.
#   5  the rollback: the partition formatted afresh with generation 4 in it
#      (its own floor gone) and an initramfs with floor = 0: refused, naming
#      the TPM's floor; the boot stops.
#   6  no TPM, tpm = required: the boot stops.
#   7  no TPM, tpm = auto: a warning, and the policy is in force.
#   8  a fresh TPM; the policy (mode enforce) measured, then the
#      permissive record (loader.conf says mode = permissive); the bpf LSM
#      inactive, the permissive configuration goes on: the no-policy record
#      follows them in PCR 12.
#   9  a fresh TPM; loader.conf says floor = 7 and lets the command line
#      weaken it; bootseal.floor=5 lets generation 5 in: the policy's record,
#      then the floor-lowered record, which bootseal status reports.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"

command -v swtpm >/dev/null || vm_skip "swtpm is not installed (swtpm, swtpm-tools)"

g4=$(dr_policy vm-tpm 4)
g5=$(dr_policy vm-tpm 5)
g6=$(dr_policy vm-tpm 6)
dr_partition "$VM_WORK/part.img" "$g5"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
step=$(( $(cat /var/lib/step 2>/dev/null || echo 0) + 1 ))
echo "$step" >/var/lib/step
say "step $step"
say "pcr12 $(cat /sys/class/tpm/tpm0/pcr-sha256/12 2>/dev/null | tr A-F a-f)"
try exec-denied /opt/denied/busybox true
case $step in
1)
	try tpm-setup bootseal tpm-setup
	try mark-good bootseal mark-good /dev/vda1
	say "request $(cat /var/lib/bootseal/tpm-floor-request)"
	;;
2)
	try nv-write bs-tpm nv-write 0x01d10250 0
	bs-tpm nv-write 0x01d10250 0 | sed 's/^/TEST: nv-write: /'
	try install-6 bootseal install --device /dev/vda1 /opt/g6.sealed
	# A FIFO where the floor request goes: the next boot's loader must
	# neither block on it nor skip the lock.
	rm -f /var/lib/bootseal/tpm-floor-request
	try fifo mkfifo /var/lib/bootseal/tpm-floor-request
	;;
3)
	try mark-good bootseal mark-good /dev/vda1
	;;
esac
bootseal status 2>&1 | sed 's/^/TEST: status: /'
bootseal status --json 2>/dev/null | tr -d '\n ' | sed 's/^/TEST: json: /'
echo
finish
EOF_INIT
tree=$VM_WORK/tree
enf_guest_tree "$tree"
mkdir -p "$tree/etc/bootseal/trusted.d" "$tree/usr/sbin" "$tree/var/lib" "$tree/opt"
cp "$VM_WORK/keys/vm.pub.pem" "$tree/etc/bootseal/trusted.d/vm.pem"
cp "$g6" "$tree/opt/g6.sealed"
enf_copy_program "$ENF_TOOL" "$tree/usr/sbin/bootseal"
gcc -static -O2 -Wall -Werror -o "$tree/usr/bin/bs-tpm" "$VM_SOURCE_ROOT/tests/vm/programs/bs-tpm.c" ||
	_vm_die "cannot build bs-tpm"
tcti=$(vm_tcti_device)
mapfile -t libs < <(enf_lib_files "$ENF_TOOL" "$tcti")
disk=$(dr_disk --root-size 128 --bootseal-content "$VM_WORK/part.img" --file "$tcti:$tcti" "${libs[@]}")
base_disk=$disk
initrd_auto=$(dr_initramfs "$(dr_etc "mode = enforce" "floor = 2" "tpm = auto")")
initrd_req=$(dr_initramfs "$(dr_etc "mode = enforce" "floor = 2" "tpm = required")")
initrd_zero=$(dr_initramfs "$(dr_etc "mode = enforce" "floor = 0" "tpm = required")")

# The TPM: one state directory for every boot; swtpm serves one QEMU
# connection and exits with it.
tpm=$VM_WORK/tpm
mkdir -p "$tpm"
tpm_args() { vm_tpm_args "$tpm"; }
tpm_stop() { vm_tpm_stop "$tpm"; }
trap tpm_stop EXIT

disk=$(vm_copy "$base_disk")

# 1: tpm = auto, nothing provisioned yet.
log=$VM_WORK/boot1.log
mapfile -t q < <(tpm_args)
vm_boot --initrd "$initrd_auto" --disk "$disk" --log "$log" --timeout 400 --writable "${q[@]}"
tpm_stop
expected=$(python3 -c 'import hashlib,sys; d=hashlib.sha256(open(sys.argv[1],"rb").read()).digest(); print(hashlib.sha256(bytes(32)+d).hexdigest())' "$g5")
vm_expect "$log" "bootseal: TPM: the floor index 0x01d10250 is not defined; run bootseal tpm-setup \(tpm = auto" "auto: the missing index is a warning"
vm_expect "$log" "bootseal: TPM: PCR 12 extended with the policy's SHA-256 $(sha256sum "$g5" | cut -c1-64)" "the loader measures the blob"
vm_expect_order "$log" "bootseal: TPM: PCR 12 extended" "bootseal: policy 'vm-tpm' generation 5 in force" "before the enforcer is attached"
vm_expect "$log" "^TEST: pcr12 $expected\$" "PCR 12 in the guest equals the host's SHA-256(zeros || SHA-256(blob))"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "the policy is in force"
vm_expect "$log" '^TEST: tpm-setup rc=0$' "bootseal tpm-setup defines the index"
vm_expect "$log" '^TEST: mark-good rc=0$' "bootseal mark-good runs"
vm_expect "$log" '^TEST: request 5$' "and leaves the next boot a request for floor 5"
vm_expect "$log" '^TEST: status: measured: *policy sha256 [0-9a-f]{64} \(1 record; the log replays to the PCR: yes\)' "bootseal status shows the measurement, which the log replays"

# 2: tpm = required: the loader raises the floor and locks the index.
log=$VM_WORK/boot2.log
mapfile -t q < <(tpm_args)
vm_boot --initrd "$initrd_req" --disk "$disk" --log "$log" --timeout 400 --writable "${q[@]}"
tpm_stop
vm_expect "$log" "bootseal: TPM: floor 0 in NV index 0x01d10250" "the loader reads the TPM's floor"
vm_expect "$log" "bootseal: TPM: floor raised from 0 to 5 \(requested 5 by bootseal mark-good\)" "and raises it as mark-good asked"
vm_expect "$log" "bootseal: TPM: NV index 0x01d10250 write-locked until the next reboot" "then write-locks the index"
vm_expect "$log" '^TEST: nv-write rc=1$' "a root process's TPM2_NV_Write to the index after switch_root fails"
vm_expect "$log" '^TEST: nv-write: response 0x00000148$' "with TPM_RC_NV_LOCKED"
vm_expect "$log" '^TEST: status: tpm floor: *5 in NV index 0x01d10250, write-locked: yes' "bootseal status shows floor 5, locked"
vm_expect "$log" '^TEST: json: .*"tpm":\{[^}]*"floor":5,[^}]*"locked":true' "and so does its JSON"
vm_expect "$log" '^TEST: install-6 rc=0$' "generation 6 is installed into the other slot"
vm_expect "$log" '^TEST: fifo rc=0$' "a FIFO is put where the floor request goes"

# 3: generation 6 serves; the floor waits for mark-good.
log=$VM_WORK/boot3.log
mapfile -t q < <(tpm_args)
vm_boot --initrd "$initrd_req" --disk "$disk" --log "$log" --timeout 400 --writable "${q[@]}"
tpm_stop
vm_expect "$log" "bootseal: policy 'vm-tpm' generation 6 in force" "generation 6 is in force"
vm_expect_not "$log" "bootseal: TPM: floor raised" "the TPM's floor is not raised without mark-good"
vm_expect "$log" "bootseal: TPM: floor request ignored: .*tpm-floor-request: not a regular file" "the loader ignores a FIFO there without blocking"
vm_expect "$log" '^TEST: status: tpm floor: *5 in NV index 0x01d10250, write-locked: yes' "and still locks the index"
vm_expect "$log" '^TEST: status: tpm floor: *5 in NV index' "it stays 5"
vm_expect "$log" '^TEST: mark-good rc=0$' "mark-good after the good boot"
vm_expect "$log" '^TEST: status: requested: *floor 6 at the next boot' "status shows the request"

# 4: the floor follows.
log=$VM_WORK/boot4.log
mapfile -t q < <(tpm_args)
vm_boot --initrd "$initrd_req" --disk "$disk" --log "$log" --timeout 400 --writable "${q[@]}"
tpm_stop
vm_expect "$log" "bootseal: TPM: floor raised from 5 to 6" "the next boot raises the floor to 6"
vm_expect "$log" '^TEST: status: tpm floor: *6 in NV index 0x01d10250, write-locked: yes' "status shows floor 6"

# 5: the rollback, as root can prepare it: the partition made afresh with
# the older, validly signed generation 4 (its own floor gone with it), and
# an initramfs regenerated with floor = 0.
read -r off _ < <(vm_part_offset "$disk" bootseal)
dr_partition "$VM_WORK/fresh.img" "$g4"
dd if="$VM_WORK/fresh.img" of="$disk" bs=512 seek=$((off / 512)) conv=notrunc status=none
log=$VM_WORK/boot5.log
mapfile -t q < <(tpm_args)
vm_boot --initrd "$initrd_zero" --disk "$disk" --log "$log" --timeout 400 "${q[@]}"
tpm_stop
vm_expect "$log" "generation 4 in slot A is below the floor 6 \(the TPM's NV index 0x01d10250\)" "generation 4 is refused below the TPM's floor"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 4: no valid policy found \(floor 6 from the TPM.s NV index 0x01d10250' "the boot stops, naming the TPM's floor"
vm_expect_not "$log" '^TEST: init ran' "init never ran"

# 6, 7: no TPM at all.
log=$VM_WORK/boot6.log
vm_boot --initrd "$initrd_req" --disk "$base_disk" --log "$log" --timeout 400
vm_expect "$log" "bootseal: TPM: .*tpm = required: the boot stops" "tpm = required without a TPM says so"
vm_expect "$log" '^bootseal: boot stopped: bootseal-loader exited with status 10' "and stops the boot"
vm_expect_not "$log" '^TEST: init ran' "init never ran"
log=$VM_WORK/boot7.log
vm_boot --initrd "$initrd_auto" --disk "$base_disk" --log "$log" --timeout 400
vm_expect "$log" "bootseal: TPM: .*tpm = auto: going on without the TPM" "tpm = auto without a TPM warns"
vm_expect "$log" "bootseal: policy 'vm-tpm' generation 5 in force" "and installs the policy"
vm_expect "$log" '^TEST: exec-denied rc=[1-9]' "which is in force"

# 8: a policy measured but not put into force (the bpf LSM left out of
# lsm=, a permissive configuration lets the boot go on): the PCR must not
# name the policy alone. A TPM of its own, nothing provisioned.
tpm=$VM_WORK/tpm8
mkdir -p "$tpm"
initrd_perm=$(dr_initramfs "$(dr_etc "mode = permissive" "floor = 2" "tpm = auto")")
log=$VM_WORK/boot8.log
mapfile -t q < <(tpm_args)
vm_boot --initrd "$initrd_perm" --disk "$base_disk" --log "$log" --timeout 400 \
	--append "lsm=lockdown,capability,yama" "${q[@]}"
tpm_stop
vm_expect "$log" "bootseal: TPM: PCR 12 extended with the policy's SHA-256" "the policy is measured before the install"
vm_expect "$log" "bootseal: TPM: PCR 12 extended with the permissive digest \(the policy says enforce; the loader's configuration puts it in force in permissive mode\)" "then the weakening by loader.conf"
vm_expect "$log" "bootseal: TPM: PCR 12 extended with the no-policy digest \(the policy measured before is not in force\)" "and, the install failing, the no-policy digest after it"
vm_expect "$log" '^TEST: init ran' "the permissive configuration lets the boot go on"
expected=$(python3 -c 'import hashlib,sys
d=hashlib.sha256(open(sys.argv[1],"rb").read()).digest()
p=hashlib.sha256(bytes(32)+d).digest()
p=hashlib.sha256(p+hashlib.sha256(b"bootseal: permissive").digest()).digest()
print(hashlib.sha256(p+hashlib.sha256(b"bootseal: no policy").digest()).hexdigest())' "$g5")
vm_expect "$log" "^TEST: pcr12 $expected\$" "PCR 12 = the policy's record, the permissive record, then the no-policy record"

# 9: the command line lowers loader.conf's floor under the policy's
# generation: the PCR must not show that rollback as a plain policy record.
tpm=$VM_WORK/tpm9
mkdir -p "$tpm"
initrd_weak=$(dr_initramfs "$(dr_etc "mode = enforce" "floor = 7" "tpm = auto" "cmdline-may-weaken = yes")")
log=$VM_WORK/boot9.log
mapfile -t q < <(tpm_args)
vm_boot --initrd "$initrd_weak" --disk "$base_disk" --log "$log" --timeout 400 --append "bootseal.floor=5" "${q[@]}"
tpm_stop
vm_expect "$log" "bootseal: policy 'vm-tpm' generation 5 in force" "the command line's floor 5 lets generation 5 in"
vm_expect "$log" "bootseal: TPM: PCR 12 extended with the floor-lowered digest \(generation 5 is below loader.conf's floor 7; the kernel command line lowered it\)" "the loader measures the lowered floor"
vm_expect_order "$log" "extended with the policy's SHA-256" "extended with the floor-lowered digest" "after the policy's record"
expected=$(python3 -c 'import hashlib,sys
d=hashlib.sha256(open(sys.argv[1],"rb").read()).digest()
p=hashlib.sha256(bytes(32)+d).digest()
print(hashlib.sha256(p+hashlib.sha256(b"bootseal: floor lowered").digest()).hexdigest())' "$g5")
vm_expect "$log" "^TEST: pcr12 $expected\$" "PCR 12 = the policy's record, then the floor-lowered record"
vm_expect "$log" "^TEST: status: measured: *policy sha256 [0-9a-f]{64}, below loader.conf's floor 7 \(the kernel command line lowered it\) \(2 records; the log replays to the PCR: yes\)" "bootseal status says the floor was lowered"
vm_expect "$log" '^TEST: json: .*"measured_floor_lowered":7' "and so does its JSON"
vm_expect_not "$VM_WORK/boot1.log" "floor-lowered" "twin: a boot within loader.conf's floor has no such record"
