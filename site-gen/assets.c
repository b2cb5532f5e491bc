/*
 * assets.c: the style sheets and the search script. The NL Design System
 * styles (the Utrecht component library and the Voorbeeld theme) come
 * from npm and are installed with mores; a committee replaces the theme
 * with its own CSS file from the archive (site.theme in mores.yml, with
 * site.theme_class naming its class), without recompiling.
 */
#include "site_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const library_css =
	"site-gen/node_modules/@utrecht/component-library-css/dist/index.css";
static const char *const theme_css =
	"site-gen/node_modules/@nl-design-system-unstable/"
	"voorbeeld-design-tokens/dist/theme.css";

static int copy_data(struct site *s, const char *from, const char *to)
{
	char path[4096], *text;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", archive_datadir(), from);
	if (archive_file_slurp(&text, &len, path) != 0)
		return archive_error_set(ARCHIVE_ENOTFOUND,
					 "%s: missing; the NL Design System "
					 "styles are installed with mores (make "
					 "deps, or make install)",
					 path);
	rc = site_write(s, to, text, len, NULL);
	free(text);
	return rc;
}

/* The committee's own theme, read from the archive's commit. */
static int copy_theme(struct site *s, const char *file)
{
	char *text;
	size_t len;
	int rc;

	if (archive_snap_read(&text, &len, archive_snapshot(s->a), file) != 0)
		return archive_error_set(ARCHIVE_ENOTFOUND,
					 "mores.yml: site.theme: '%s' is not "
					 "a file in the archive",
					 file);
	rc = site_write(s, "assets/theme.css", text, len, NULL);
	free(text);
	return rc;
}

int site_assets(struct site *s)
{
	const archive_node *site = archive_node_get(archive_settings(s->a),
						    "site");
	const char *theme = site ? archive_node_get_scalar(site, "theme")
				 : NULL;
	int rc;

	rc = copy_data(s, library_css, "assets/nlds.css");
	rc = rc ? rc : theme ? copy_theme(s, theme)
			     : copy_data(s, theme_css, "assets/theme.css");
	rc = rc ? rc : copy_data(s, "site-gen/assets/mores.css",
				 "assets/mores.css");
	rc = rc ? rc : copy_data(s, "site-gen/assets/zoeken.js",
				 "assets/zoeken.js");
	return rc;
}
