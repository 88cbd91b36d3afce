"""Failed-login limits per account and per client address, kept in Redis by the ``limits``
library (moving window), so every API process shares them.

A login is refused with ``RateLimited`` (429, ``Retry-After``) while its email or its client
address has had too many failed logins in the window, before the password is checked. Emails
count whether or not an account has them, so the answer never tells which exist. A successful
login clears its own email's count (its owner knew the password), never the address's: logging
in to one's own account does not buy more guesses at others'. If Redis is unreachable the
limits are not checked (logged): logging in does not depend on Redis otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis import Redis

from ferag.errors import RateLimited
from ferag.settings import Settings

logger = logging.getLogger(__name__)

KEY_PREFIX = "ferag:login"


@dataclass(frozen=True)
class LoginLimits:
    limiter: MovingWindowRateLimiter
    per_account: RateLimitItem
    per_address: RateLimitItem

    @classmethod
    def from_settings(cls, settings: Settings, redis: Redis) -> LoginLimits:
        """Limits kept on ``redis``'s connections (the app's client)."""
        storage = RedisStorage(
            settings.require("redis_url"),
            connection_pool=redis.connection_pool,
            key_prefix=KEY_PREFIX,
            wrap_exceptions=True,
        )
        window = settings.login_failure_window_s
        return cls(
            limiter=MovingWindowRateLimiter(storage),
            per_account=RateLimitItemPerSecond(
                settings.login_failures_per_account, window, namespace="account"
            ),
            per_address=RateLimitItemPerSecond(
                settings.login_failures_per_address, window, namespace="address"
            ),
        )

    def check(self, email: str, address: str) -> None:
        """RateLimited if ``email`` or ``address`` has no failed login left in the window."""
        for item, key, whose in (
            (self.per_account, _account_key(email), "for this email"),
            (self.per_address, address, "from your address"),
        ):
            try:
                if self.limiter.test(item, key):
                    continue
                reset_at = self.limiter.get_window_stats(item, key).reset_time
            except StorageError as exc:
                logger.warning("failed-login limits not checked, Redis unavailable: %s", exc)
                return
            retry_after = max(1, math.ceil(reset_at - time.time()))
            raise RateLimited(
                f"too many failed logins {whose}; retry in {retry_after} s",
                retry_after_s=retry_after,
                code="too_many_failed_logins",
            )

    def record_failure(self, email: str, address: str) -> None:
        try:
            self.limiter.hit(self.per_account, _account_key(email))
            self.limiter.hit(self.per_address, address)
        except StorageError as exc:
            logger.warning("failed login not counted, Redis unavailable: %s", exc)

    def record_success(self, email: str) -> None:
        try:
            self.limiter.clear(self.per_account, _account_key(email))
        except StorageError as exc:
            logger.warning("failed logins of an account not cleared, Redis unavailable: %s", exc)


def _account_key(email: str) -> str:
    """Keys name an email by its hash: Redis holds no list of addresses."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]
