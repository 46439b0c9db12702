#include "loop.h"

#include "draw.h"
#include "keymap.h"
#include "term.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

enum {
    FRAME_MS = 100,          /* at most 10 repaints a second */
    BUSY_TICK_MS = 100,      /* how often a running job is polled */
    SCRIPT_STEP_LIMIT_MS = 20000, /* a scripted step waiting longer than this fails */
    SCRIPT_JOB_LIMIT_MS = 120000, /* wait-job */
    DEAD_TTY_ERRS = 1000,    /* consecutive empty reads of a readable tty: it is gone */
};

static int wake_pipe[2] = {-1, -1};

int mm_loop_init(mm_error *err)
{
    if (wake_pipe[0] >= 0)
        return 0;
    if (pipe2(wake_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return mm_error_errno(err, errno, "create", "the wake pipe");
    mm_term_set_wake_fd(wake_pipe[1]);
    return 0;
}

void mm_loop_fini(void)
{
    mm_term_set_wake_fd(-1);
    for (int i = 0; i < 2; i++)
        if (wake_pipe[i] >= 0)
            close(wake_pipe[i]);
    wake_pipe[0] = wake_pipe[1] = -1;
}

void mm_tui_wake(void)
{
    int fd = wake_pipe[1];
    if (fd >= 0) {
        int saved = errno;
        ssize_t ignored = write(fd, "w", 1); /* a full pipe already means "wake up" */
        (void)ignored;
        errno = saved;
    }
}

static void drain_wake(void)
{
    char buf[256];
    while (wake_pipe[0] >= 0 && read(wake_pipe[0], buf, sizeof buf) > 0)
        ;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void paint(const mm_loop_client *c, bool relayout)
{
    if (relayout)
        clearok(curscr, TRUE);
    erase();
    mm_draw_cursor_reset();
    c->draw(c->ctx);
    int y, x;
    if (mm_draw_cursor_wanted(&y, &x)) {
        move(y, x);
        curs_set(1);
    } else {
        curs_set(0);
    }
    refresh();
}

static unsigned tick(const mm_loop_client *c)
{
    drain_wake();
    return c->on_tick ? c->on_tick(c->ctx) : MM_TUI_NONE;
}

static bool busy(const mm_loop_client *c)
{
    return c->busy && c->busy(c->ctx);
}

static bool running(const mm_loop_client *c)
{
    return c->running && c->running(c->ctx);
}

/* A quit signal arrived: whether the loop ends. The client may handle it
 * (a question) and re-arm the handler. */
static bool signal_quits(const mm_loop_client *c, unsigned *flags)
{
    int sig = mm_term_caught_signal();
    if (!sig)
        return false;
    if (!c->on_signal)
        return true;
    unsigned f = c->on_signal(c->ctx, sig);
    if (f & MM_TUI_QUIT)
        return true;
    mm_term_clear_signal();
    *flags |= f;
    return false;
}

/* Waits (ticking) until done(c) or the limit; repaints what changed. */
static int script_wait(const mm_loop_client *c, mm_script *script, const mm_script_step *step,
                       bool (*done)(const mm_loop_client *c, const mm_script_step *step), int limit_ms,
                       mm_error *err)
{
    int64_t deadline = now_ms() + limit_ms;
    for (;;) {
        unsigned flags = tick(c);
        if (signal_quits(c, &flags))
            return 0;
        if (flags)
            paint(c, flags & MM_TUI_RELAYOUT);
        if (done(c, step))
            return 0;
        if (now_ms() > deadline)
            return mm_error_set(err, MM_ERR_INTERNAL, "%s:%d: %s: still waiting after %d s", script->path,
                                step->lineno, step->kind == MM_STEP_WAIT_JOB ? "wait-job" : "wait-text",
                                limit_ms / 1000);
        struct pollfd pfd = {wake_pipe[0], POLLIN, 0};
        poll(&pfd, 1, BUSY_TICK_MS);
    }
}

static bool job_done(const mm_loop_client *c, const mm_script_step *step)
{
    (void)step;
    return !running(c);
}

static bool text_shown(const mm_loop_client *c, const mm_script_step *step)
{
    paint(c, false);
    return mm_script_screen_contains(step->text);
}

static int run_script(const mm_loop_client *c, mm_script *script, mm_error *err)
{
    paint(c, true);
    for (;;) {
        int64_t deadline = now_ms() + SCRIPT_STEP_LIMIT_MS;
        unsigned flags = tick(c);
        while (busy(c)) {
            if (signal_quits(c, &flags))
                return 0;
            if (now_ms() > deadline)
                return mm_error_set(err, MM_ERR_INTERNAL, "script %s: background work still running after "
                                    "%d s", script->path, SCRIPT_STEP_LIMIT_MS / 1000);
            struct pollfd pfd = {wake_pipe[0], POLLIN, 0};
            poll(&pfd, 1, BUSY_TICK_MS);
            flags |= tick(c);
        }
        if ((flags & MM_TUI_QUIT) || signal_quits(c, &flags))
            return 0;
        if (flags)
            paint(c, flags & MM_TUI_RELAYOUT);
        const mm_script_step *step = mm_script_next(script);
        if (!step || step->kind == MM_STEP_QUIT)
            return 0;
        switch (step->kind) {
        case MM_STEP_KEY: flags = c->on_key(c->ctx, step->key); break;
        case MM_STEP_TYPE: {
            mbstate_t st = {0};
            const char *p = step->text;
            size_t avail = strlen(p);
            flags = 0;
            while (avail) {
                wchar_t wc;
                size_t n = mbrtowc(&wc, p, avail, &st);
                if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
                    return mm_error_set(err, MM_ERR_ARGUMENT, "%s:%d: 'type' text is not valid UTF-8",
                                        script->path, step->lineno);
                flags |= c->on_key(c->ctx, (int)wc);
                p += n;
                avail -= n;
            }
            break;
        }
        case MM_STEP_SNAPSHOT:
            paint(c, false);
            if (mm_script_snapshot(script, step->text, err) != 0)
                return mm_error_wrap(err, "%s:%d", script->path, step->lineno);
            flags = 0;
            break;
        case MM_STEP_RESIZE:
            mm_term_resize(step->cols, step->lines);
            flags = c->on_key(c->ctx, MM_KEY_FN(KEY_RESIZE));
            break;
        case MM_STEP_SIGNAL:
            /* As the terminal's Ctrl-C would: through the real handler. */
            raise(step->lines);
            flags = 0;
            if (signal_quits(c, &flags))
                return 0;
            break;
        case MM_STEP_CLICK:
            flags = c->on_click && mm_term_mouse() ? c->on_click(c->ctx, step->lines, step->cols, 1) : 0;
            break;
        case MM_STEP_WAIT_JOB:
        case MM_STEP_WAIT_TEXT:
            if (script_wait(c, script, step, step->kind == MM_STEP_WAIT_JOB ? job_done : text_shown,
                            step->kind == MM_STEP_WAIT_JOB ? SCRIPT_JOB_LIMIT_MS : SCRIPT_STEP_LIMIT_MS, err) != 0)
                return -1;
            flags = 0;
            break;
        default: flags = 0; break;
        }
        if (flags & MM_TUI_QUIT)
            return 0;
        if (flags)
            paint(c, flags & MM_TUI_RELAYOUT);
    }
}

/* Reads every key curses has (it buffers input that poll cannot see). */
static unsigned read_keys(const mm_loop_client *c, bool *dead, int *keys)
{
    unsigned flags = 0;
    *keys = 0;
    nodelay(stdscr, TRUE);
    for (;;) {
        wint_t wch;
        int rc = get_wch(&wch);
        if (rc == ERR) {
            if (errno == EIO || errno == EBADF || errno == EPIPE)
                *dead = true;
            break;
        }
        (*keys)++;
        if (rc == KEY_CODE_YES && wch == KEY_MOUSE) {
            MEVENT ev;
            if (getmouse(&ev) == OK && c->on_click) {
                int button = (ev.bstate & BUTTON4_PRESSED) ? 4 : (ev.bstate & BUTTON5_PRESSED) ? 5 : 1;
                flags |= c->on_click(c->ctx, ev.y, ev.x, button);
            }
            continue;
        }
        flags |= c->on_key(c->ctx, mm_key_from_curses(wch, rc == KEY_CODE_YES));
        if (flags & MM_TUI_QUIT)
            break;
    }
    return flags;
}

static int run_terminal(const mm_loop_client *c, mm_error *err)
{
    (void)err;
    paint(c, true);
    int64_t last_paint = now_ms();
    bool dirty = false;
    int empty_reads = 0;
    for (;;) {
        int timeout = -1;
        if (busy(c) || running(c))
            timeout = BUSY_TICK_MS;
        if (dirty) {
            int64_t wait = last_paint + FRAME_MS - now_ms();
            timeout = wait < 0 ? 0 : (int)wait;
        }
        struct pollfd pfd[2] = {{STDIN_FILENO, POLLIN, 0}, {wake_pipe[0], POLLIN, 0}};
        int n = poll(pfd, 2, timeout);
        unsigned flags = 0;
        if (signal_quits(c, &flags))
            return 0;
        bool dead = false;
        /* EINTR is usually SIGWINCH: get_wch then returns KEY_RESIZE. */
        if ((n > 0 && (pfd[0].revents & POLLIN)) || (n < 0 && errno == EINTR)) {
            int keys;
            flags |= read_keys(c, &dead, &keys);
            empty_reads = keys ? 0 : empty_reads + 1;
        }
        if (n > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
            dead = true;
        if (dead || empty_reads > DEAD_TTY_ERRS)
            return 0; /* the terminal went away: nothing left to draw on */
        flags |= tick(c);
        if (flags & MM_TUI_QUIT)
            return 0;
        if (flags & MM_TUI_RELAYOUT) {
            paint(c, true);
            last_paint = now_ms();
            dirty = false;
            continue;
        }
        if (flags)
            dirty = true;
        if (dirty && now_ms() - last_paint >= FRAME_MS) {
            paint(c, false);
            last_paint = now_ms();
            dirty = false;
        }
    }
}

int mm_loop_run(const mm_loop_client *client, mm_script *script, mm_error *err)
{
    return script ? run_script(client, script, err) : run_terminal(client, err);
}
