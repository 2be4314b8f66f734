# objects-names: a `path` rule protects the name, for the life of the
# machine, on a dracut boot with the policy from the partition. Refused:
# after a subject (and then passwd) replaces /etc/shadow atomically,
# another program's write of the new file; the same replacement by a plain
# program and by a passwd that is not the named one; a replacement, even
# by the subject, whose new file has a second hard link or that another
# process holds open for writing; a hard link at a protected name; a file,
# directory or symlink created at a protected name that did not exist when
# the loader ran; a directory, symlink or renamed directory at the place
# of a missing directory a deny rule's path goes through, or of a missing
# subtree (fail closed until a loader finds it); renaming or removing a directory protected names hang
# from (and the directory of a subtree rule), also with RENAME_EXCHANGE; a
# mount on a directory above protected names, or on a protected name; a
# write through a file handle opened after the dentry cache is dropped (no
# parents to name it by); on filesystems mounted after the loader on the
# empty directories the policy names (and a second mount there, also
# through a file handle that stops under the first), a file created at a
# protected name, and a file removed from, created in or chowned in a
# denied subtree (the path hooks cross the mount). Twins that keep working: a missing
# directory under an allow rule and a sibling of a closed one are made; the subjects replace and
# write (the subject also with its own descriptor still open, as systemd
# does), plain programs create and remove elsewhere, renames and exchanges
# of unprotected directories, a file handle opened for reading, and the
# mounts themselves on a subtree's directory (after a private namespace's
# own mount there) and on a name's directory.
. "$VM_SOURCE_ROOT/tests/vm/enforcer-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/dracut-lib.sh"
. "$VM_SOURCE_ROOT/tests/vm/attack-lib.sh"

tree=$VM_WORK/tree
enf_guest_tree "$tree"
atk_programs "$tree"
mkdir -p "$tree/usr/lib/subj" "$tree/usr/lib/passwd-prog" "$tree/etc/app/conf.d" "$tree/etc/keep" \
	"$tree/etc/vacant" "$tree/etc/free" "$tree/boot" "$tree/srv" "$tree/tmp"
cp "$tree/opt/tools/bs-attack" "$tree/usr/lib/subj/bs-attack"
cp "$(command -v busybox)" "$tree/usr/lib/passwd-prog/busybox"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tree/etc/passwd"
echo 'root:*:19000:0:99999:7:::' >"$tree/etc/shadow"
echo 'main' >"$tree/etc/app/conf.d/main.conf"
echo 'kept' >"$tree/etc/keep/file"
mkdir -p "$tree/etc/keep/sub"
# The places the system mounts its own filesystems on after boot.
printf '%s\n' '/dev/vda2 / ext4 defaults 0 1' 'LABEL=boot /boot ext4 defaults 0 2' 'tmpfs /srv tmpfs defaults 0 0' \
	>"$tree/etc/fstab"

S=/usr/lib/subj/bs-attack
blob=$(dr_policy vm-objects-names 2 \
	'deny write path /etc/shadow' \
	'allow write path /etc/shadow by /usr/lib/passwd-prog/busybox' \
	"allow write path /etc/shadow by $S" \
	'deny write path /etc/later.conf' \
	"allow write path /etc/later.conf by $S" \
	'deny write path /etc/tmpfile.conf' \
	"allow write path /etc/tmpfile.conf by $S" \
	'deny write path /etc/absent.conf' \
	'deny write path /etc/app/conf.d/main.conf' \
	'deny write path /etc/vacant/file' \
	'deny write subtree /etc/keep' \
	'deny write subtree /boot' \
	'deny write path /srv/site.conf' \
	'deny write subtree /lib' \
	'deny write subtree /lib64' \
	'deny write subtree /usr/lib/subj' \
	'deny write subtree /usr/lib/passwd-prog' \
	'deny write path /etc/late.d/app.conf' \
	'deny exec subtree /opt/later' \
	'allow write path /etc/maybe/x')
dr_partition "$VM_WORK/part.img" "$blob"

cat >"$VM_WORK/init" <<'EOF_INIT'
#!/bin/sh
. /lib/vm-test.sh
say "init ran"
S=/usr/lib/subj/bs-attack
T=/opt/tools/bs-attack
P=/usr/lib/passwd-prog/busybox
F=/etc/shadow
mkdir -p /tmp && mount -t tmpfs none /tmp
# Atomic replacement: write shadow+, rename it over shadow, as passwd does.
try subject-replace $S replace $F 'root:*:19001:0:99999:7:::'
try write-after-subject-replace $T write $F evil
try passwd-first $P passwd -l root
say "shadow first: $(cut -c1-7 $F)"
try write-after-replace $T write $F evil
try passwd-second $P passwd -d root
try write-after-second $T write $F evil
try replace-plain $T replace $F evil
try passwd-plain /opt/ok/busybox passwd -u root
try passwd-writes $P sh -c "echo '# kept' >> $F"
try replace-linked-subject $S replace-linked $F evil /etc/alias
echo evil >/etc/shadow.new
$T hold /etc/shadow.new &
HP=$!
sleep 1
try replace-held-subject $S rename /etc/shadow.new $F
kill $HP
try replace-own-open-subject $S replace-open $F 'root:*:19002:0:99999:7:::'
echo evil >/etc/shadow.new
try replace-forked-writer sh -c "exec 3>>/etc/shadow.new; $S rename /etc/shadow.new $F; rc=\$?; echo evil >&3; exit \$rc"
ln -s /tmp/evil /etc/shadow.lnk
try replace-symlink-subject $S rename /etc/shadow.lnk $F
try tmpfile-subject $S tmpfile-link /etc /etc/tmpfile.conf mine
try tmpfile-plain $T tmpfile-link /etc /etc/absent.conf evil
# Other places of the same names: a bind mount of the directory, of the file.
mkdir -p /mnt/e /tmp/s && : >/tmp/s/f
try bind-etc-elsewhere mount --bind /etc /mnt/e
try write-through-bind $T write /mnt/e/shadow evil
try mount-on-name-through-bind mount --bind /tmp/s/f /mnt/e/shadow
try bind-file-elsewhere mount --bind /etc/shadow /tmp/s/f
try write-through-file-bind $T write /tmp/s/f evil
umount /tmp/s/f; umount /mnt/e
say "shadow: $(grep -c evil $F) evil lines"
# A name that did not exist when the loader ran.
: >/etc/x
try create-absent $T create /etc/absent.conf evil
try mkdir-absent mkdir /etc/absent.conf
try symlink-absent ln -s /tmp/evil /etc/absent.conf
try link-absent $T link /etc/x /etc/absent.conf
try create-later-plain $T create /etc/later.conf evil
try link-later-subject $S link /etc/x /etc/later.conf
try create-later-subject $S create /etc/later.conf mine
try write-later-plain $T write /etc/later.conf evil
try write-later-subject $S write /etc/later.conf again
try create-free $T create /etc/free.conf fine
# A directory on a deny rule's path, or a subtree, missing at boot: it
# cannot be made, so the rule's object cannot appear unprotected.
try mkdir-late mkdir /etc/late.d
try mkdir-p-late mkdir -p /etc/late.d/app.conf
try symlink-late ln -s /tmp /etc/late.d
mkdir /etc/late.tmp
try rename-late mv /etc/late.tmp /etc/late.d
try mkdir-later-subtree mkdir /opt/later
try mkdir-late-sibling mkdir /etc/late.e
try mkdir-maybe mkdir -p /etc/maybe
say "late.d: $(ls -d /etc/late.d 2>/dev/null || echo absent)"
# The directories names hang from stay where they are.
try mv-app mv /etc/app /etc/app.old
try mv-conf-d mv /etc/app/conf.d /etc/app/conf.old
try mv-keep mv /etc/keep /etc/keep.old
try rmdir-vacant rmdir /etc/vacant
try exchange-keep $T exchange /etc/keep /etc/free
mkdir -p /etc/free2
try mv-free mv /etc/free2 /etc/free3
try exchange-free $T exchange /etc/free /etc/free3
# Mounts: not on a directory above deeper names, nor on a protected name.
mkdir -p /tmp/fake/conf.d && echo evil >/tmp/fake/conf.d/main.conf && echo evil >/tmp/fakefile
try bind-on-etc mount --bind /tmp/fake /etc
try tmpfs-on-app mount -t tmpfs none /etc/app
try bind-on-name mount --bind /tmp/fakefile /etc/app/conf.d/main.conf
try bind-private-on-etc $T bind-private /tmp/fake /etc
try bind-private-on-name $T bind-private /tmp/fakefile /etc/app/conf.d/main.conf
try mount-on-vacant mount -t tmpfs none /etc/vacant
try mount-in-subtree mount --bind /tmp/fake /etc/keep/sub
try mount-free mount -t tmpfs none /mnt/free
say "main.conf: $(cat /etc/app/conf.d/main.conf)"
# A file handle opened after the dentry cache is dropped: no parents.
try handle-write-name $T handle-write $F evil
try handle-read-plain $T handle-read /etc/free.conf
# Filesystems mounted after the loader on the rules' directories.
mkdir -p /tmp/bootfs && mount -t tmpfs none /tmp/bootfs && echo image >/tmp/bootfs/vmlinuz
# A private namespace's own mount on /boot first, as a systemd sandbox's
# ProtectHome= puts one on /home before the system mounts it.
unshare -m --propagation private sh -c 'mount -t tmpfs none /boot && echo "TEST: private-mounted" && exec sleep 120' &
sleep 2
try mount-boot mount --bind /tmp/bootfs /boot
try stack-boot mount -t tmpfs none /boot
# The same through a path that stops on /boot's directory itself, under the
# mount on it (a file handle opened through /proc/self/fd); its twin on a
# directory nothing protects.
try stack-boot-under $T mount-under / boot /tmp/fake
mkdir -p /opt/under
try mount-under-free $T mount-under /opt under /tmp/fake
try umount-boot umount /boot
try detach-boot umount -l /boot
try rm-boot rm /boot/vmlinuz
try chown-boot chown 1 /boot/vmlinuz
: >/tmp/own
try chown-free chown 1 /tmp/own
# A POSIX ACL is a write of the file's metadata (from 6.2 it goes through
# inode_set_acl, not inode_setxattr).
try setacl-name $T setacl /etc/shadow
try setacl-free $T setacl /tmp/own
# File attribute flags (chattr +i) are a write of the file too: immutable,
# /etc/shadow would refuse the writers the policy allows.
: >/etc/flags-free
try setflags-name $T setflags /etc/shadow
try fssetxattr-name $T fssetxattr /etc/shadow
try setflags-boot $T setflags /boot/vmlinuz
try setflags-free $T setflags /etc/flags-free
try fssetxattr-free $T fssetxattr /etc/flags-free
try create-boot $T create /boot/initrd.img evil
try rm-other rm /etc/free.conf
try mount-srv mount -t tmpfs none /srv
try create-srv-name $T create /srv/site.conf evil
try create-srv-other $T create /srv/other.conf fine
try stack-srv mount -t tmpfs none /srv
# Through a peer of / (a shared bind of it): not under the mount on /srv.
mkdir -p /mnt/r /tmp/pre && echo evil >/tmp/pre/site.conf
mount --make-shared / && mount --bind / /mnt/r
try tuck-srv mount --bind /tmp/pre /mnt/r/srv
say "shadow last: $(cut -c1-7 $F)"
bootseal audit | grep -E 'above a protected name|other names or writers|without its parents' | sed 's/^/TEST: audit: /'
bootseal audit | grep -E '\((mkdir|ln|mv), ' | sed 's/^/TEST: audit-late: /'
finish
EOF_INIT
disk=$(atk_disk)
initrd=$(dr_initramfs "$(dr_etc)")

log=$VM_WORK/console.log
vm_boot --initrd "$initrd" --disk "$disk" --log "$log" --timeout 500
vm_expect "$log" "bootseal: policy 'vm-objects-names' generation 2 in force, enforce mode" "the policy is in force"
vm_expect "$log" '^TEST: subject-replace rc=0$' "a subject allowed to write /etc/shadow replaces it atomically"
vm_expect "$log" '^TEST: write-after-subject-replace rc=1$' "the new file at /etc/shadow is protected"
vm_expect "$log" '^TEST: passwd-first rc=0$' "passwd (busybox's, named in the policy) locks root: it replaces /etc/shadow"
vm_expect "$log" '^TEST: shadow first: root:!\*$' "(root's password is locked)"
vm_expect "$log" '^TEST: write-after-replace rc=1$' "the file it put at /etc/shadow is protected"
vm_expect "$log" '^TEST: passwd-second rc=0$' "passwd replaces it again (deleting the password)"
vm_expect "$log" '^TEST: write-after-second rc=1$' "and that file is protected too"
vm_expect "$log" '^TEST: replace-plain rc=1$' "a plain program cannot rename a file over /etc/shadow"
vm_expect "$log" '^TEST: passwd-plain rc=[1-9]' "nor can a passwd that is not the named one"
vm_expect "$log" '^TEST: passwd-writes rc=0$' "the subject still writes it"
vm_expect "$log" '^TEST: replace-linked-subject rc=1$' "a new file with a second hard link is not renamed over it"
vm_expect "$log" '^TEST: replace-held-subject rc=1$' "nor one another process holds open for writing"
vm_expect "$log" '^TEST: replace-own-open-subject rc=0$' "one the subject itself still holds open is (as systemd renames)"
vm_expect "$log" '^TEST: replace-forked-writer rc=1$' "not one whose open file the subject shares with its parent"
vm_expect "$log" '^TEST: replace-symlink-subject rc=1$' "nor a symlink, even by the subject"
vm_expect "$log" '^TEST: tmpfile-subject rc=0$' "the subject links an O_TMPFILE file in at its name"
vm_expect "$log" '^TEST: tmpfile-plain rc=1$' "a plain program cannot"
vm_expect "$log" '^TEST: bind-etc-elsewhere rc=0$' "/etc is bind-mounted elsewhere"
vm_expect "$log" '^TEST: write-through-bind rc=1$' "a protected name is protected through that bind mount"
vm_expect "$log" '^TEST: mount-on-name-through-bind rc=1$' "nothing is mounted on it there"
vm_expect "$log" '^TEST: bind-file-elsewhere rc=0$' "the file at a protected name is bind-mounted elsewhere"
vm_expect "$log" '^TEST: write-through-file-bind rc=1$' "and is protected there"
vm_expect "$log" '^TEST: shadow: 0 evil lines$' "/etc/shadow holds no line of the refused writers"
for r in create-absent mkdir-absent symlink-absent link-absent create-later-plain; do
	vm_expect "$log" "^TEST: $r rc=1\$" "$r: nothing is created at a protected name absent at boot"
done
vm_expect "$log" '^TEST: link-later-subject rc=1$' "not even a hard link by the name's subject"
vm_expect "$log" '^TEST: create-later-subject rc=0$' "the subject creates it"
vm_expect "$log" '^TEST: write-later-plain rc=1$' "then no other program writes it"
vm_expect "$log" '^TEST: write-later-subject rc=0$' "the subject does"
vm_expect "$log" '^TEST: create-free rc=0$' "a file at an unprotected name is created"
vm_expect "$log" 'rule 20 \(deny write path /etc/late\.d/app\.conf\): /etc/late.d/app.conf: /etc/late.d does not exist; until a loader finds it, creating it is refused to every process' \
	"the loader says which missing directory it keeps closed"
for r in mkdir-late mkdir-p-late symlink-late rename-late mkdir-later-subtree; do
	vm_expect "$log" "^TEST: $r rc=1\$" "$r: a missing directory a deny rule goes through is not made"
done
vm_expect "$log" '^TEST: late.d: absent$' "(/etc/late.d is still absent)"
vm_expect "$log" '^TEST: mkdir-late-sibling rc=0$' "a directory beside it is made"
vm_expect "$log" '^TEST: mkdir-maybe rc=0$' "so is one an allow rule goes through"
vm_expect "$log" '^TEST: audit-late: .*denied write .*\(mkdir, .*deny rule 20$' "the audit log names the rule mkdir broke"
vm_expect "$log" '^TEST: audit-late: .*denied write .*\(mkdir, .*deny rule 21$' "and the subtree's"
for r in mv-app mv-conf-d mv-keep rmdir-vacant exchange-keep; do
	vm_expect "$log" "^TEST: $r rc=1\$" "$r: a directory names hang from stays where it is"
done
vm_expect "$log" '^TEST: mv-free rc=0$' "an unprotected directory is renamed"
vm_expect "$log" '^TEST: exchange-free rc=0$' "and exchanged"
vm_expect "$log" '^TEST: bind-on-etc rc=1$' "no mount on a directory above protected names"
vm_expect "$log" '^TEST: tmpfs-on-app rc=1$' "(a new filesystem either)"
vm_expect "$log" '^TEST: bind-on-name rc=1$' "no mount on a protected name"
vm_expect "$log" '^TEST: bind-private-on-etc rc=1$' "nor with MS_BIND | MS_PRIVATE (a bind mount all the same)"
vm_expect "$log" '^TEST: bind-private-on-name rc=1$' "(on a name either)"
vm_expect "$log" '^TEST: mount-on-vacant rc=1$' "no mount on the empty directory of a name the fstab does not mount on"
vm_expect "$log" '^TEST: mount-in-subtree rc=1$' "no mount inside a write-protected subtree (it would lend it files)"
vm_expect "$log" '^TEST: mount-free rc=0$' "a mount elsewhere works"
vm_expect "$log" '^TEST: main.conf: main$' "the protected file is still the one at its name"
vm_expect "$log" '^TEST: handle-write-name rc=1$' "a file handle without parents cannot write a name-protected file (the subtree rules fail closed too)"
vm_expect "$log" '^TEST: handle-read-plain rc=0$' "a file handle still opens a file for reading"
vm_expect "$log" '^TEST: private-mounted$' "a private mount namespace mounted a tmpfs on /boot"
vm_expect "$log" '^TEST: mount-boot rc=0$' "a filesystem is mounted on the directory of a subtree rule (the private namespace's mount there does not take the system's place)"
vm_expect "$log" '^TEST: stack-boot rc=1$' "no second filesystem is stacked on it"
vm_expect "$log" '^TEST: stack-boot-under rc=1$' "nor through a path that stops under the mount on it (a file handle)"
vm_expect "$log" '^TEST: mount-under-free rc=0$' "twin: the same mount through a file handle on an unprotected directory works"
vm_expect "$log" '^TEST: umount-boot rc=1$' "it is not unmounted"
vm_expect "$log" '^TEST: detach-boot rc=1$' "nor detached"
vm_expect "$log" '^TEST: rm-boot rc=1$' "and the subtree rule holds for its files: rm is refused"
vm_expect "$log" '^TEST: create-boot rc=1$' "so is a new file"
vm_expect "$log" '^TEST: chown-boot rc=1$' "and chown (path_chown crosses the mount)"
vm_expect "$log" '^TEST: chown-free rc=0$' "chown elsewhere works"
vm_expect "$log" '^TEST: setacl-name rc=1$' "no POSIX ACL is set on a write-protected file"
vm_expect "$log" '^TEST: setacl-free rc=0$' "one is set elsewhere"
vm_expect "$log" '^TEST: setflags-name rc=1$' "a write-protected file is not made immutable (FS_IOC_SETFLAGS)"
vm_expect "$log" '^TEST: fssetxattr-name rc=1$' "nor through FS_IOC_FSSETXATTR"
vm_expect "$log" '^TEST: setflags-boot rc=1$' "nor in the subtree of a filesystem mounted later"
vm_expect "$log" '^TEST: setflags-free rc=0$' "another file is"
vm_expect "$log" '^TEST: fssetxattr-free rc=0$' "both ways"
vm_expect "$log" '^TEST: rm-other rc=0$' "rm elsewhere works"
vm_expect "$log" '^TEST: mount-srv rc=0$' "a filesystem is mounted on the directory of a protected name"
vm_expect "$log" '^TEST: create-srv-name rc=1$' "the name is protected on it"
vm_expect "$log" '^TEST: create-srv-other rc=0$' "other names on it are not"
vm_expect "$log" '^TEST: stack-srv rc=1$' "and no second filesystem is stacked on it"
vm_expect "$log" '^TEST: tuck-srv rc=1$' "nor tucked under it through a peer of /"
vm_expect "$log" '^TEST: shadow last: root:\*:$' "/etc/shadow is the subject's last replacement"
vm_expect "$log" '^TEST: audit: .*above a protected name' "the audit log names the ancestor refusals"
vm_expect "$log" '^TEST: audit: .*other names or writers' "and the aliased replacements"
