#!/bin/bash
# dracut module: bootseal installs the sealed security policy into the BPF
# LSM enforcer before switch_root, so init and every boot script run under
# it. dracut.modules(7).

# The loader to install: $BOOTSEAL_LOADER when set (a staged build, e.g.
# the QEMU tests), else bootseal-loader found in dracut's PATH. Likewise
# $BOOTSEAL_ETC for /etc/bootseal.
bootseal_loader() {
    if [[ -n ${BOOTSEAL_LOADER-} ]]; then
        echo "$BOOTSEAL_LOADER"
    else
        find_binary bootseal-loader
    fi
}

# 255: only when asked for (dracut.conf.d/90-bootseal.conf adds it), and
# only where the loader is installed.
check() {
    local loader
    loader=$(bootseal_loader)
    if [[ ! -x $loader ]]; then
        derror "bootseal: bootseal-loader is not installed"
        return 1
    fi
    return 255
}

# bpf, bpffs and the bpf LSM are built into the kernels the loader
# supports. The TPM drivers are built in on Debian's; where they are
# modules, they come along for `tpm = auto|required` (docs/LOADER.md).
installkernel() {
    instmods tpm_tis tpm_crb
    return 0
}

depends() {
    echo base
    return 0
}

install() {
    # BOOTSEAL_ETC: another directory than /etc/bootseal (staged tests).
    local conf=${BOOTSEAL_ETC:-${dracutsysrootdir-}/etc/bootseal}
    # Opt-in: installing the package changes nothing at boot until the
    # machine is configured (docs/INSTALL.md, section 7), so that an
    # unconfigured machine does not stop for want of a policy.
    if [[ ! -f $conf/loader.conf ]]; then
        dwarn "bootseal: $conf/loader.conf does not exist; the initramfs will not carry a policy loader"
        return 0
    fi
    inst_binary "$(bootseal_loader)" /usr/sbin/bootseal-loader
    inst_multiple mkdir sync poweroff
    # The loader reaches the TPM through libtss2's TCTI loader, which
    # dlopen()s the device TCTI: ldd does not show it.
    inst_libdir_file "libtss2-tcti-device.so*"

    # The trust store, the loader's configuration (its rollback floor
    # included) and the hooks' own settings: what the initramfs trusts is
    # fixed when it is generated.
    inst_dir /etc/bootseal/trusted.d
    local f
    for f in "$conf"/trusted.d/*.pem; do
        [[ -f $f ]] && inst_simple "$f" "/etc/bootseal/trusted.d/${f##*/}"
    done
    [[ -f $conf/loader.conf ]] && inst_simple "$conf/loader.conf" /etc/bootseal/loader.conf
    [[ -f $conf/initramfs.conf ]] && inst_simple "$conf/initramfs.conf" /etc/bootseal/initramfs.conf
    [[ -f $conf/policy.sealed ]] && inst_simple "$conf/policy.sealed" /etc/bootseal/policy.sealed

    # The hooks source both; without them they could not tell the
    # loader's exit codes apart, so no image is better than one without.
    inst_simple "$moddir/bootseal-exit-codes.sh" /lib/bootseal-exit-codes.sh || return 1
    inst_simple "$moddir/bootseal-stop.sh" /lib/bootseal-stop.sh || return 1
    if dracut_module_included "systemd"; then
        inst_simple "$moddir/bootseal-load.sh" /usr/lib/bootseal/bootseal-load.sh
        inst_simple "$moddir/bootseal-load.service" "$systemdsystemunitdir/bootseal-load.service"
        inst_simple "$moddir/bootseal-failed.sh" /usr/lib/bootseal/bootseal-failed.sh
        inst_simple "$moddir/bootseal-failed.service" "$systemdsystemunitdir/bootseal-failed.service"
        inst_multiple systemctl
        # Required, not wanted: should the unit fail in a way its script
        # did not foresee, initrd.target fails too, and the boot stops.
        $SYSTEMCTL -q --root "$initdir" add-requires initrd.target bootseal-load.service
        # And by the switch itself: a command line that names another
        # target (rd.systemd.unit=initrd-switch-root.target) skips
        # initrd.target, never the loader.
        $SYSTEMCTL -q --root "$initdir" add-requires initrd-switch-root.service bootseal-load.service
    else
        inst_hook pre-pivot 90 "$moddir/bootseal-pre-pivot.sh"
    fi
}
