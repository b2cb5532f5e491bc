/*
 * fuzz_common.h: what the fuzz targets share: copying libFuzzer's bytes
 * into a NUL-terminated string, and stopping with a message when a
 * property of mores does not hold (abort() is what libFuzzer reports as a
 * crash, with the input that caused it).
 */
#ifndef MORES_FUZZ_COMMON_H
#define MORES_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The input as a C string; NUL bytes inside stay (the parsers see only
 * the part before the first). Caller frees. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Stops the run when cond is false: the property named by what broke.
 * Replayed inside a Check suite (FUZZ_REPLAY), it fails the test. */
#ifdef FUZZ_REPLAY
#include <check.h>
#define FUZZ_ASSERT(cond, what) ck_assert_msg(cond, "property broken: %s", what)
#else
#define FUZZ_ASSERT(cond, what)                                            \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "property broken: %s (%s:%d)\n",   \
				what, __FILE__, __LINE__);                 \
			abort();                                           \
		}                                                          \
	} while (0)
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
