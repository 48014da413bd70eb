"""Settings of every process of the two-server test: the portal's own (hub.settings, read
from the environment the test sets, as on a real server), with a few budgets changed."""

from hub.settings import *  # noqa: F403

# The growing delay between failed sign-ins stops growing at one second instead of five
# minutes, so that the lock is reached in seconds; the counts that slow and lock are the
# portal's own (THROTTLE_ACCOUNT).
THROTTLE_MAX_DELAY_SECONDS = 1
# Far longer than the test: only the catalogue version shared in Redis can make one server's
# process show an edit made elsewhere at once.
CATALOGUE_CACHE_SECONDS = 600
# An email a killed worker held is sent again within seconds, not minutes (the environment's
# EMAIL_CLAIM_LEASE cannot go below 20 × EMAIL_TIMEOUT). BROKER_VISIBILITY_TIMEOUT stays above it.
EMAIL_CLAIM_LEASE_SECONDS = 4
