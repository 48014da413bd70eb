"""How passwords are stored: Argon2id at OWASP's parameters.

OWASP's Password Storage Cheat Sheet recommends Argon2id with 19 MiB of memory, 2 passes and one
lane. Django's own Argon2 defaults (100 MiB, 8 lanes) cost five times the memory for each of the
20 trainees of a class signing in at once, on a server with two cores. A stored hash with other
parameters (Django's defaults, or PBKDF2 and scrypt, listed after this one in PASSWORD_HASHERS)
still verifies, and is stored again with these at the next correct password (`must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name as Django's: hashes stay readable by Django's own hasher, and one
    # with other parameters is upgraded rather than refused.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
