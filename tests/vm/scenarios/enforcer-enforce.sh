# enforcer-enforce: a sealed policy in enforce mode, installed by
# bootseal-loader in the initramfs, decides every operation of the language
# from the first line of /sbin/init: after the loader has exited and after
# switch_root. Also the routes around an exec rule: ld.so, mmap and
# mprotect with PROT_EXEC, a hard link, a copy into a denied subtree or
# filesystem, a rename or link out of a denied subtree. Booted with
# bootseal.verifier_stats: the loader logs what the verifier processed for
# each program.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

cat >"$VM_WORK/vm.policy" <<'POLICY'
policy "vm-enforce"
generation 1
mode enforce
description "bootseal QEMU scenario: every operation, denied and allowed"
default exec allow
default read allow
default write allow
default capability allow
default module-load deny
default kexec deny
default mount allow
deny exec path /opt/denied/busybox
deny exec path /opt/denied/true
deny exec subtree /opt/blocked
deny exec fstype tmpfs
deny write path /etc/protected
allow write path /etc/protected by /usr/lib/writer/busybox
deny read path /etc/secret except /usr/lib/reader/busybox
deny write subtree /usr/lib/writer
deny write subtree /usr/lib/reader
deny capability CAP_SYS_TIME
deny mount subtree /mnt/locked
deny mount fstype ramfs
POLICY
enf_seal "$VM_WORK/vm.policy" "$VM_WORK/vm.sealed"

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
try exec-denied-path /opt/denied/busybox true
try exec-allowed /opt/ok/busybox true
try exec-denied-subtree /opt/blocked/busybox true
try ldso-denied /lib64/ld-linux-x86-64.so.2 /opt/denied/true
try ldso-allowed /lib64/ld-linux-x86-64.so.2 /opt/ok/true
try dynamic-denied /opt/denied/true
try mmap-denied bs-probe mmap-exec /opt/denied/busybox
try mprotect-denied bs-probe mprotect-exec /opt/denied/busybox
try mmap-allowed bs-probe mmap-exec /opt/ok/busybox
try mmap-read-allowed cat /opt/denied/busybox
try hardlink-make ln /opt/denied/busybox /opt/ok/hardlink
try hardlink-exec /opt/ok/hardlink true
try link-out-of-subtree ln /opt/blocked/busybox /opt/ok/escaped
try rename-out-of-subtree mv /opt/blocked/busybox /opt/ok/moved
try rename-within-subtree mv /opt/blocked/busybox /opt/blocked/renamed
try copy-into-subtree cp /opt/ok/busybox /opt/blocked/copy
# Depth: the subtree walk follows 64 levels, then fails closed (the
# first levels taken with plain loads, the rest in a bpf_loop: one
# budget). A file 62 components below / is 64 levels: the 62, the root
# of the disk and the root of the initramfs's rootfs it is mounted on.
deep=/opt/ok; for i in $(seq 59); do deep=$deep/d; done
try exec-deep-64 $deep/busybox true
try deep-65-there test -x $deep/d/busybox
try exec-deep-65 $deep/d/busybox true
try copy-into-subtree-exec /opt/blocked/copy true
try copy-into-tmpfs cp /opt/ok/busybox /run/copy
try copy-into-tmpfs-exec /run/copy true
try write-denied sh -c 'echo x >> /etc/protected'
try truncate-denied truncate -s 0 /etc/protected
try chmod-denied chmod 600 /etc/protected
try chown-denied chown 1:1 /etc/protected
try unlink-denied rm -f /etc/protected
try rename-denied mv /etc/protected /etc/protected2
try write-by-subject /usr/lib/writer/busybox sh -c 'echo by-writer >> /etc/protected'
say "protected now: $(tail -n 1 /etc/protected)"
try read-denied cat /etc/secret
try read-by-exception /usr/lib/reader/busybox cat /etc/secret
try read-allowed cat /etc/protected
try write-allowed sh -c 'echo ok > /tmp/scratch'
try cap-denied adjtimex -o 5
try cap-allowed hostname vm-enforce
try module-init-denied bs-probe init-module /lib/extra/dummy.ko
try module-finit-denied bs-probe finit-module /lib/extra/dummy.ko
try kexec-denied bs-probe kexec-load
try mount-denied-subtree mount -t tmpfs none /mnt/locked
try mount-allowed mount -t tmpfs none /mnt/free
try mount-denied-fstype mount -t ramfs none /mnt/free2
say "loader processes: $(pidof bootseal-loader || echo none)"
say "pins: $(ls /sys/fs/bpf/bootseal | wc -l)"
finish
EOF

enf_guest_tree "$VM_WORK/tree"
# Made here: in the guest, mkdir below the 64th level is refused too
# (`deny write subtree` makes every write walk).
deep=$VM_WORK/tree/opt/ok
for i in $(seq 59); do deep=$deep/d; done
mkdir -p "$deep/d"
cp "$VM_WORK/tree/opt/ok/busybox" "$deep/busybox"
cp "$VM_WORK/tree/opt/ok/busybox" "$deep/d/busybox"
initrd=$(enf_initramfs "$VM_WORK/vm.sealed")
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$VM_WORK/tree:/" \
	--machine-id 0123456789abcdef0123456789abcdef)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/console.log" --timeout 280 \
	--append 'bootseal.verifier_stats'

log=$VM_WORK/console.log
vm_expect "$log" "bootseal: policy 'vm-enforce' generation 1 in force, enforce mode" "the loader installed the policy"
# bootseal.verifier_stats: the verifier's figures of each program.
vm_expect "$log" 'bootseal: load: [0-9]+ programs verified and loaded, [1-9][0-9]* instructions processed by the verifier, the most [1-9][0-9]* in bs_' \
	"the loader's load line gives what the verifier processed"
vm_expect "$log" 'bootseal: verifier: bs_file_open: [1-9][0-9]* instructions processed$' \
	"bootseal.verifier_stats logs each program's verifier statistics"
vm_expect_order "$log" "bootseal: policy 'vm-enforce' generation 1 in force" '^TEST: exec-denied-path rc=' \
	"the policy was in force before init's first line"
denied() { vm_expect "$log" "^TEST: $1 rc=[1-9]" "$2 is refused"; }
allowed() { vm_expect "$log" "^TEST: $1 rc=0\$" "$2 is allowed"; }
denied exec-denied-path "exec of a file named by a path rule"
vm_expect "$log" '^TEST: exec-denied-path out=.*(Operation not permitted|Permission denied)' "the denial is EPERM"
allowed exec-allowed "exec of an unnamed copy of the same program"
denied exec-denied-subtree "exec below a denied subtree"
denied ldso-denied "running a denied program through ld.so"
allowed ldso-allowed "running an allowed program through ld.so"
denied dynamic-denied "exec of a denied dynamic program"
denied mmap-denied "mapping a denied file executable"
denied mprotect-denied "making a mapping of a denied file executable"
allowed mmap-allowed "mapping an allowed file executable"
allowed mmap-read-allowed "reading a file only exec is denied on"
allowed hardlink-make "a hard link that keeps the file under its rule"
denied hardlink-exec "exec of a denied program through a hard link"
denied link-out-of-subtree "a hard link that takes a file out of a denied subtree"
denied rename-out-of-subtree "a rename that takes a file out of a denied subtree"
allowed rename-within-subtree "a rename within the denied subtree"
allowed copy-into-subtree "copying a program into the denied subtree"
denied copy-into-subtree-exec "exec of a copy in a denied subtree"
allowed exec-deep-64 "exec of a program whose subtree walk reaches the top at its 64th level"
allowed deep-65-there "a program one level deeper is there"
denied exec-deep-65 "exec of it: its walk is deeper than the walk follows (fail closed)"
vm_expect "$log" '^TEST: exec-deep-65 out=.*(Operation not permitted|Permission denied)' "the depth denial is EPERM"
allowed copy-into-tmpfs "copying a program to tmpfs"
denied copy-into-tmpfs-exec "exec of a copy on a denied filesystem type"
denied write-denied "appending to a write-protected file"
denied truncate-denied "truncating it"
denied chmod-denied "chmod of it"
denied chown-denied "chown of it"
denied unlink-denied "removing it"
denied rename-denied "renaming it"
allowed write-by-subject "writing it as the subject the allow rule names"
vm_expect "$log" '^TEST: protected now: by-writer$' "the subject's write landed"
denied read-denied "reading a read-protected file"
allowed read-by-exception "reading it as an excepted subject"
allowed read-allowed "reading an unprotected file"
allowed write-allowed "writing an unprotected file"
denied cap-denied "using a denied capability (CAP_SYS_TIME: adjtimex)"
vm_expect "$log" "^TEST: cap-denied out=.*Operation not permitted" "the capability denial is EPERM"
allowed cap-allowed "using another capability"
denied module-init-denied "init_module under the default deny"
denied module-finit-denied "finit_module under the default deny"
denied kexec-denied "kexec_load under the default deny"
denied mount-denied-subtree "mounting over a denied subtree"
allowed mount-allowed "mounting elsewhere"
denied mount-denied-fstype "mounting a denied filesystem type"
vm_expect "$log" '^TEST: loader processes: none$' "the loader has exited"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect_not "$log" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"
