/*
 * microhttpd.c: libmicrohttpd, opened when `mores site serve` starts its
 * server (archive_dynlib_open), so that no other command loads it and the
 * TLS libraries behind it. The functions carry libmicrohttpd's names and
 * pass each call on; serve.c reads as ordinary libmicrohttpd code.
 */
#include "site_int.h"

#include <microhttpd.h>
#include <stdarg.h>

enum {
	START_DAEMON_VA, STOP_DAEMON, GET_DAEMON_INFO, FROM_BUFFER, FROM_FD,
	ADD_HEADER, QUEUE_RESPONSE, DESTROY_RESPONSE, REASON_PHRASE, COUNT
};

static const char *const names[COUNT + 1] = {
	"MHD_start_daemon_va", "MHD_stop_daemon", "MHD_get_daemon_info",
	"MHD_create_response_from_buffer", "MHD_create_response_from_fd",
	"MHD_add_response_header", "MHD_queue_response",
	"MHD_destroy_response", "MHD_get_reason_phrase_for", NULL
};

static void *fns[COUNT];

static struct archive_dynlib lib = { "libmicrohttpd.so.12", "libmicrohttpd12",
				     names, fns };

/* The library's function number i, as type T; NULL when libmicrohttpd
 * could not be opened (the error is then in the archive error channel). */
#define FN(i, T) (archive_dynlib_open(&lib) == 0 ? (T)fns[i] : NULL)

int site_microhttpd_open(void)
{
	return archive_dynlib_open(&lib);
}

/* The options that follow dh_cls go on as a va_list. */
struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port,
				    MHD_AcceptPolicyCallback apc,
				    void *apc_cls,
				    MHD_AccessHandlerCallback dh,
				    void *dh_cls, ...)
{
	struct MHD_Daemon *(*f)(unsigned int, uint16_t,
				MHD_AcceptPolicyCallback, void *,
				MHD_AccessHandlerCallback, void *, va_list) =
		FN(START_DAEMON_VA,
		   struct MHD_Daemon *(*)(unsigned int, uint16_t,
					  MHD_AcceptPolicyCallback, void *,
					  MHD_AccessHandlerCallback, void *,
					  va_list));
	struct MHD_Daemon *d;
	va_list ap;

	if (!f)
		return NULL;
	va_start(ap, dh_cls);
	d = f(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void MHD_stop_daemon(struct MHD_Daemon *d)
{
	void (*f)(struct MHD_Daemon *) =
		FN(STOP_DAEMON, void (*)(struct MHD_Daemon *));

	if (f)
		f(d);
}

/* Only the kinds of information that take no further argument. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *d,
						enum MHD_DaemonInfoType type,
						...)
{
	const union MHD_DaemonInfo *(*f)(struct MHD_Daemon *,
					 enum MHD_DaemonInfoType, ...) =
		FN(GET_DAEMON_INFO,
		   const union MHD_DaemonInfo *(*)(struct MHD_Daemon *,
						   enum MHD_DaemonInfoType,
						   ...));

	return f ? f(d, type) : NULL;
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer,
				enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *(*f)(size_t, void *,
				  enum MHD_ResponseMemoryMode) =
		FN(FROM_BUFFER,
		   struct MHD_Response *(*)(size_t, void *,
					    enum MHD_ResponseMemoryMode));

	return f ? f(size, buffer, mode) : NULL;
}

struct MHD_Response *MHD_create_response_from_fd(size_t size, int fd)
{
	struct MHD_Response *(*f)(size_t, int) =
		FN(FROM_FD, struct MHD_Response *(*)(size_t, int));

	return f ? f(size, fd) : NULL;
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *r,
					const char *header,
					const char *content)
{
	enum MHD_Result (*f)(struct MHD_Response *, const char *,
			     const char *) =
		FN(ADD_HEADER, enum MHD_Result (*)(struct MHD_Response *,
						   const char *, const char *));

	return f ? f(r, header, content) : MHD_NO;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *c,
				   unsigned int status,
				   struct MHD_Response *r)
{
	enum MHD_Result (*f)(struct MHD_Connection *, unsigned int,
			     struct MHD_Response *) =
		FN(QUEUE_RESPONSE,
		   enum MHD_Result (*)(struct MHD_Connection *, unsigned int,
				       struct MHD_Response *));

	return f ? f(c, status, r) : MHD_NO;
}

void MHD_destroy_response(struct MHD_Response *r)
{
	void (*f)(struct MHD_Response *) =
		FN(DESTROY_RESPONSE, void (*)(struct MHD_Response *));

	if (f)
		f(r);
}

const char *MHD_get_reason_phrase_for(unsigned int code)
{
	const char *(*f)(unsigned int) =
		FN(REASON_PHRASE, const char *(*)(unsigned int));

	return f ? f(code) : "";
}
