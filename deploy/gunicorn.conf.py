"""Production server: gunicorn, threaded workers sized for the machine (docs/deployment.md).

    gunicorn -c deploy/gunicorn.conf.py motcua.config.wsgi:application

The same command serves the benchmarks and drills (bench/). Every value can be changed
by an environment variable, so one file serves a 2-core box and a larger node.
"""

import multiprocessing
import os

bind = os.environ.get("MOTCUA_BIND", "127.0.0.1:8000")
# Two processes per core, two threads each. Python runs one thread at a time per
# process, and keep-alive connections stay with the process that accepted them: with
# one process per core a busy client set could pile onto one process and leave a core
# idle (bench/RESULTS.md: the public look-up, 690 -> 815 requests/s on 2 cores).
workers = int(os.environ.get("WEB_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread"
# Import the application once in the master, before forking: workers start in
# milliseconds after a crash or a recycle, and share the imported code's pages.
preload_app = os.environ.get("WEB_PRELOAD", "true").lower() in {"1", "true", "yes"}
# The heartbeat file in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
backlog = 2048
keepalive = 5
timeout = 30
graceful_timeout = 20
# Recycle a worker after this many requests (with jitter, so not all at once): bounds
# any slow growth of memory.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# No shared control socket in the home directory: several servers (a node, benchmarks,
# drills) may run side by side; manage them with signals as usual.
control_socket_disable = True
accesslog = None
errorlog = "-"
