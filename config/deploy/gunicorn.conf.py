"""gunicorn settings for production: `gunicorn -c config/deploy/gunicorn.conf.py config.wsgi`."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two workers per core plus one, as gunicorn's documentation suggests for sync workers.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = 30
graceful_timeout = 30
# Recycle each worker now and then (a guard against slow leaks), not every few seconds: at
# 2,000 requests, benchmarks/load.py saw every worker restart every few seconds, each boot
# costing half a second of CPU and the process's cached pages. 0 turns recycling off.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
accesslog = "-"
# The path without its query string (%(U)s, not the request line %(r)s) and no referrer
# (%(f)s, which carries the previous page's query): searches are not logged. Behind nginx
# %(h)s is 127.0.0.1; the visitor's address is in nginx's own log (README « Retention »).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
