#include "term.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static SCREEN *screen;
static FILE *term_in, *term_out;
static bool active, headless, colors, mouse;
static volatile sig_atomic_t caught_signal;
static volatile sig_atomic_t wake_fd = -1;
static int saved_stderr = -1;
static FILE *captured_stderr;
static bool atexit_registered;

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

/* Restores the terminal from a signal handler: endwin is not
 * async-signal-safe, but the process is about to die and a terminal left
 * in raw mode is worse (htop and tig make the same trade). */
static void emergency_restore(void)
{
    if (active && !headless) {
        endwin();
        if (saved_stderr >= 0)
            dup2(saved_stderr, STDERR_FILENO);
    }
    active = false;
}

static void on_quit_signal(int sig)
{
    if (caught_signal) {
        emergency_restore();
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    caught_signal = sig;
    int fd = wake_fd;
    if (fd >= 0) {
        int saved = errno;
        ssize_t ignored = write(fd, "s", 1);
        (void)ignored;
        errno = saved;
    }
}

static void on_fatal_signal(int sig)
{
    emergency_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit_signal;
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        sigaction(quit_signals[i], &sa, NULL);
    /* Sanitizer builds and headless runs keep the default crash reports. */
    if (!headless && !getenv("MM_KEEP_FATAL_SIGNALS")) {
        sa.sa_handler = on_fatal_signal;
        sa.sa_flags = SA_RESETHAND;
        for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
            sigaction(fatal_signals[i], &sa, NULL);
    }
}

static void restore_handlers(void)
{
    for (size_t i = 0; i < sizeof quit_signals / sizeof quit_signals[0]; i++)
        if (!caught_signal || quit_signals[i] != caught_signal)
            signal(quit_signals[i], SIG_DFL);
    if (!headless)
        for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
            signal(fatal_signals[i], SIG_DFL);
}

/* While curses owns the screen, anything a library prints to stderr would
 * scribble over it; keep it in a file and show it after endwin. */
static void capture_stderr(void)
{
    captured_stderr = tmpfile();
    if (!captured_stderr)
        return;
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    if (saved_stderr < 0 || dup2(fileno(captured_stderr), STDERR_FILENO) < 0) {
        fclose(captured_stderr);
        captured_stderr = NULL;
    }
}

static void replay_stderr(void)
{
    if (saved_stderr < 0)
        return;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    if (captured_stderr) {
        rewind(captured_stderr);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, captured_stderr)) > 0)
            fwrite(buf, 1, n, stderr);
        fclose(captured_stderr);
        captured_stderr = NULL;
    }
}

int mm_term_start(const mm_term_options *opt, mm_error *err)
{
    if (active)
        return 0;
    setlocale(LC_ALL, "");
    headless = opt->headless;
    caught_signal = 0;
    const char *term = getenv("TERM");
    if (headless) {
        term_out = fopen("/dev/null", "w");
        term_in = fopen("/dev/null", "r");
        if (!term_out || !term_in) {
            if (term_out)
                fclose(term_out);
            if (term_in)
                fclose(term_in);
            term_in = term_out = NULL;
            return mm_error_errno(err, errno, "open", "/dev/null");
        }
        use_env(FALSE); /* the size comes from --size, not LINES/COLUMNS */
        screen = newterm(term && *term ? term : "xterm-256color", term_out, term_in);
    } else {
        screen = newterm(term, stdout, stdin);
    }
    if (!screen) {
        if (term_out)
            fclose(term_out);
        if (term_in)
            fclose(term_in);
        term_in = term_out = NULL;
        return mm_error_set(err, MM_ERR_ARGUMENT,
                            "start the terminal: terminal type '%s' is unknown to terminfo; set TERM "
                            "(e.g. TERM=xterm-256color)", term && *term ? term : "xterm-256color");
    }
    set_term(screen);
    /* Without cursor addressing nothing can be drawn where it belongs. */
    const char *cup = tigetstr("cup");
    if (!headless && (!cup || cup == (const char *)-1)) {
        endwin();
        delscreen(screen);
        screen = NULL;
        return mm_error_set(err, MM_ERR_ARGUMENT,
                            "start the terminal: terminal type '%s' cannot move the cursor, so the wizard cannot "
                            "draw on it; set TERM to the terminal's real type (e.g. TERM=xterm-256color), or use "
                            "the headless commands (inspect, dump, load, verify, run)", term && *term ? term : "?");
    }
    active = true;
    if (!atexit_registered) {
        atexit(mm_term_stop);
        atexit_registered = true;
    }
    install_handlers();
    if (headless)
        resizeterm(opt->lines > 0 ? opt->lines : 30, opt->cols > 0 ? opt->cols : 100);
    else
        capture_stderr();
    set_escdelay(25);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    curs_set(0);
    colors = opt->colors && has_colors();
    if (colors)
        start_color();
    mm_term_set_mouse(opt->mouse);
    return 0;
}

void mm_term_stop(void)
{
    if (!screen)
        return;
    if (active)
        endwin();
    active = false;
    restore_handlers();
    delscreen(screen);
    screen = NULL;
    if (term_out)
        fclose(term_out);
    if (term_in)
        fclose(term_in);
    term_in = term_out = NULL;
    replay_stderr();
}

bool mm_term_active(void)
{
    return active;
}

bool mm_term_headless(void)
{
    return headless;
}

bool mm_term_has_colors(void)
{
    return colors;
}

void mm_term_resize(int cols, int lines)
{
    if (active && headless)
        resizeterm(lines, cols);
}

int mm_term_caught_signal(void)
{
    return caught_signal;
}

void mm_term_clear_signal(void)
{
    caught_signal = 0;
}

bool mm_term_set_mouse(bool on)
{
    if (!active)
        return mouse = false;
    mmask_t want = on ? BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED : 0;
    mmask_t got = 0;
    if (!headless)
        mousemask(want, &got);
    else
        got = want; /* scripted clicks need no terminal */
    mouse = on && got != 0;
    return mouse;
}

bool mm_term_mouse(void)
{
    return mouse;
}

void mm_term_set_wake_fd(int fd)
{
    wake_fd = fd;
}

void mm_term_reraise(void)
{
    int sig = caught_signal;
    if (!sig || active)
        return;
    signal(sig, SIG_DFL);
    raise(sig);
}
