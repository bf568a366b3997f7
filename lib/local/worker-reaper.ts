import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * The reaper: a small Python program that starts one worker and stays its parent, so that no process the
 * worker's tasks start outlives the worker or `ork run`. Lambda freezes what a function leaves running when
 * it returns and discards it with the sandbox; locally the worker's retirement (idle, timeout, end of the
 * run) or the death of `ork` (even by SIGKILL) is that moment.
 *
 * What it guarantees on Linux:
 * - it is a child subreaper (PR_SET_CHILD_SUBREAPER): every process the worker starts stays its descendant,
 *   even one that daemonizes or calls setsid (an orphan is re-parented to it, not to init);
 * - when the worker exits, for whatever reason, it kills every descendant (SIGKILL, found by walking the
 *   /proc tree, repeated until none is left) and then exits as the worker did (same code or signal);
 * - it dies with `ork` (PR_SET_PDEATHSIG, SIGTERM): SIGKILL of `ork` included; and the worker dies with the
 *   reaper (PR_SET_PDEATHSIG, SIGKILL), should the reaper itself be killed;
 * - SIGTERM: the worker gets SIGTERM, then SIGKILL after the grace period; SIGUSR1: SIGKILL at once (a task
 *   past its timeout). Either way its descendants follow as above.
 * The worker runs with the SCHED_BATCH policy where there is one (Linux): the same share of the CPU as any
 * process, but a worker woken by `ork`'s request no longer preempts `ork` on its core. Each call woke a worker
 * that took the core from the event loop in the middle of its socket write: 100,000 no-op instances took
 * 32.7 s with the default policy and 24.5 s with this one (bench/scale.ts, same minutes).
 * The worker runs in a process group of its own (so Ctrl-C on the terminal reaches `ork`, which stops the
 * run, not the tasks directly); without /proc (not Linux) the reaper kills that group instead, which a
 * process that called setsid leaves. The reaper closes its copies of the worker's stdio (and any other
 * inherited descriptor), so that only the worker and what it starts hold those pipes.
 *
 * Usage: python -I -S -c REAPER_SOURCE <ork pid> <grace seconds> <command> [args…]
 */
export const REAPER_SOURCE = String.raw`
import os, signal, sys, time

ork = int(sys.argv[1])
grace = float(sys.argv[2])
command = sys.argv[3:]
prctl = None
try:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if sys.platform.startswith("linux"):
        prctl = libc.prctl
        prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG: ork gone -> SIGTERM
except Exception:
    prctl = None

reaper = os.getpid()
worker = os.fork()
if worker == 0:
    try:
        os.setpgid(0, 0)
        if prctl is not None:
            prctl(1, signal.SIGKILL, 0, 0, 0)  # the worker dies with its reaper
            if os.getppid() != reaper:
                os._exit(1)  # the reaper died before that was set (stopped as it started): no orphan
        # Only stdio and the protocol channel: a descriptor ork's own parent left open stays out of the tasks.
        os.closerange(4, 65536)
        # SCHED_BATCH: same CPU share, but a worker woken by a request does not preempt ork on its core.
        try:
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
        except (AttributeError, OSError):
            pass
        os.execvp(command[0], command)
    except BaseException as error:
        os.write(2, ("cannot start %s: %s\n" % (command[0], error)).encode())
    os._exit(127)

# Only the worker and its descendants hold its pipes: the run ends when they are gone.
null = os.open(os.devnull, os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
os.closerange(3, 65536)

stopping = [False]


def kill_worker(*_):
    try:
        os.killpg(worker, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.kill(worker, signal.SIGKILL)
    except OSError:
        pass


def stop(*_):
    if stopping[0]:
        return
    stopping[0] = True
    try:
        os.kill(worker, signal.SIGTERM)
    except OSError:
        pass
    signal.signal(signal.SIGALRM, kill_worker)
    signal.setitimer(signal.ITIMER_REAL, max(grace, 0.001))


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGHUP, stop)
signal.signal(signal.SIGUSR1, kill_worker)
signal.signal(signal.SIGINT, signal.SIG_IGN)
if os.getppid() != ork:
    stop()  # ork died before PR_SET_PDEATHSIG was set
if prctl is None:
    import threading

    def watch():
        while os.getppid() == ork:
            time.sleep(0.5)
        stop()

    threading.Thread(target=watch, daemon=True).start()

status = None
while status is None:
    try:
        pid, code = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    if pid == worker:
        status = code
signal.setitimer(signal.ITIMER_REAL, 0)


def descendants():
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2:].split()
        if fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], [os.getpid()]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


try:
    os.killpg(worker, signal.SIGKILL)
except OSError:
    pass
if os.path.isdir("/proc/self"):
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = descendants()
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        if not left:
            break
        time.sleep(0.01)

if status is None:
    os._exit(1)
if os.WIFSIGNALED(status):
    number = os.WTERMSIG(status)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    except Exception:
        pass
    os._exit(128 + number)
os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
`;

/** The path of an executable `name` on PATH (or `name` itself when it holds a slash), if there is one. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates = name.includes(path.sep)
    ? [name]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** The command and arguments that run `command args` under the reaper, with `python`. */
export function reaped(python: string, graceMs: number, command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: python, args: ['-I', '-S', '-c', REAPER_SOURCE, String(process.pid), String(graceMs / 1000), command, ...args] };
}
