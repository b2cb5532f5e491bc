/*
 * cli.h: what the files of the command line share: the parsed global
 * options, the command table with its help texts, and output helpers.
 */
#ifndef MORES_CLI_H
#define MORES_CLI_H

#include "archive/archive.h"

#include <jansson.h>

#define EXIT_USAGE 2

struct cli {
	const char *archive_path; /* -C */
	const char *author;       /* --author */
};

struct command {
	const char *name;    /* "case new" */
	const char *usage;   /* the synopsis after "mores " */
	const char *summary; /* one line */
	const char *help;    /* the rest of `mores help COMMAND` */
	int (*run)(struct cli *cli, int argc, char **argv);
};

extern const struct command cli_commands[];

/* Prints "mores: MESSAGE" for the last error and returns 1 (or 2 for a
 * usage error). */
int cli_fail(void);

/* Prints a usage error for a command and returns EXIT_USAGE. */
int cli_usage(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Reports the option getopt just refused: "needs a value" when it is one
 * of opts that takes a value, "bad option" otherwise. Returns EXIT_USAGE. */
struct option;
int cli_bad_option(const char *command, char **argv,
		   const struct option *opts);

/* Opens the archive named by -C, $MORES_ARCHIVE or the folder. */
int cli_open(archive **out, struct cli *cli);

/* Resolves the author for a write. */
int cli_author(char **out, struct cli *cli, archive *a);

/* Prints JSON to stdout. */
void cli_print_json(json_t *j);

/* Prints the help of one command; returns 0, or 2 when unknown. */
int cli_help_command(const char *name);

/* Prints the overview of all commands to f. */
void cli_help_overview(FILE *f);

/* The command handlers. */
int cmd_init(struct cli *, int, char **);
int cmd_case_new(struct cli *, int, char **);
int cmd_case_list(struct cli *, int, char **);
int cmd_case_show(struct cli *, int, char **);
int cmd_case_set(struct cli *, int, char **);
int cmd_case_move(struct cli *, int, char **);
int cmd_case_log(struct cli *, int, char **);
int cmd_case_triage(struct cli *, int, char **);
int cmd_advice_new(struct cli *, int, char **);
int cmd_advice_edit(struct cli *, int, char **);
int cmd_advice_put(struct cli *, int, char **);
int cmd_response_put(struct cli *, int, char **);
int cmd_due(struct cli *, int, char **);
int cmd_check(struct cli *, int, char **);
int cmd_template_list(struct cli *, int, char **);
int cmd_index(struct cli *, int, char **);
int cmd_search(struct cli *, int, char **);
int cmd_similar(struct cli *, int, char **);
int cmd_site_build(struct cli *, int, char **);
int cmd_site_serve(struct cli *, int, char **);
int cmd_links_check(struct cli *, int, char **);
int cmd_notify(struct cli *, int, char **);
int cmd_harvest(struct cli *, int, char **);

#endif
