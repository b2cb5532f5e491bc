/*
 * site.h: the public moresprudence site. `site_build` turns an archive
 * into a static website: a page per public reflection, listings, yearly
 * reports, feeds, a data export and search shards for the browser, all
 * from the public view of each dossier (archive_public_view), so that
 * nothing confidential reaches it. `site_serve` previews a built site on
 * 127.0.0.1.
 *
 * Failures return a negative ARCHIVE_E* code with the message in
 * archive_error_last().
 */
#ifndef MORES_SITE_H
#define MORES_SITE_H

#include "archive/archive.h"

#include <signal.h>
#include <stddef.h>

typedef struct {
	size_t reflections; /* public reflections on the site */
	size_t written;     /* files written (new or changed) */
	size_t unchanged;   /* files left as they were */
	size_t removed;     /* files of an earlier build taken away */
	size_t loaded;      /* dossiers read from the archive: the others
			     * were known, unchanged, from the last build */
} site_stats;

/* Builds the site of archive a's snapshot into out (created when
 * missing). Files whose content did not change are not rewritten, and
 * files an earlier build wrote that are no longer part of the site are
 * removed. */
int site_build(archive *a, const char *out, site_stats *st);

/* Serves the folder dir on http://127.0.0.1:port/ until *stop becomes
 * non-zero (checked at least every 200 ms): files with their content
 * types, index.html for folders, the site's 404.html for what does not
 * exist, nothing outside dir. ARCHIVE_EEXISTS when the port is taken,
 * ARCHIVE_ENOTFOUND when dir is not a folder. When ready, prints
 * nothing itself; on_ready (if not NULL) is called with the port (useful
 * with port 0, which picks a free one). */
int site_serve(const char *dir, int port, volatile sig_atomic_t *stop,
	       void (*on_ready)(int port, void *ctx), void *ctx);

/* site_serve() that also serves the folder under prefix ("/commissie"),
 * the path of the site's base_url, where the published pages that link
 * from the root (the 404 page) look for their files. NULL: at / only. */
int site_serve_at(const char *dir, const char *prefix, int port,
		  volatile sig_atomic_t *stop,
		  void (*on_ready)(int port, void *ctx), void *ctx);

/* Opens libmicrohttpd, which only the preview server loads
 * (microhttpd.c); 0, or an error naming the library and the package to
 * install. site_serve_at() opens it too; `mores site serve` asks first,
 * before it builds the site. */
int site_microhttpd_open(void);

/* The path of the archive's site.base_url without its trailing '/'
 * ("/commissie" for https://example.nl/commissie/), or NULL when it has
 * none beyond the host. The caller frees it. */
char *site_base_path(archive *a);

#endif
