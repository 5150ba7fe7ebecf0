#!/usr/bin/env python3
"""Process start of the real binaries (issue 13, item 4): `glimpse-cli --help` wall time and peak
RSS, `glimpse-cli --version` (which loads the engine module, libtorch), and the time from launching
`glimpse-photos` until its window is first exposed under Xvfb (GLIMPSE_REPORT_WINDOW=quit: the app
prints a line at the first expose and quits). Prints the load average with the figures: the
machine these run on is shared, and start-up times follow its load.

Usage: bench/bench_start.py [BUILD_DIR] [--runs N]
The window is timed when `Xvfb` is installed (one server for all runs, display :99 unless
GLIMPSE_BENCH_DISPLAY says otherwise).
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time


def timed(cmd, env):
    """Wall seconds and the child's peak RSS (MiB) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}")
    # ru_maxrss of the children is the largest so far: only a new maximum is this run's own.
    return wall, (rss / 1024.0 if rss > before else None)


def window_time(gui, env, timeout=30.0):
    """Seconds from launch until the app reports its first expose."""
    start = time.perf_counter()
    proc = subprocess.Popen([gui], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "window exposed" in line:
                seen = time.perf_counter() - start
                proc.wait(timeout=timeout)
                return seen
        sys.exit(f"{gui} never reported its window (exit {proc.wait()})")
    finally:
        if proc.poll() is None:
            proc.kill()


def summary(values):
    values = sorted(values)
    return f"median {values[len(values) // 2]:.3f} s (min {values[0]:.3f}, max {values[-1]:.3f}, {len(values)} runs)"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cli = os.path.join(args.build, "app/cli/glimpse-cli")
    gui = os.path.join(args.build, "app/gui/glimpse-photos")
    scratch = tempfile.mkdtemp(prefix="glimpse-bench-start-")
    env = dict(os.environ, HOME=scratch, XDG_CONFIG_HOME=f"{scratch}/config", XDG_DATA_HOME=f"{scratch}/data",
               XDG_CACHE_HOME=f"{scratch}/cache")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    for name, cmd in (("glimpse-cli --help", [cli, "--help"]), ("glimpse-cli --version (loads libtorch)",
                                                                 [cli, "--version"])):
        timed(cmd, env)  # warm the page cache
        walls, rss = [], []
        for _ in range(args.runs):
            wall, peak = timed(cmd, env)
            walls.append(wall)
            if peak is not None:
                rss.append(peak)
        peak = f", peak RSS {max(rss):.0f} MiB" if rss else ""
        print(f"{name}: {summary(walls)}{peak}")
    xvfb = shutil.which("Xvfb")
    if xvfb:
        display = os.environ.get("GLIMPSE_BENCH_DISPLAY", ":99")
        server = subprocess.Popen([xvfb, display, "-screen", "0", "1440x900x24", "-nolisten", "tcp"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.0)
            genv = dict(env, DISPLAY=display, QT_QPA_PLATFORM="xcb", GLIMPSE_REPORT_WINDOW="quit")
            window_time(gui, genv)  # warm the page cache
            print(f"glimpse-photos window exposed (Xvfb): {summary([window_time(gui, genv) for _ in range(args.runs)])}")
        finally:
            server.terminate()
            server.wait()
    else:
        print("glimpse-photos window: Xvfb not installed, not measured")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
