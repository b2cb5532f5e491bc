/*
 * dynlib.c: shared libraries opened when a command first needs them.
 * libcurl and libmicrohttpd, with the TLS libraries behind them, are used
 * only by the commands that go on the network or serve the site; loading
 * them into every command would cost each one more than its own work
 * (BENCHMARKS.md). net/libcurl.c and site-gen/microhttpd.c open them here.
 */
#include "archive_int.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int archive_dynlib_open(struct archive_dynlib *l)
{
	int rc;

	pthread_mutex_lock(&lock);
	if (!l->tried) {
		void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
		const char *missing = NULL;

		l->tried = 1;
		for (size_t i = 0; h && l->names[i]; i++)
			if (!(l->fns[i] = dlsym(h, l->names[i])) && !missing)
				missing = l->names[i];
		if (!h)
			snprintf(l->error, sizeof(l->error), "%s", dlerror());
		else if (missing)
			snprintf(l->error, sizeof(l->error),
				 "%s has no function %s",
				 l->soname, missing);
		l->ok = h && !missing;
	}
	rc = l->ok ? 0
		   : archive_error_set(ARCHIVE_ERROR,
				       "%s; install the Debian package %s",
				       l->error, l->package);
	pthread_mutex_unlock(&lock);
	return rc;
}
