# enforcer-example-appliance: examples/appliance-lockdown.policy, sealed as
# shipped, on a root that has the programs and files it names. Its denials
# and allows hold from init's first line: no exec from tmpfs or /var/tmp,
# audited exec from /usr/local/bin, /etc/shadow written only by passwd and
# read only by the authenticators, modules only by kmod from the module
# tree, no reboot but by systemd, no mounts over /etc, and the kernel
# locked down (integrity) before init.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"

enf_seal "$VM_SOURCE_ROOT/examples/appliance-lockdown.policy" "$VM_WORK/appliance.sealed"

enf_appliance_root "$VM_WORK"
tree=$VM_WORK/tree

initrd=$(enf_initramfs "$VM_WORK/appliance.sealed")
disk=$(vm_build_disk --init "$VM_WORK/init" --dir "$tree:/" --root-size 96)
vm_boot --initrd "$initrd" --disk "$disk" --log "$VM_WORK/console.log" --timeout 280

log=$VM_WORK/console.log
vm_expect "$log" "bootseal: policy 'appliance-lockdown' generation 3 in force, enforce mode" "the example policy is installed"
vm_expect_order "$log" "bootseal: kernel lockdown: integrity" '^TEST: ' "the example's lockdown integrity is raised before init runs"
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
