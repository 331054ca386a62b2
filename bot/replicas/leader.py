"""One replica runs the housekeeping: a Redis key held with an expiry and renewed by its holder.

Each replica calls :meth:`RedisLeader.lead` once a housekeeping round (about a minute). The key
is taken with ``SET NX PX`` and, by its holder only, renewed; a leader that dies stops renewing
and another replica takes over when the key expires (``ttl_s``, a few rounds).
"""

from __future__ import annotations

from redis.asyncio import Redis

__all__ = ["RedisLeader"]

# KEYS: the leader key ; ARGV: my token, ttl ms → 1 when I lead
_LEAD = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class RedisLeader:
    """:class:`bot.core.shared.Leadership` on Redis; ``token`` names this replica."""

    def __init__(self, redis: Redis, key: str, token: str, *, ttl_s: float = 180.0) -> None:
        self._key = key
        self._token = token
        self._ttl_ms = int(ttl_s * 1000)
        self._lead = redis.register_script(_LEAD)

    async def lead(self) -> bool:
        return bool(await self._lead(keys=[self._key], args=[self._token, self._ttl_ms]))
