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
if [ -x /usr/sbin/bootseal ]; then
	say "bootseal status, from the booted system:"
	bootseal status
fi
say "init done"
sync
/usr/lib/systemd/systemd poweroff
