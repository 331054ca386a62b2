"""Several replicas of the bot behind one load balancer: the core's shared state on Redis.

:func:`connect_shared_state` builds a :class:`bot.core.SharedState` whose per-chat order,
flood counters, album buffer, ``/reload`` signal and housekeeping leader live in Redis (redis-py's
asyncio client). The composition root calls it when ``[redis] url`` is set; without it the core
keeps today's in-memory classes.
"""

from bot.replicas.albums import RedisAlbumBuffer
from bot.replicas.connect import RedisUnreachable, connect_shared_state, ping_redis
from bot.replicas.content import RedisContentSignal
from bot.replicas.flood import RedisFloodCounter
from bot.replicas.leader import RedisLeader
from bot.replicas.order import RedisKeyedOrder

__all__ = [
    "RedisAlbumBuffer",
    "RedisContentSignal",
    "RedisFloodCounter",
    "RedisKeyedOrder",
    "RedisLeader",
    "RedisUnreachable",
    "connect_shared_state",
    "ping_redis",
]
