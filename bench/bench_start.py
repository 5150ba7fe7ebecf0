#!/usr/bin/env python3
"""Process start of the real binaries (issue 13, item 4): `glimpse-cli --help` wall time and peak
RSS, `glimpse-cli --version`, `glimpse-cli --version --verbose` (which loads the engine module,
libtorch), and the time from launching `glimpse-photos` until its window is first exposed under
Xvfb (GLIMPSE_REPORT_WINDOW=quit: the app prints a line at the first expose and quits). Prints the
load average with the figures: the machine these run on is shared, and start-up times follow its
load.

With --caption MODEL_DIR IMAGE also the first caption of a fresh process (`glimpse-cli caption
--max-new-tokens 20 --min-length 21`), warm and cold: cold runs drop the page cache first
(`/proc/sys/vm/drop_caches`, root only; otherwise they are left out and the output says so). With
--compare OTHER_BUILD the two builds' captions alternate run by run, so both see the same minutes.
With --after-download also the first caption of a model each build has just downloaded
(`glimpse-cli models download` from a local server with the Hub's URL layout serving MODEL_DIR in
64 KiB pieces at 50 MB/s, as a fast connection delivers them): the page cache then holds the weights
as the download wrote them (docs/performance.md, thirty-first round).

Usage: bench/bench_start.py [BUILD_DIR] [--runs N] [--caption MODEL_DIR IMAGE [--compare OTHER_BUILD]
                            [--after-download]]
The window is timed when `Xvfb` is installed (one server for all runs, display :99 unless
GLIMPSE_BENCH_DISPLAY says otherwise).
"""
import argparse
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time


def timed(cmd, env):
    """Wall seconds and the child's own peak RSS (MiB) of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {proc.returncode}")
    return wall, usage.ru_maxrss / 1024.0


def drop_page_cache():
    """Whether the page cache could be dropped (root only)."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def first_captions(builds, model, image, runs, env):
    """The first caption of fresh processes, warm and cold, the builds alternating."""
    cmds = {b: [os.path.join(b, "app/cli/glimpse-cli"), "caption", "--model", model, "--max-new-tokens", "20",
                "--min-length", "21", image] for b in builds}
    for cmd in cmds.values():
        timed(cmd, env)  # the page cache, and the product measurement kept in the cache folder
    for kind in ("warm", "cold"):
        if kind == "cold" and not drop_page_cache():
            print("first caption, cold: not measured (dropping the page cache needs root)")
            break
        walls = {b: [] for b in builds}
        rss = {b: [] for b in builds}
        for _ in range(runs):
            for b in builds:
                if kind == "cold":
                    drop_page_cache()
                wall, peak = timed(cmds[b], env)
                walls[b].append(wall)
                rss[b].append(peak)
        for b in builds:
            print(f"first caption, {kind} ({b}): {summary(walls[b])}, peak RSS {min(rss[b]):.0f}-{max(rss[b]):.0f} MiB"
                  + (" (target 2.5 s)" if kind == "cold" else ""))


class HubLikeServer:
    """The Hub's URL layout on 127.0.0.1 for one folder: /api/models/{repo}/revision/main lists its
    files, /{repo}/resolve/main/{file} answers HEAD and GET; bodies go out in 64 KiB pieces at most
    `rate` bytes a second."""

    def __init__(self, folder, rate=50e6, piece=64 << 10):
        files = sorted(f for f in os.listdir(folder) if os.path.isfile(os.path.join(folder, f)))

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.answer(False)

            def do_GET(self):
                self.answer(True)

            def answer(self, body):
                if self.path.startswith("/api/models/"):
                    data = json.dumps({"siblings": [{"rfilename": f} for f in files]}).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if body:
                        self.wfile.write(data)
                    return
                name = self.path.rsplit("/resolve/main/", 1)[-1]
                if name not in files:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path = os.path.join(folder, name)
                size = os.path.getsize(path)
                self.send_response(200)
                self.send_header("Content-Length", str(size))
                self.send_header("ETag", f'"{size}"')
                self.end_headers()
                if not body:
                    return
                start, sent = time.perf_counter(), 0
                with open(path, "rb") as f:
                    while chunk := f.read(piece):
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        sent += len(chunk)
                        ahead = sent / rate - (time.perf_counter() - start)
                        if ahead > 0:
                            time.sleep(ahead)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def captions_after_download(builds, model, image, runs, env):
    """Each build downloads `model` from a local server, then captions with what it downloaded."""
    # Beside MODEL_DIR, on its file system (a tmpfs /tmp sizes its folios otherwise).
    near = tempfile.mkdtemp(prefix="glimpse-bench-download-", dir=os.path.dirname(os.path.abspath(model)))
    try:
        captions_of_downloads(builds, model, image, runs, env, near)
    finally:
        shutil.rmtree(near, ignore_errors=True)


def captions_of_downloads(builds, model, image, runs, env, near):
    server = HubLikeServer(model)
    try:
        folders = {}
        for i, b in enumerate(builds):
            models = os.path.join(near, f"downloaded-{i}")
            start = time.perf_counter()
            subprocess.run([os.path.join(b, "app/cli/glimpse-cli"), "models", "download", "bench/model", "--endpoint",
                            server.endpoint], env=dict(env, GLIMPSE_MODELS_DIR=models), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print(f"download ({b}): {time.perf_counter() - start:.1f} s")
            folders[b] = os.path.join(models, "bench", "model")
    finally:
        server.close()
    walls = {b: [] for b in builds}
    for _ in range(runs):
        for b in builds:
            walls[b].append(timed([os.path.join(b, "app/cli/glimpse-cli"), "caption", "--model", folders[b],
                                   "--max-new-tokens", "20", "--min-length", "21", image], env)[0])
    for b in builds:
        print(f"first caption of the model it just downloaded ({b}): {summary(walls[b])}")


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
    parser.add_argument("--caption", nargs=2, metavar=("MODEL_DIR", "IMAGE"))
    parser.add_argument("--compare", metavar="OTHER_BUILD")
    parser.add_argument("--after-download", action="store_true")
    args = parser.parse_args()
    if args.after_download and not args.caption:
        parser.error("--after-download needs --caption MODEL_DIR IMAGE")
    cli = os.path.join(args.build, "app/cli/glimpse-cli")
    gui = os.path.join(args.build, "app/gui/glimpse-photos")
    scratch = tempfile.mkdtemp(prefix="glimpse-bench-start-")
    env = dict(os.environ, HOME=scratch, XDG_CONFIG_HOME=f"{scratch}/config", XDG_DATA_HOME=f"{scratch}/data",
               XDG_CACHE_HOME=f"{scratch}/cache")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    for name, cmd in (("glimpse-cli --help", [cli, "--help"]), ("glimpse-cli --version", [cli, "--version"]),
                      ("glimpse-cli --version --verbose (loads libtorch)", [cli, "--version", "--verbose"])):
        timed(cmd, env)  # warm the page cache
        walls, rss = [], []
        for _ in range(args.runs):
            wall, peak = timed(cmd, env)
            walls.append(wall)
            rss.append(peak)
        print(f"{name}: {summary(walls)}, peak RSS {max(rss):.0f} MiB")
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
    if args.caption:
        builds = [args.build] + ([args.compare] if args.compare else [])
        first_captions(builds, args.caption[0], args.caption[1], args.runs, env)
        if args.after_download:
            captions_after_download(builds, args.caption[0], args.caption[1], args.runs, env)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
