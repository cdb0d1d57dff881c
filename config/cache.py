"""The site's two caches, and what each does when its store fails (settings.CACHES).

- `default`, the rate limits: allauth keeps its counters (failed logins, sign-ups, password
  resets, the /verifier/ limit) in Django's default cache and nowhere else. They must not
  be forgotten because something else filled a cache, so they live in the site's own
  database (`RateLimitCache`, the `coorace_cache` table, made by `migrate`: config/apps.py):
  never evicted, only their expired rows deleted. That store fails only with the database,
  and then a login fails closed (the French error page, at once: no password is tried),
  while the public pages, which take no rate limit, are served (by nginx's stale copy when
  they need the database too).
- `counters`, everything that may be forgotten: the public counters of the directory, in
  Redis when CACHE_URL says so (`FailSoftRedisCache`). A failure of Redis (stopped, frozen,
  full with `noeviction`, read-only) is a miss: a read answers "not there", a write is
  dropped, a warning is logged; with short connect and read timeouts, and after a failure
  the process leaves Redis alone for a few seconds, so that a frozen Redis costs one
  request one timeout, not every request every call.
"""

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections
from django.utils.connection import ConnectionProxy
from redis.exceptions import ConnectionError, ResponseError, TimeoutError

logger = logging.getLogger(__name__)

# Seconds a Redis connection and each answer may take before the call counts as a miss.
REDIS_CONNECT_TIMEOUT = 0.25
REDIS_READ_TIMEOUT = 0.5
# Seconds a process leaves Redis alone after a failure before asking it again.
REDIS_RETRY_AFTER = 5
# Redis stopped or unreachable, frozen (timeout), full with `noeviction` (OOM is a
# ResponseError), read-only or still loading its data: all of them are a miss.
REDIS_FAILURES = (ConnectionError, TimeoutError, ResponseError)


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache, for which a failing Redis is an empty cache (see the module)."""

    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", REDIS_CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", REDIS_READ_TIMEOUT)
        super().__init__(server, params)
        self._left_alone_until = 0.0

    def _or(self, fallback, method, *args):
        """`method(*args)`, or `fallback` when Redis fails or failed a moment ago."""
        if time.monotonic() < self._left_alone_until:
            return fallback
        try:
            return method(*args)
        except REDIS_FAILURES as error:
            self._left_alone_until = time.monotonic() + REDIS_RETRY_AFTER
            logger.warning(
                "Cache %s failed (%s: %s): treated as a miss; Redis left alone for %d s.",
                method.__name__,
                type(error).__name__,
                error,
                REDIS_RETRY_AFTER,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._or(None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        value = self._or(None, super().incr, key, delta, version)
        if value is None:
            raise ValueError(f"Key {key!r} not found (the cache is unavailable).")
        return value

    def clear(self):
        return self._or(False, super().clear)


class RateLimitCache(DatabaseCache):
    """Django's database cache, minus eviction: when it holds more than MAX_ENTRIES rows it
    deletes the expired ones, never a live counter (Django's would then delete a third of
    them, in key order, whatever their age: a flood of new keys would reset the limits)."""

    def _cull(self, db, cursor, now, num):
        connection = connections[db]
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(self._table)} "
            f"WHERE {connection.ops.quote_name('expires')} < %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )


# The `counters` cache, as `django.core.cache.cache` is the default one.
counters = ConnectionProxy(caches, "counters")
