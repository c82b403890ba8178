/* ctx.c — the context: last error, log callback, interruption flag. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int tgpl_ctx_new(tgpl_ctx **out)
{
	tgpl_ctx *ctx = tgpl_calloc(1, sizeof(*ctx));
	if (!ctx)
		return TGPL_ENOMEM;
	*out = ctx;
	return 0;
}

void tgpl_ctx_free(tgpl_ctx *ctx)
{
	free(ctx);
}

const char *tgpl_errmsg(const tgpl_ctx *ctx)
{
	if (!ctx || !ctx->errmsg[0])
		return "no error";
	return ctx->errmsg;
}

void tgpl_ctx_set_log(tgpl_ctx *ctx, tgpl_log_cb cb, void *payload)
{
	ctx->log = cb;
	ctx->log_payload = payload;
}

void tgpl_ctx_interrupt(tgpl_ctx *ctx)
{
	ctx->interrupted = 1;
}

int tgpl_interrupted(const tgpl_ctx *ctx)
{
	return ctx && ctx->interrupted;
}

const char *tgpl_version(void)
{
	return TGPL_VERSION;
}

int tgpl_error(tgpl_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	if (!ctx)
		return code;
	va_start(ap, fmt);
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

void tgpl_log(tgpl_ctx *ctx, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ctx || !ctx->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->log(level, msg, ctx->log_payload);
}
