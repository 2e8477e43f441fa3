// SPDX-License-Identifier: MIT
/*
 * Build-id from an ELF file's PT_NOTE segments: the recorder reads it for
 * mappings where the kernel's MMAP2 record carried none, so every mapping in
 * a recording is named by its build-id.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildid.h"

static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

int
screc_note_build_id(const uint8_t *p, size_t len, uint8_t *id, size_t *idlen)
{
	size_t off = 0;

	while (len - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		size_t namesz, descsz;

		memcpy(&nh, p + off, sizeof(nh));
		off += sizeof(nh);
		namesz = (nh.n_namesz + 3u) & ~3u;
		descsz = (nh.n_descsz + 3u) & ~3u;
		if (namesz > len - off || descsz > len - off - namesz)
			return -ENOENT;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(p + off, "GNU", 4) == 0 && nh.n_descsz > 0 &&
		    nh.n_descsz <= SCREC_BUILD_ID_MAX) {
			memcpy(id, p + off + namesz, nh.n_descsz);
			*idlen = nh.n_descsz;
			return 0;
		}
		off += namesz + descsz;
	}
	return -ENOENT;
}

int
screc_open_regular(const char *path)
{
	struct stat before, after;
	int fd;

	if (stat(path, &before) < 0)
		return -errno;
	if (!S_ISREG(before.st_mode))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &after) < 0 || !S_ISREG(after.st_mode) || after.st_ino != before.st_ino ||
	    after.st_dev != before.st_dev) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int
screc_read_build_id(const char *path, uint8_t *id, size_t *len)
{
	Elf64_Ehdr eh;
	int fd, err, i;

	fd = screc_open_regular(path);
	if (fd < 0)
		return fd;
	err = read_at(fd, &eh, sizeof(eh), 0);
	if (err)
		goto out;
	err = -ENOEXEC;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_phentsize != sizeof(Elf64_Phdr))
		goto out;
	err = -ENOENT;
	for (i = 0; i < eh.e_phnum && i < 256; i++) {
		uint8_t notes[4096];
		Elf64_Phdr ph;
		size_t n;

		if (read_at(fd, &ph, sizeof(ph), eh.e_phoff + (uint64_t)i * sizeof(ph)))
			break;
		if (ph.p_type != PT_NOTE)
			continue;
		n = ph.p_filesz < sizeof(notes) ? ph.p_filesz : sizeof(notes);
		if (read_at(fd, notes, n, ph.p_offset))
			continue;
		if (screc_note_build_id(notes, n, id, len) == 0) {
			err = 0;
			break;
		}
	}
out:
	close(fd);
	return err;
}

void
screc_hex(const uint8_t *id, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * len] = '\0';
}
