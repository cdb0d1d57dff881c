"""config.cache.RedisCache: Django's Redis backend, building one redis-py client per pool."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from config.cache import RedisCache


def test_the_client_is_built_once_not_at_every_call():
    backend = RedisCache("redis://127.0.0.1:6379/15", {})
    client = backend._cache.get_client("une-clé")  # builds no connection yet
    assert backend._cache.get_client("une-autre", write=True) is client


def test_it_is_otherwise_djangos_backend():
    backend = RedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": {"socket_timeout": 2}})
    assert isinstance(backend, DjangoRedisCache)
    assert backend._cache._pool_options["socket_timeout"] == 2
    assert backend._cache.get_client().connection_pool.connection_kwargs["db"] == 15
