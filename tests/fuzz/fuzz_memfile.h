/*
 * fuzz_memfile.h — for parsers that read a named file (corpus files, check
 * policies): the input is written to an in-memory file created once per
 * process, and the parser opens it as /proc/self/fd/N.  No file is left
 * behind, nothing is written to the disk.
 */
#ifndef TGPL_FUZZ_MEMFILE_H
#define TGPL_FUZZ_MEMFILE_H

#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static int fuzz_memfd = -1;
static char fuzz_mempath[64];

/* Make the in-memory file hold exactly these bytes; its path is fuzz_mempath. */
static inline void fuzz_memfile_put(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (fuzz_memfd < 0) {
		fuzz_memfd = memfd_create("tgpl-fuzz", 0);
		FUZZ_CHECK(fuzz_memfd >= 0, "memfd_create failed");
		snprintf(fuzz_mempath, sizeof(fuzz_mempath), "/proc/self/fd/%d", fuzz_memfd);
	}
	FUZZ_CHECK(ftruncate(fuzz_memfd, 0) == 0, "ftruncate failed");
	while (done < size) {
		ssize_t n = pwrite(fuzz_memfd, data + done, size - done, (off_t)done);
		FUZZ_CHECK(n > 0, "pwrite failed");
		done += (size_t)n;
	}
}

#endif
