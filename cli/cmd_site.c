/*
 * cmd_site.c: `mores site build` and `mores site serve`.
 */
#include "cli.h"
#include "site-gen/site.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Parses --out and --port; returns 0, or the exit code of a usage error. */
static int site_opts(const char *name, int argc, char **argv,
		     const char **out, int *port)
{
	static const struct option opts[] = {
		{ "out", required_argument, 0, 'o' },
		{ "port", required_argument, 0, 'p' },
		{ 0, 0, 0, 0 }
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		long n;

		if (c == 'o') {
			*out = optarg;
		} else if (c == 'p' && port) {
			n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 1 || n > 65535)
				return cli_usage(name, "--port: '%s' is not a "
						       "port (1-65535)",
						 optarg);
			*port = (int)n;
		} else {
			return cli_usage(name, "bad option '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(name, "unexpected '%s'", argv[optind]);
	return 0;
}

/* Builds into out (or ARCHIVE/_site); *dir receives the folder used and,
 * when prefix is not NULL, *prefix the path of the site's base_url. */
static int build(struct cli *cli, const char *out, char **dir, int quiet,
		 char **prefix)
{
	site_stats st;
	archive *a;
	int rc = 0;

	*dir = NULL;
	if (cli_open(&a, cli) != 0)
		return cli_fail();
	if (prefix)
		*prefix = site_base_path(a);
	if (out)
		*dir = strdup(out);
	else if (asprintf(dir, "%s/_site", archive_path(a)) < 0)
		*dir = NULL;
	if (!*dir || site_build(a, *dir, &st) != 0)
		rc = cli_fail();
	else if (!quiet)
		printf("%s: %zu reflection%s; %zu file%s written, %zu "
		       "unchanged, %zu removed\n",
		       *dir, st.reflections, st.reflections == 1 ? "" : "s",
		       st.written, st.written == 1 ? "" : "s", st.unchanged,
		       st.removed);
	archive_free(a);
	return rc;
}

int cmd_site_build(struct cli *cli, int argc, char **argv)
{
	const char *out = NULL;
	char *dir;
	int rc = site_opts("site build", argc, argv, &out, NULL);

	if (rc)
		return rc;
	rc = build(cli, out, &dir, 0, NULL);
	free(dir);
	return rc;
}

struct serving {
	const char *dir, *prefix;
};

static void ready(int port, void *ctx)
{
	const struct serving *sv = ctx;

	printf("Serving %s at http://127.0.0.1:%d/", sv->dir, port);
	if (sv->prefix)
		printf(" and http://127.0.0.1:%d%s/", port, sv->prefix);
	printf(" (Ctrl-C to stop)\n");
	fflush(stdout);
}

int cmd_site_serve(struct cli *cli, int argc, char **argv)
{
	const char *out = NULL;
	int port = 8000, rc = site_opts("site serve", argc, argv, &out, &port);
	char *dir, *prefix = NULL;
	struct serving sv;

	if (rc)
		return rc;
	if (site_microhttpd_open() != 0)
		return cli_fail();
	/* the preview shows the archive as it is now */
	if ((rc = build(cli, out, &dir, 0, &prefix)) != 0) {
		free(dir);
		free(prefix);
		return rc;
	}
	sv.dir = dir;
	sv.prefix = prefix;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (site_serve_at(dir, prefix, port, &stop, ready, &sv) != 0)
		rc = cli_fail();
	free(dir);
	free(prefix);
	return rc;
}
