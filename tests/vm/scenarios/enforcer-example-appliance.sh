# enforcer-example-appliance: examples/appliance-lockdown.policy, sealed as
# shipped, on a root that has the programs and files it names. Its denials
# and allows hold from init's first line: no exec from tmpfs or /var/tmp,
# audited exec from /usr/local/bin, /etc/shadow written only by passwd and
# read only by the authenticators, modules only by kmod from the module
# tree, no reboot but by systemd, no mounts over /etc.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

enf_seal "$VM_SOURCE_ROOT/examples/appliance-lockdown.policy" "$VM_WORK/appliance.sealed"

cat >"$VM_WORK/init" <<'EOF'
#!/bin/sh
. /lib/vm-test.sh
try exec-tmpfs sh -c 'cp /bin/busybox /run/payload && /run/payload true'
try exec-var-tmp sh -c 'cp /bin/busybox /var/tmp/payload && /var/tmp/payload true'
try exec-home /home/user/bin/busybox true
try exec-usr-local /usr/local/bin/busybox true
try exec-usr /usr/libexec/tool/busybox true
try shadow-write sh -c 'echo x >> /etc/shadow'
try shadow-write-passwd /usr/lib/passwd-prog/busybox sh -c 'echo pw >> /etc/shadow'
try shadow-read cat /etc/shadow
try shadow-read-login /usr/lib/login-prog/busybox cat /etc/shadow
try gshadow-write sh -c 'echo x >> /etc/gshadow'
try hostkey-read cat /etc/ssh/ssh_host_ed25519_key
try ssh-config-write sh -c 'echo x >> /etc/ssh/sshd_config'
try ssh-new-file sh -c 'echo x > /etc/ssh/new'
try boot-write sh -c 'echo x >> /boot/vmlinuz'
try module-any bs-probe finit-module /usr/lib/modules/extra/dummy.ko
try module-kmod-elsewhere /usr/bin/kmod finit-module /lib/extra/dummy.ko
try module-kmod /usr/bin/kmod finit-module /usr/lib/modules/extra/dummy.ko
say "dummy loaded: $(grep -c '^dummy ' /proc/modules)"
try reboot-denied bs-probe poweroff
try mount-etc mount -t tmpfs none /etc/ssh
try mount-mnt mount -t tmpfs none /mnt
say "init done"
sync
/usr/lib/systemd/systemd poweroff
EOF

tree=$VM_WORK/tree
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

initrd=$(enf_initramfs "$VM_WORK/appliance.sealed")
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$tree:/" --root-size 96)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/console.log" --timeout 280

log=$VM_WORK/console.log
vm_expect "$log" "bootseal: policy 'appliance-lockdown' generation 3 in force, enforce mode" "the example policy is installed"
denied() { vm_expect "$log" "^TEST: $1 rc=[1-9]" "$2 is refused"; }
allowed() { vm_expect "$log" "^TEST: $1 rc=0\$" "$2 is allowed"; }
denied exec-tmpfs "running a payload dropped into tmpfs"
denied exec-var-tmp "running a payload from /var/tmp"
denied exec-home "running a program from /home"
allowed exec-usr-local "running from /usr/local/bin (audited)"
allowed exec-usr "running from /usr"
denied shadow-write "writing /etc/shadow"
allowed shadow-write-passwd "writing /etc/shadow as passwd"
denied shadow-read "reading /etc/shadow"
allowed shadow-read-login "reading /etc/shadow as login"
denied gshadow-write "writing /etc/gshadow"
denied hostkey-read "reading the SSH host key"
denied ssh-config-write "changing the SSH configuration"
denied ssh-new-file "adding a file to /etc/ssh"
denied boot-write "writing /boot"
denied module-any "loading a module with another program"
denied module-kmod-elsewhere "kmod loading a module from outside the module tree"
allowed module-kmod "kmod loading a module from the module tree"
vm_expect "$log" '^TEST: dummy loaded: 1$' "the module kmod loaded is there"
denied reboot-denied "powering off by another program than systemd"
denied mount-etc "mounting over /etc"
allowed mount-mnt "mounting elsewhere"
vm_expect "$log" '^TEST: init done$' "init ran to its end"
vm_expect "$log" 'reboot: Power down' "systemd (here a stand-in) may power off"
vm_expect_not "$log" 'boot stopped|Kernel panic|BUG:' "no stop, no panic"
