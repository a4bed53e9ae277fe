"""gunicorn's settings for the site: `gunicorn beehive.wsgi` from this folder reads them.

The environment sets what differs between machines: GUNICORN_BIND (default
127.0.0.1:8000, behind a proxy on the same machine), WEB_CONCURRENCY (worker processes),
GUNICORN_TIMEOUT and GUNICORN_LOG_LEVEL (gunicorn's own messages). The site's own settings (DATABASE_URL, SECRET_KEY, …) come from
the environment too, read by beehive/settings.py.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers, one request at a time each: pages wait on the database, not on the
# network (a proxy in front buffers slow clients). Twice the cores plus one keeps the
# cores busy while some workers wait. Each worker keeps a database connection open
# (CONN_MAX_AGE), so the default stops at 12: a few servers stay within PostgreSQL's 100
# connections. On Linux, sched_getaffinity counts the cores this process may use, as a
# container's limit sets them; cpu_count counts the whole machine's.
cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * cores + 1, 12)))

# A worker silent this long (a runaway search, a stuck query) is killed and replaced: far
# longer than any page should take. Uploads reach the worker whole, from the proxy's buffer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart or stop, a worker finishes the request it is answering within this time.
graceful_timeout = 30
# Each worker is replaced after about a thousand requests (jittered so that they do not all
# restart at once), which caps what any slow growth in memory can reach.
max_requests = 1000
max_requests_jitter = 100
# The site is loaded once, before the workers are forked: a new worker then starts in
# milliseconds. Loaded by each worker, it took 0.8 s of CPU, and at the cached pages' 650
# requests a second a worker was replaced every second and a half, stalling requests
# (a p99 of half a second, even for /robots.txt). Nothing opens a connection at import,
# so no socket is shared between workers. A code change then needs a restart, not a HUP.
preload_app = True

# Whether a request came over HTTPS is Django's decision (SECURE_PROXY_SSL_HEADER, set only
# with TRUSTED_PROXY_COUNT in beehive/settings.py). gunicorn's own rule would believe
# X-Forwarded-Proto from any local address.
secure_scheme_headers = {}

# Signals manage the server (HUP reloads, TERM stops). gunicorn's control socket has one
# path for all of a user's servers, so a second one would take it from the first.
control_socket_disable = True

# The access log on stdout, one line a request: the address it came from and the
# X-Forwarded-For a proxy added ("-" without one), time, request, status, bytes, how long
# it took, then the referring page and the user agent. Errors, and the site's own log
# (settings.LOGGING), go to stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = (
    '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(B)s bytes %(M)s ms "%(f)s" "%(a)s"'
)
