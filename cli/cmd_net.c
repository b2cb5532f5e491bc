/*
 * cmd_net.c: the commands that reach the network: `mores links check`,
 * `mores notify` and `mores harvest`.
 */
#include "cli.h"
#include "net/net.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/* Parses flags that take no value; *flags[i] is set for opts[i]. */
static int parse_flags(const char *name, int argc, char **argv,
		       const struct option *opts, int **flags)
{
	int c, idx;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		if (c == '?' || c == ':')
			return cli_bad_option(name, argv, opts);
		*flags[c - 1] = 1;
	}
	if (optind < argc)
		return cli_usage(name, "unexpected argument '%s'",
				 argv[optind]);
	return 0;
}

/* ---- links check ------------------------------------------------------------- */

int cmd_links_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "public", no_argument, 0, 1 },
		{ "json", no_argument, 0, 2 },
		{ 0, 0, 0, 0 }
	};
	int public_only = 0, json = 0, *flags[] = { &public_only, &json };
	net_link_stats st;
	archive *a = NULL;
	json_t *list = NULL, *row;
	size_t i;
	int rc = parse_flags("links check", argc, argv, opts, flags);

	if (rc)
		return rc;
	if (cli_open(&a, cli) ||
	    net_links_check(&list, a, public_only, NULL, &st)) {
		rc = cli_fail();
		goto done;
	}
	if (json) {
		cli_print_json(list);
	} else {
		json_array_foreach(list, i, row)
		{
			const char *state = str(row, "state");

			if (!strcmp(state, "ok"))
				continue;
			printf("%s:%ld: %s: %s", str(row, "file"),
			       (long)json_integer_value(
				       json_object_get(row, "line")),
			       state, str(row, "url"));
			if (!strcmp(state, "redirected"))
				printf(" -> %s", str(row, "final_url"));
			else
				printf(" (%s)", str(row, "error"));
			putchar('\n');
		}
		printf("%zu link%s (%zu address%s: %zu checked, %zu from the "
		       "cache): %zu ok, %zu redirected, %zu broken, %zu "
		       "unreachable\n",
		       st.links, st.links == 1 ? "" : "s", st.urls,
		       st.urls == 1 ? "" : "es", st.checked, st.cached, st.ok,
		       st.redirected, st.broken, st.unreachable);
	}
	rc = st.broken ? 1 : 0;
done:
	json_decref(list);
	archive_free(a);
	return rc;
}

/* ---- notify and harvest ------------------------------------------------------ */

static void report_line(int ok, const char *what, const char *message,
			void *ctx)
{
	const char *command = ctx;

	if (ok)
		printf("%s: %s\n", what, message);
	else
		fprintf(stderr, "mores %s: %s: %s\n", command, what, message);
}

int cmd_notify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, 0, 1 },
		{ 0, 0, 0, 0 }
	};
	int dry_run = 0, *flags[] = { &dry_run }, sent = 0;
	archive *a = NULL;
	int rc = parse_flags("notify", argc, argv, opts, flags);

	if (rc)
		return rc;
	if (cli_open(&a, cli)) {
		rc = cli_fail();
		goto done;
	}
	rc = net_notify_run(a, dry_run, stdout, &sent, report_line, "notify");
	if (rc < 0)
		rc = cli_fail();
	else if (rc > 0)
		rc = 1; /* a channel failed; it was reported */
	else if (sent == 0)
		puts("Nothing new to send.");
done:
	archive_free(a);
	return rc;
}

int cmd_harvest(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0, 0, 0, 0 } };
	archive *a = NULL;
	int rc = parse_flags("harvest", argc, argv, opts, NULL);

	if (rc)
		return rc;
	if (cli_open(&a, cli)) {
		rc = cli_fail();
		goto done;
	}
	rc = net_harvest_run(a, NULL, report_line, "harvest");
	if (rc < 0)
		rc = cli_fail();
	else if (rc > 0)
		rc = 1; /* a site failed; it was reported */
done:
	archive_free(a);
	return rc;
}
