/*
 * help.c: the command table with the usage and help text of every
 * command; `mores --help`, `mores help COMMAND` and the manual page say
 * the same.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

const struct command cli_commands[] = {
	{ "init", "init DIR --name NAME --code CODE",
	  "create a new archive",
	  "Creates a git repository in DIR with mores.yml (the committee's name\n"
	  "and citation code) and makes the first commit. CODE is capital\n"
	  "letters and digits, e.g. ECE; citation ids read CODE:YYYY:N.\n",
	  cmd_init },
	{ "case new",
	  "case new --kind asked|unasked --title T [--requester R] [--question Q]\n"
	  "               [--received DATE] [--value V]... [--topic T]...\n"
	  "               [--confidential] [--deadline DATE]",
	  "register a case; prints the new id",
	  "Registers a dossier with status 'registered' and prints its id\n"
	  "(YYYY-NNN, numbered per year of receipt). An asked case needs\n"
	  "--requester and --question. --received defaults to today.\n"
	  "--confidential keeps everything of the dossier from publication.\n",
	  cmd_case_new },
	{ "case list", "case list [--status S] [--kind K] [--json]",
	  "list dossiers",
	  "Lists the dossiers, oldest first, with status, kind, date of receipt\n"
	  "and title. --status and --kind filter; --json prints a JSON array.\n",
	  cmd_case_list },
	{ "case show", "case show ID [--json]", "show one dossier",
	  "Shows the dossier's fields, the case text, the advice, the\n"
	  "executive's response and the dossiers that cite it.\n",
	  cmd_case_show },
	{ "case set", "case set ID KEY=VALUE...", "set fields of a dossier",
	  "Sets fields of dossier.md. values, instruments, topics and related\n"
	  "take comma-separated lists; an empty VALUE removes the field. The\n"
	  "status is changed with 'case move'; the id cannot be changed.\n"
	  "Example: mores case set 2026-004 values=privacy,transparantie\n",
	  cmd_case_set },
	{ "case move", "case move ID STATUS [--reason TEXT]",
	  "move a dossier to another status",
	  "Statuses: registered -> intake -> deliberation -> draft -> adopted\n"
	  "-> delivered -> published. Unasked advice may go from adopted to\n"
	  "published; draft may go back to deliberation; any status before\n"
	  "published may go to closed, with --reason. Adopting needs an advice\n"
	  "text and records the date in advies.md; publishing needs\n"
	  "visibility: public.\n",
	  cmd_case_move },
	{ "case log", "case log ID [--json]", "who changed what, when",
	  "Shows the history of the dossier from git: date, author and what\n"
	  "was changed, newest first.\n",
	  cmd_case_log },
	{ "case triage",
	  "case triage ID [--phase P] [--complexity C] [--public-space ja|nee]\n"
	  "               [--automated ja|nee] [--scale S] [--parties P]\n"
	  "               [--data D] [--impact ja|nee]",
	  "the ethical check; suggests instruments",
	  "Asks the questions of the ethical check (on a terminal, when no\n"
	  "answers are given as flags), stores the answers under 'triage:' in\n"
	  "the dossier and suggests instruments (DPIA, IAMA, DEDA,\n"
	  "begeleidingsethiek, moreel beraad) with the reason for each.\n"
	  "Answers: --phase start|lopend|afronding, --complexity\n"
	  "laag|midden|hoog, --scale weinig|veel, --parties intern|extern,\n"
	  "--data geen-persoonsgegevens|persoonsgegevens|bijzonder|openbare-ruimte.\n",
	  cmd_case_triage },
	{ "advice new", "advice new ID [--template NAME]",
	  "start the advice from a template",
	  "Creates advies.md from templates/advice/NAME.md. Without --template\n"
	  "the template follows the dossier's method (deda, begeleidingsethiek,\n"
	  "moreel-beraad) or kind (reflectie for asked, ongevraagd for unasked).\n",
	  cmd_advice_new },
	{ "advice edit", "advice edit ID",
	  "edit the advice in $EDITOR",
	  "Opens advies.md (or, when there is none, its template) in $VISUAL\n"
	  "or $EDITOR, validates the result and commits it. When validation\n"
	  "fails nothing is committed and the edited text is kept in a file\n"
	  "whose name is printed.\n",
	  cmd_advice_edit },
	{ "advice put", "advice put ID FILE|-",
	  "replace the advice from a file or stdin",
	  "Replaces advies.md. Text starting with front matter (---) replaces\n"
	  "the whole file; plain Markdown replaces the text and keeps the\n"
	  "front matter (adopted, summary, actions).\n",
	  cmd_advice_put },
	{ "response put", "response put ID FILE|-",
	  "record the executive's response",
	  "Replaces reactie.md, the executive's response to the advice (the\n"
	  "bestuurlijke reactie). Plain Markdown gets received: today and\n"
	  "from: the requester.\n",
	  cmd_response_put },
	{ "due", "due [--within DAYS] [--json]", "deadlines, follow-ups, action points",
	  "Lists deadlines of dossiers in progress, follow-up dates and open\n"
	  "action points, soonest first; overdue items are marked. --within\n"
	  "keeps items up to DAYS from today (and everything overdue).\n",
	  cmd_due },
	{ "check", "check", "validate the whole archive",
	  "Validates mores.yml, values.yml and every dossier. Prints one line\n"
	  "'FILE: field: problem' per problem and exits 1 when there is one.\n",
	  cmd_check },
	{ "index", "index [--rebuild]", "update the search index",
	  "Brings the full-text index under .mores/ up to date; incremental\n"
	  "unless --rebuild. search and similar do this by themselves, so\n"
	  "this is only needed to prepare the index ahead of time. A damaged\n"
	  "or deleted index is rebuilt.\n",
	  cmd_index },
	{ "search",
	  "search QUERY [--kind K] [--value V] [--year Y] [--status S] [--public]\n"
	  "             [--harvested] [--limit N] [--json]",
	  "search precedent",
	  "Full-text search with Dutch word forms over dossiers, advice,\n"
	  "responses and notes: 'camera' finds \"camera's\", 'sensor' finds\n"
	  "'sensoren', 'register' finds 'algoritmeregister'. All words must\n"
	  "occur; \"an exact phrase\" in quotes, -word to leave a word out,\n"
	  "and OR between two words for either. Hits in titles and summaries\n"
	  "rank first. --public searches only what may be published, with\n"
	  "internal passages left out. --harvested adds the reflections of\n"
	  "other committees that 'mores harvest' fetched, marked with their\n"
	  "committee and the address of their page. --json prints id,\n"
	  "citation, title, kind, status, year, score and snippet for each\n"
	  "result, and committee, url and harvested: true for another\n"
	  "committee's.\n",
	  cmd_search },
	{ "similar", "similar ID [--limit N] [--json]",
	  "dossiers like this one",
	  "Ranks other dossiers by what they share with ID: values, topics,\n"
	  "instruments, citations either way and distinctive words, each\n"
	  "match with the reasons.\n",
	  cmd_similar },
	{ "site build", "site build [--out DIR]", "build the public site",
	  "Builds the static moresprudence site (default ARCHIVE/_site): a\n"
	  "page per public reflection, listings per kind, value, instrument\n"
	  "and year, yearly reports, search that runs in the browser,\n"
	  "feed.xml, sitemap.xml and data/reflecties.json. Only what the\n"
	  "publication rule allows is in it: published, public and past any\n"
	  "embargo, without notes, internal fields or internal passages.\n"
	  "Files that did not change are left alone; the site works from a\n"
	  "web server and opened from disk.\n",
	  cmd_site_build },
	{ "site serve", "site serve [--out DIR] [--port N]",
	  "preview the site on 127.0.0.1",
	  "Builds the site, then serves it on http://127.0.0.1:N/ (default\n"
	  "8000) until Ctrl-C, and also under the path of site.base_url\n"
	  "(/commissie/ for https://example.org/commissie/). Only this\n"
	  "computer can reach it.\n",
	  cmd_site_serve },
	{ "template list", "template list", "list advice templates",
	  "Lists the advice templates: those mores ships and those in the\n"
	  "archive's templates/advice/ folder, which win on equal names.\n",
	  cmd_template_list },
	{ "links check", "links check [--public] [--json]",
	  "check external links in the advice texts",
	  "Finds every http(s) link in the advice texts (advies.md) and checks\n"
	  "them in parallel, at most two at a time per host\n"
	  "($MORES_NET_PER_HOST): HEAD, else GET; redirects are followed and\n"
	  "reported. Prints each broken, redirected or unreachable link with\n"
	  "its file and line, then the totals. Results are kept in\n"
	  ".mores/links.json with their date: a good result is reused for 7\n"
	  "days, a bad one for the rest of the day. --public checks only the\n"
	  "links of published reflections, as the site shows them. --json\n"
	  "prints file, line, url, state, http, final_url, redirects, error,\n"
	  "checked and cached for each link. Exits 1 when a link is broken\n"
	  "(an HTTP error or a redirect loop).\n",
	  cmd_links_check },
	{ "notify", "notify [--dry-run]", "send a digest of what is due",
	  "Sends a digest of what is due within notify.within days (default\n"
	  "14: deadlines, follow-up dates, open action points) and of the\n"
	  "reflections published since the last digest, by e-mail\n"
	  "(notify.smtp) and/or as a JSON POST to a webhook (notify.webhook),\n"
	  "as set in mores.yml. Secrets come from the environment only:\n"
	  "$MORES_SMTP_PASSWORD for notify.smtp.user, $MORES_WEBHOOK_TOKEN\n"
	  "(sent as a bearer token). What was sent is recorded in\n"
	  ".mores/notify-sent.json, so a second run does not repeat it; a\n"
	  "channel that failed is tried again next time. --dry-run prints the\n"
	  "messages and sends nothing.\n",
	  cmd_notify },
	{ "harvest", "harvest", "fetch other committees' collections",
	  "Fetches data/reflecties.json of every site listed under harvest:\n"
	  "in mores.yml (name and url of another committee's published\n"
	  "site), with conditional requests, validates it and keeps it in\n"
	  ".mores/harvest/. 'mores search --harvested' and the site's search\n"
	  "then include those reflections, marked with their committee and\n"
	  "linked to their page. A site that cannot be reached keeps what was\n"
	  "harvested before; the command then exits 1.\n",
	  cmd_harvest },
	{ NULL, NULL, NULL, NULL, NULL }
};

void cli_help_overview(FILE *f)
{
	fputs("usage: mores [-C ARCHIVE] [--author \"Name <mail>\"] COMMAND "
	      "[ARGS]\n\n"
	      "mores keeps an ethics committee's dossiers and advice in a git\n"
	      "archive: every change is a commit.\n\n"
	      "Commands:\n",
	      f);
	for (const struct command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-15s %s\n", c->name, c->summary);
	fputs("\nThe archive is -C ARCHIVE, else $MORES_ARCHIVE, else the nearest\n"
	      "folder upward holding mores.yml. Commits are authored by --author,\n"
	      "else $MORES_AUTHOR, else git's user.name and user.email.\n"
	      "'mores help COMMAND' tells more about a command; see also mores(1).\n",
	      f);
}

int cli_help_command(const char *name)
{
	for (const struct command *c = cli_commands; c->name; c++) {
		if (strcmp(c->name, name) == 0) {
			printf("usage: mores %s\n\n%s", c->usage, c->help);
			return 0;
		}
	}
	fprintf(stderr, "mores: help: no command '%s'\n", name);
	return EXIT_USAGE;
}
