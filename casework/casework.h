/*
 * casework.h: the life of a dossier, as a secretary and a member see it:
 * registering asked and unasked cases, setting fields, moving through the
 * statuses, triage (the ethical check), drafting the advice from a method
 * template, recording the executive's response, what is due, the history
 * of a case, and validating the whole archive.
 *
 * Every change is one commit through archive_write(); every function that
 * changes something validates the result first and writes nothing when it
 * would introduce a problem. Read results come back as jansson values
 * (the caller owns them and json_decref()s them), so that the command line
 * prints one representation either as a table or as --json.
 *
 * Failures return a negative ARCHIVE_E* code with the message in
 * archive_error_last().
 */
#ifndef MORES_CASEWORK_H
#define MORES_CASEWORK_H

#include "archive/archive.h"

#include <jansson.h>

/* What `mores case new` was given. NULL fields were not given. */
typedef struct {
	const char *kind;      /* "asked" or "unasked" */
	const char *title;
	const char *requester; /* required when asked */
	const char *question;  /* required when asked */
	const char *received;  /* YYYY-MM-DD; NULL: today */
	const char *deadline;  /* YYYY-MM-DD or NULL */
	const char *const *values;
	size_t nvalues;
	const char *const *topics;
	size_t ntopics;
	int confidential;
} casework_new_opts;

/* Registers a new dossier with status `registered` and hands its id
 * ("YYYY-NNN", the next free number in the year of receipt) to *out_id. */
int casework_case_new(char **out_id, archive *a, const char *author,
		      const casework_new_opts *o);

/* Sets fields of dossier.md from "key=value" assignments; the list fields
 * (values, instruments, topics, related) take comma-separated values, and
 * an empty value removes the field. `id` and `status` cannot be set here. */
int casework_case_set(archive *a, const char *author, const char *id,
		      char *const *assignments, size_t count);

/* Moves a dossier to `status` if the status machine allows it (design
 * section 3). Closing needs `reason`; adopting needs an advice text and
 * records the adoption date; publishing needs visibility public. */
int casework_case_move(archive *a, const char *author, const char *id,
		       const char *status, const char *reason);

/* The dossiers, oldest first, optionally only those with a status or
 * kind: an array of objects with id, citation, title, kind, status,
 * visibility, received, requester and deadline. */
int casework_case_list(json_t **out, archive *a, const char *status,
		       const char *kind);

/* One dossier: its front matter fields, citation, body, advice and
 * response. */
int casework_case_show(json_t **out, archive *a, const char *id);

/* The ids of the dossiers that list id as related, read from every
 * dossier (the search index answers the same, with text citations too,
 * without reading them all). */
json_t *casework_cited_by(archive *a, const char *id);

/* The history of a dossier from git, newest first: commit, author, email,
 * date and message. */
int casework_case_log(json_t **out, archive *a, const char *id);

/* What is due, soonest first: deadlines of open dossiers, follow-up dates,
 * and open action points. within_days < 0 means everything; otherwise
 * items up to that many days from today (overdue ones included). */
int casework_due(json_t **out, archive *a, int within_days);

/* Validates the whole archive, reporting every problem. Returns the number
 * of problems (0 when the archive is sound) or a negative error code when
 * the archive cannot be read at all. */
int casework_check(archive *a, archive_problem_fn report, void *ctx);

/* ---- triage: the ethical check ---------------------------------------- */

typedef struct {
	const char *key;      /* stored under triage: in dossier.md */
	const char *flag;     /* the command-line flag, e.g. "--phase" */
	const char *question; /* asked on a terminal */
	const char *const *answers; /* allowed answers, NULL-terminated */
} casework_triage_question;

/* The questions, terminated by an entry whose key is NULL. */
extern const casework_triage_question casework_triage_questions[];

/* Stores the answers (index-aligned with casework_triage_questions; NULL
 * for unanswered) in the dossier and returns the suggested instruments
 * with a reason each: an array of {instrument, reason}. */
int casework_triage(json_t **out, archive *a, const char *author,
		    const char *id, const char *const *answers);

/* ---- advice and response ---------------------------------------------- */

/* Creates advies.md from a template (NULL: the one that fits the dossier's
 * kind and instruments). ARCHIVE_EEXISTS when there is already an advice. */
int casework_advice_new(archive *a, const char *author, const char *id,
			const char *template_name);

/* Replaces advies.md. Text with front matter replaces the whole document;
 * text without keeps the current front matter and replaces the body. */
int casework_advice_put(archive *a, const char *author, const char *id,
			const char *text, size_t len);

/* The current advies.md, or the template it would start from. Caller
 * frees. */
int casework_advice_text(char **out, archive *a, const char *id);

/* Replaces reactie.md (the executive's response). Text without front
 * matter gets received: today and from: the requester. */
int casework_response_put(archive *a, const char *author, const char *id,
			  const char *text, size_t len);

/* The advice templates: the shipped ones and the archive's own
 * (templates/advice/NAME.md in the archive wins). An array of {name,
 * title, source}. */
int casework_template_list(json_t **out, archive *a);

#endif
