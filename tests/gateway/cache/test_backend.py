"""The backend's parts in isolation: generations, the bounded store, keys, the serializer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from adapters.errors import NotFound
from adapters.models import Amount
from gateway.cache.backend import (
    BoundedMemoryCache,
    LocalGenerations,
    MemoryCacheBackend,
)
from gateway.cache.read_cache import GenerationalReadCache
from gateway.cache.redis_backend import redis_store
from gateway.cache.serializer import JsonSerializer
from gateway.settings.cache import CacheSettings
from resolvers.operations.cache import CacheKey

AMOUNT = TypeAdapter(Amount)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@given(
    st.lists(
        st.tuples(st.sampled_from(["bump", "get"]), st.sampled_from(["a", "B", "b", "c", "d"])),
        max_size=60,
    )
)
def test_a_report_never_returns_to_a_generation_it_left(ops: list[tuple[str, str]]) -> None:
    """Whatever the bound drops, no entry stored before an invalidation is reachable again."""
    generations = LocalGenerations(max_reports=2)
    left: dict[str, set[int]] = {}
    for op, report in ops:
        scope = report.casefold()
        before = generations.get(report)
        if op == "bump":
            generations.bump(report)
            left.setdefault(scope, set()).add(before)
        assert generations.get(report) not in left.get(scope, set())


def test_ids_differing_in_case_share_a_generation() -> None:
    generations = LocalGenerations(max_reports=10)
    generations.bump("ABC123")
    assert generations.get("abc123") == generations.get("ABC123") != 0


async def test_the_memory_store_is_bounded_and_expires() -> None:
    clock = Clock()
    evicted: list[int] = []
    store = BoundedMemoryCache(max_entries=2, on_evict=lambda: evicted.append(1), clock=clock)
    await store.set("a", 1, ttl=10.0)
    await store.set("b", 2, ttl=10.0)
    assert await store.get("a") == 1  # now the most recently used
    await store.set("c", 3, ttl=10.0)
    assert await store.get("b") is None  # least recently used: gone
    assert evicted == [1]
    assert len(store) == 2
    clock.now += 10
    assert await store.get("a") is None
    assert await store.get("c") is None


def test_keys_are_unambiguous_and_carry_the_principal() -> None:
    cache = GenerationalReadCache(
        MemoryCacheBackend(prefix="p:", max_entries=10), CacheSettings(prefix="p:")
    )
    one = cache.storage_key(CacheKey("user:a", "details", "b:c"), "0")
    two = cache.storage_key(CacheKey("user:a:b", "details", "c"), "0")
    assert one != two
    assert one.startswith("p:read:")
    assert "user:a" in one


def test_the_serializer_writes_json_and_nothing_else() -> None:
    serializer = JsonSerializer()
    data = {
        "value": AMOUNT.dump_python(
            Amount(value=Decimal("525.00000000"), currency_code="USD"), mode="json"
        )
    }
    raw = serializer.dumps(data)
    assert raw == b'{"value":{"value":"525.00000000","currency_code":"USD"}}'
    assert AMOUNT.validate_python(serializer.loads(raw)["value"]).value == Decimal("525.00000000")
    with pytest.raises(TypeError):
        serializer.dumps(Decimal("1"))  # never a silent fallback (to pickle or to float)
    with pytest.raises(TypeError):
        serializer.dumps(object())


async def test_a_cached_404_expires() -> None:
    clock = Clock()
    backend = MemoryCacheBackend(prefix="p:", max_entries=10, clock=clock)
    cache = GenerationalReadCache(backend, CacheSettings(not_found_ttl_s=10))
    calls: list[int] = []

    async def fetch() -> Amount:
        calls.append(1)
        raise NotFound("No such report.")

    key = CacheKey("user:u1", "report", "R1", "TRAVELER")
    for _ in range(2):
        with pytest.raises(NotFound, match="No such report"):
            await cache.read(key, AMOUNT, fetch)
    assert len(calls) == 1
    clock.now += 10
    with pytest.raises(NotFound):
        await cache.read(key, AMOUNT, fetch)
    assert len(calls) == 2


async def test_anonymous_and_uncached_resources_go_straight_upstream() -> None:
    backend = MemoryCacheBackend(prefix="p:", max_entries=10)
    cache = GenerationalReadCache(backend, CacheSettings(cost_objects_ttl_s=0))
    amount = Amount(value=Decimal(1), currency_code="EUR")
    calls: list[int] = []

    async def fetch() -> Amount:
        calls.append(1)
        return amount

    for key in (CacheKey("", "report", "R1"), CacheKey("user:u", "cost_objects", "R1")):
        await cache.read(key, AMOUNT, fetch)
        await cache.read(key, AMOUNT, fetch)
    assert len(calls) == 4
    assert len(backend.store) == 0


def test_redis_urls_are_read_in_full() -> None:
    store = redis_store("rediss://user:secret@cache.internal:6380/3", CacheSettings())
    kwargs = store.client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("cache.internal", 6380, 3)
    assert (kwargs["username"], kwargs["password"]) == ("user", "secret")
    assert kwargs["socket_timeout"] == CacheSettings().redis_timeout_s
    assert store.client.connection_pool.connection_class.__name__ == "SSLConnection"
    with pytest.raises(ValueError, match="unix"):
        redis_store("unix:///run/redis.sock", CacheSettings())
