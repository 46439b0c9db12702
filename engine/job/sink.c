#include "job/sink.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mm_sink_message(const mm_sink *sink, mm_sink_level level, const char *step, const char *fmt, ...)
{
    if (!sink || !sink->ops || !sink->ops->message)
        return;
    char *text = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0)
        text = NULL;
    va_end(ap);
    sink->ops->message(sink->ctx, level, step, text ? text : fmt);
    free(text);
}

/* The engine's steps log one line per event and mark warnings in the text
 * ("warning: ..."); the sink gets the level instead. */
void mm_sink_event(const mm_sink *sink, const char *step, const char *line)
{
    static const char prefix[] = "warning: ";
    if (strncmp(line, prefix, sizeof prefix - 1) == 0)
        mm_sink_message(sink, MM_SINK_WARNING, step, "%s", line + sizeof prefix - 1);
    else
        mm_sink_message(sink, MM_SINK_NOTE, step, "%s", line);
}

bool mm_sink_cancelled(const mm_sink *sink)
{
    return sink && sink->cancel && atomic_load(sink->cancel);
}

void mm_sink_step_started(const mm_sink *sink, const char *step)
{
    if (sink && sink->ops && sink->ops->step_started)
        sink->ops->step_started(sink->ctx, step);
}
