// SPDX-License-Identifier: GPL-2.0-only
/*
 * bs-tpm: the guest-side program of the tpm-floor scenario, a root
 * process's raw access to the TPM, without bootseal's code or the TSS:
 * TPM 2.0 commands assembled by hand and written to /dev/tpmrm0.
 *
 *   nv-write INDEX VALUE   TPM2_NV_Write of VALUE (8 bytes, big-endian) to
 *                          the NV index INDEX (hex), authorized by the
 *                          index's own empty password, as the loader does
 *
 * Prints "response 0xRC" and exits 0 when the TPM accepted the command, 1
 * when it answered an error, 2 on a usage or I/O failure.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v; return 2; }
static size_t put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); return 4; }

int main(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[1], "nv-write") != 0) {
		fprintf(stderr, "usage: bs-tpm nv-write INDEX VALUE\n");
		return 2;
	}
	uint32_t index = strtoul(argv[2], NULL, 16);
	unsigned long long value = strtoull(argv[3], NULL, 10);
	uint8_t cmd[64], rsp[64];
	size_t n = 0;
	n += put16(cmd + n, 0x8002);     /* TPM_ST_SESSIONS */
	n += put32(cmd + n, 0);          /* size, below */
	n += put32(cmd + n, 0x00000137); /* TPM_CC_NV_Write */
	n += put32(cmd + n, index);      /* authHandle: the index itself */
	n += put32(cmd + n, index);      /* nvIndex */
	n += put32(cmd + n, 9);          /* authorization area size */
	n += put32(cmd + n, 0x40000009); /* TPM_RS_PW */
	n += put16(cmd + n, 0);          /* nonce: empty */
	cmd[n++] = 0;                    /* session attributes */
	n += put16(cmd + n, 0);          /* password: empty */
	n += put16(cmd + n, 8);          /* data: 8 bytes */
	for (int i = 7; i >= 0; i--) cmd[n++] = (uint8_t)(value >> (8 * i));
	n += put16(cmd + n, 0);          /* offset */
	put32(cmd + 2, (uint32_t)n);

	int fd = open("/dev/tpmrm0", O_RDWR);
	if (fd < 0) {
		perror("bs-tpm: /dev/tpmrm0");
		return 2;
	}
	if (write(fd, cmd, n) != (ssize_t)n) {
		perror("bs-tpm: write");
		return 2;
	}
	ssize_t r = read(fd, rsp, sizeof rsp);
	if (r < 10) {
		perror("bs-tpm: read");
		return 2;
	}
	uint32_t rc = (uint32_t)rsp[6] << 24 | (uint32_t)rsp[7] << 16 | (uint32_t)rsp[8] << 8 | rsp[9];
	printf("response 0x%08x\n", rc);
	return rc == 0 ? 0 : 1;
}
