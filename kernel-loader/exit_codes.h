/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bootseal-loader's exit codes, in one place. The initramfs hooks continue
 * the boot on 0 and 1 and stop it on anything else (docs/LOADER.md).
 */
#ifndef BOOTSEAL_LOADER_EXIT_CODES_H
#define BOOTSEAL_LOADER_EXIT_CODES_H

/* The policy is installed (or, with --dry-run, would be). */
#define BS_EXIT_OK 0
/* No policy was installed, and the configuration (on-failure = continue,
 * or permissive mode) says to boot on: the failure was logged. */
#define BS_EXIT_CONTINUE 1
/* The loader's own command line is wrong. */
#define BS_EXIT_USAGE 2
/* loader.conf, the trust store or a bootseal.* kernel option is unusable. */
#define BS_EXIT_CONFIG 3
/* No valid policy: none found, or only tampered, unsigned, untrusted or
 * rolled-back ones (each source looked at is logged). */
#define BS_EXIT_NO_POLICY 4
/* The policy is bound to other machines than the new root's machine-id. */
#define BS_EXIT_MACHINE 5
/* The kernel has no active bpf LSM (lsm= lacks bpf). */
#define BS_EXIT_NO_BPF_LSM 6
/* Loading, filling, attaching or pinning the enforcer failed. */
#define BS_EXIT_INSTALL 7
/* An enforcer is already installed (its pins exist). */
#define BS_EXIT_ALREADY 8
/* The policy is installed but the kernel lockdown level it asks for could
 * not be raised (enforce mode; permissive mode warns and exits 0). */
#define BS_EXIT_LOCKDOWN 9

#endif /* BOOTSEAL_LOADER_EXIT_CODES_H */
